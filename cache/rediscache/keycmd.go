package rediscache

import (
	"hash/maphash"
	"sync/atomic"

	"github.com/redis/rueidis"

	"github.com/buttress-go/buttress/cache"
)

// keyCmd is an entry's Redis key and its pinned (reusable) client-side-cached GET, built once
// per hot key: a hit then concatenates no key, allocates nothing, and skips the builder's
// per-call hash-slot computation (CRC16 of the whole key), which dominated the hit's CPU time.
type keyCmd struct {
	ns, name string
	key      string
	get      rueidis.Cacheable
}

// keyCmds is a fixed-size, direct-mapped, lock-free table of keyCmds: a slot holds the last key
// hashed to it, so a collision costs a rebuild, never a wrong key (ns and name are compared).
type keyCmds struct {
	seed  maphash.Seed
	slots []atomic.Pointer[keyCmd]
}

func newKeyCmds(n int) *keyCmds {
	size := 1024
	for size < n && size < 1<<16 {
		size <<= 1
	}
	return &keyCmds{seed: maphash.MakeSeed(), slots: make([]atomic.Pointer[keyCmd], size)}
}

// entryCmd returns k's Redis key and GET command.
func (s *Store) entryCmd(k cache.Key) *keyCmd {
	t := s.keys
	h := maphash.String(t.seed, k.Name) ^ maphash.String(t.seed, k.Namespace)*0x9e3779b97f4a7c15
	p := &t.slots[h&uint64(len(t.slots)-1)]
	if kc := p.Load(); kc != nil && kc.name == k.Name && kc.ns == k.Namespace {
		return kc
	}
	key := s.entryKey(k)
	kc := &keyCmd{ns: k.Namespace, name: k.Name, key: key, get: s.client.B().Get().Key(key).Cache().Pin()}
	p.Store(kc)
	return kc
}
