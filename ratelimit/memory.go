package ratelimit

import (
	"context"
	"fmt"
	"hash/maphash"
	"math/bits"
	"sync"
	"time"
)

// MemoryConfig configures a [MemoryStore]. A nil *MemoryConfig means all defaults.
type MemoryConfig struct {
	// Shards is the number of independently locked maps, rounded up to a power of two.
	// Default 64. Must be >= 0 and <= 65536.
	Shards int
	// MaxKeys bounds the number of buckets kept (spread evenly over the shards). Buckets that are
	// full again (idle) are dropped lazily; when a shard is at its bound with only live buckets,
	// the fullest of a few sampled buckets is dropped, which forgets at most that bucket's
	// recent use. Default 1<<20. Must be >= 0.
	MaxKeys int
	// Now is the clock. Default time.Now. Tests inject a fake clock here.
	Now func() time.Time
}

// MemoryStore is an in-process [Store]: GCRA state in sharded maps of key → theoretical arrival
// time, one mutex per shard. Keys are held as 64-bit hashes with a per-store random seed (16
// bytes a bucket whatever the key's length); two keys colliding would share a bucket, which can
// only admit less, never more, and with a secret seed cannot be provoked. A check costs one map lookup under one lock and allocates nothing
// once the key exists. Memory stays bounded: idle buckets are swept as shards grow, and
// MemoryConfig.MaxKeys caps the total. It is exact under concurrency within one process; use a
// shared store (ratelimit/redisstore) to limit across processes.
type MemoryStore struct {
	shards   []memShard
	mask     uint64
	seed     maphash.Seed
	now      func() time.Time
	shardMax int
}

var _ Store = (*MemoryStore)(nil)

type memShard struct {
	mu      sync.Mutex
	m       map[uint64]int64 // 64-bit seeded hash of the key → TAT (or expiry)
	sweepAt int
	peak    int
	evicted int      // evictions since the last sweep
	_       [24]byte // keep neighbouring shards' locks off one cache line
}

const minSweep = 256

