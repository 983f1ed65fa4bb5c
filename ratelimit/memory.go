package ratelimit

import (
	"context"
	"fmt"
	"hash/maphash"
	"math/bits"
	"time"
)

// MemoryConfig configures a [MemoryStore]. A nil *MemoryConfig means all defaults.
type MemoryConfig struct {
	// Shards is the number of independently locked hash tables, rounded up to a power of two.
	// Default 64. Must be >= 0 and <= 65536.
	Shards int
	// MaxKeys bounds the number of buckets kept (spread evenly over the shards). Buckets that are
	// full again (idle) are dropped lazily; when a shard is at its bound with only live buckets,
	// the fullest of a few sampled buckets is dropped, which forgets at most that bucket's
	// recent use. Default 1<<20. Must be >= 0.
	MaxKeys int
	// Now is the clock. Default: the monotonic clock (time.Now at creation plus time.Since), which
	// costs one clock read per check instead of two and ignores wall-clock steps. Tests inject a
	// fake clock here.
	Now func() time.Time
}

// MemoryStore is an in-process [Store]: GCRA state in sharded open-addressing tables of key → theoretical arrival
// time, one mutex per shard. Keys are held as 64-bit hashes with a per-store random seed (16
// bytes a slot whatever the key's length, tables at most 3/4 full); two keys colliding would share a bucket, which can
// only admit less, never more, and with a secret seed cannot be provoked. A check hashes the key once, probes one table under one lock and allocates nothing
// once the key exists. Memory stays bounded: idle buckets are swept as shards grow, and
// MemoryConfig.MaxKeys caps the total. It is exact under concurrency within one process; use a
// shared store (ratelimit/redisstore) to limit across processes.
type MemoryStore struct {
	shards   []memShard
	mask     uint64
	seed     maphash.Seed
	clock    func() time.Time // nil: monotonic time since base
	base     time.Time
	baseNs   int64
	shardMax int
}

var _ Store = (*MemoryStore)(nil)

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
	n := 1 << bits.Len(uint(c.Shards-1))
	s := &MemoryStore{
		mask:     uint64(n - 1),
		seed:     maphash.MakeSeed(),
		clock:    c.Now,
		shardMax: max(1, c.MaxKeys/n),
	}
	s.base = time.Now()
	s.baseNs = s.base.UnixNano()
	s.shards = newMemShards(n, s.shardMax)
	return s, nil
}

// nowNanos reads the store's clock once.
func (s *MemoryStore) nowNanos() int64 {
	if s.clock == nil {
		return s.baseNs + int64(time.Since(s.base))
	}
	return s.clock().UnixNano()
}

// Take implements [Store]. ctx is not used: the store never blocks on I/O.
func (s *MemoryStore) Take(_ context.Context, reqs []Request, res []Result) (bool, error) {
	if err := ValidateRequests(reqs, res); err != nil {
		return false, err
	}
	return s.take(reqs, res), nil
}

// take is Take for requests already validated.
func (s *MemoryStore) take(reqs []Request, res []Result) bool {
	now := s.nowNanos()
	if len(reqs) == 1 {
		r := &reqs[0]
		h := slotKey(maphash.String(s.seed, r.Key))
		sh := &s.shards[h>>32&s.mask]
		sh.mu.Lock()
		i, ok := sh.find(h)
		tat := int64(0)
		if ok {
			tat = sh.t[i].tat
		}
		newTAT, out := GCRA(now, tat, r.Limit, r.Cost)
		if out.Allowed {
			if ok {
				sh.t[i].tat = newTAT
			} else {
				sh.insert(h, newTAT, now, s.shardMax)
			}
		}
		sh.mu.Unlock()
		res[0] = out
		return out.Allowed
	}
	return s.takeMany(now, reqs, res)
}

// takeMany locks every shard involved, in index order (no deadlock between concurrent Takes),
// evaluates all requests, and charges them only if all fit.
func (s *MemoryStore) takeMany(now int64, reqs []Request, res []Result) bool {
	var idx, order [MaxRequests]uint32
	var tats [MaxRequests]int64
	var hs [MaxRequests]uint64
	n := len(reqs)
	for i := range reqs {
		hs[i] = slotKey(maphash.String(s.seed, reqs[i].Key))
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
		tats[i], _ = s.shards[idx[i]].get(hs[i])
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
			sh.set(hs[i], tats[i], now, s.shardMax)
		case res[i].Allowed:
			tat, _ := sh.get(hs[i])
			res[i] = uncharged(now, tat, res[i])
		}
	}
	for i := 0; i < n; i++ {
		if i == 0 || order[i] != order[i-1] {
			s.shards[order[i]].mu.Unlock()
		}
	}
	return all
}

// Len returns the number of buckets held (including idle ones not swept yet).
func (s *MemoryStore) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += sh.n
		sh.mu.Unlock()
	}
	return n
}