// NewMemoryStore returns a MemoryStore configured by cfg (nil: defaults).
func NewMemoryStore(cfg *MemoryConfig) (*MemoryStore, error) {
	var c MemoryConfig
	if cfg != nil {
		c = *cfg
	}
	switch {
	case c.Shards < 0 || c.Shards > 1<<16:
		return nil, fmt.Errorf("%w: MemoryConfig.Shards must be in 0..65536 (got %d)", ErrInvalidConfig, c.Shards)
	case c.MaxKeys < 0:
		return nil, fmt.Errorf("%w: MemoryConfig.MaxKeys must be >= 0 (got %d)", ErrInvalidConfig, c.MaxKeys)
	}
	if c.Shards == 0 {
		c.Shards = 64
	}
	if c.MaxKeys == 0 {
		c.MaxKeys = 1 << 20
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	n := 1 << bits.Len(uint(c.Shards-1))
	s := &MemoryStore{
		shards:   make([]memShard, n),
		mask:     uint64(n - 1),
		seed:     maphash.MakeSeed(),
		now:      c.Now,
		shardMax: max(1, c.MaxKeys/n),
	}
	for i := range s.shards {
		s.shards[i].m = make(map[uint64]int64)
		s.shards[i].sweepAt = min(minSweep, s.shardMax)
	}
	return s, nil
}

// Take implements [Store]. ctx is not used: the store never blocks on I/O.
func (s *MemoryStore) Take(_ context.Context, reqs []Request, res []Result) (bool, error) {
	if err := ValidateRequests(reqs, res); err != nil {
		return false, err
	}
	now := s.now().UnixNano()
	if len(reqs) == 1 {
		r := &reqs[0]
		h := maphash.String(s.seed, r.Key)
		sh := &s.shards[h>>32&s.mask]
		sh.mu.Lock()
		tat, ok := sh.m[h]
		newTAT, out := GCRA(now, tat, r.Limit, r.Cost)
		if out.Allowed {
			if ok {
				sh.m[h] = newTAT
			} else {
				sh.insert(h, newTAT, now, s.shardMax)
			}
		}
		sh.mu.Unlock()
		res[0] = out
		return out.Allowed, nil
	}
	return s.takeMany(now, reqs, res), nil
}

// takeMany locks every shard involved, in index order (no deadlock between concurrent Takes),
// evaluates all requests, and charges them only if all fit.
func (s *MemoryStore) takeMany(now int64, reqs []Request, res []Result) bool {
	var idx, order [MaxRequests]uint32
	var tats [MaxRequests]int64
	var hs [MaxRequests]uint64
	n := len(reqs)
	for i := range reqs {
		hs[i] = maphash.String(s.seed, reqs[i].Key)
		idx[i] = uint32(hs[i] >> 32 & s.mask)
		order[i] = idx[i]
	}
	// insertion sort of at most MaxRequests shard indices, then lock each distinct one once
	for i := 1; i < n; i++ {
		for j := i; j > 0 && order[j] < order[j-1]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	for i := 0; i < n; i++ {
		if i == 0 || order[i] != order[i-1] {
			s.shards[order[i]].mu.Lock()
		}
	}
	all := true
	for i := range reqs {
		tats[i] = s.shards[idx[i]].m[hs[i]]
		var next int64
		next, res[i] = GCRA(now, tats[i], reqs[i].Limit, reqs[i].Cost)
		if res[i].Allowed {
			tats[i] = next
		} else {
			all = false
		}
	}
	// Keys are distinct (ValidateRequests), so the charges are independent.
	for i := range reqs {
		sh := &s.shards[idx[i]]
		switch {
		case all:
			if _, ok := sh.m[hs[i]]; ok {
				sh.m[hs[i]] = tats[i]
			} else {
				sh.insert(hs[i], tats[i], now, s.shardMax)
			}
		case res[i].Allowed:
			res[i] = uncharged(now, sh.m[hs[i]], res[i])
		}
	}
	for i := 0; i < n; i++ {
		if i == 0 || order[i] != order[i-1] {
			s.shards[order[i]].mu.Unlock()
		}
	}
	return all
}

// insert adds a key, sweeping idle buckets first when the shard has grown past its sweep mark
// and evicting a sampled bucket when the shard is at its bound. Called with sh.mu held.
func (sh *memShard) insert(key uint64, tat, now int64, shardMax int) {
	// Sweep when the shard has doubled since the last sweep; at the MaxKeys bound, only once
	// every shardMax/4 evictions, so a shard full of live buckets costs O(1) amortised too.
	if len(sh.m) >= sh.sweepAt && (len(sh.m) < shardMax || sh.evicted >= shardMax/4) {
		sh.evicted = 0
		for k, v := range sh.m {
			if v <= now {
				delete(sh.m, k)
			}
		}
		if sh.peak > 4*minSweep && len(sh.m) < sh.peak/4 {
			// Go maps never shrink; rebuild once most of the peak is gone.
			m := make(map[uint64]int64, 2*len(sh.m))
			for k, v := range sh.m {
				m[k] = v
			}
			sh.m, sh.peak = m, len(m)
		}
		sh.sweepAt = min(max(2*len(sh.m), minSweep), shardMax)
	}
	if len(sh.m) >= shardMax {
		// Drop the fullest (smallest TAT) of a few random buckets: it has the least to forget.
		var victim uint64
		best, seen := int64(0), 0
		for k, v := range sh.m {
			if seen == 0 || v < best {
				victim, best = k, v
			}
			if seen++; seen == 8 {
				break
			}
		}
		delete(sh.m, victim)
		sh.evicted++
	}
	sh.m[key] = tat
	sh.peak = max(sh.peak, len(sh.m))
}

// Len returns the number of buckets held (including idle ones not swept yet).
func (s *MemoryStore) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}
