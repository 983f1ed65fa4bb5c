package ratelimit

import "sync"

// memSlot is one bucket of a memShard's table: a 64-bit seeded key hash (0: empty slot) and its
// TAT (or, in the local cache, expiry).
type memSlot struct {
	key uint64
	tat int64
}

// memShard is a mutex and an open-addressing hash table (linear probing, backward-shift
// deletion, no tombstones) keyed by the already computed 64-bit key hash: no second hash, one
// probe sequence for a check and its charge, nothing allocated once the table has grown.
type memShard struct {
	mu      sync.Mutex
	t       []memSlot // power-of-two length, at most 3/4 full, so always one empty slot
	n       int       // occupied slots
	sweepAt int
	peak    int
	evicted int      // evictions since the last sweep
	_       [16]byte // keep neighbouring shards' locks off one cache line
}

const minSweep = 256

// minTable is the smallest table length.
const minTable = 16

func newMemShards(n, shardMax int) []memShard {
	shards := make([]memShard, n)
	for i := range shards {
		shards[i].t = make([]memSlot, minTable)
		shards[i].sweepAt = min(minSweep, shardMax)
	}
	return shards
}

// slotKey maps the hash 0 (the empty marker) to 1; the two keys then share a bucket, which can
// only admit less.
func slotKey(h uint64) uint64 {
	if h == 0 {
		return 1
	}
	return h
}

// find returns the index of key's slot and true, or the empty slot where it would go and false.
func (sh *memShard) find(key uint64) (int, bool) {
	mask := uint64(len(sh.t) - 1)
	for i := key & mask; ; i = (i + 1) & mask {
		k := sh.t[i].key
		if k == key {
			return int(i), true
		}
		if k == 0 {
			return int(i), false
		}
	}
}

// get returns key's value.
func (sh *memShard) get(key uint64) (int64, bool) {
	i, ok := sh.find(key)
	if !ok {
		return 0, false
	}
	return sh.t[i].tat, true
}

// set stores key's value, inserting it if needed.
func (sh *memShard) set(key uint64, tat, now int64, shardMax int) {
	if i, ok := sh.find(key); ok {
		sh.t[i].tat = tat
		return
	}
	sh.insert(key, tat, now, shardMax)
}

// deleteAt empties slot i and shifts the rest of its cluster back so that every key stays
// reachable from its home slot.
func (sh *memShard) deleteAt(i uint64) {
	mask := uint64(len(sh.t) - 1)
	j := i
	for {
		j = (j + 1) & mask
		k := sh.t[j].key
		if k == 0 {
			break
		}
		home := k & mask
		// Move slot j into the hole at i unless its home lies cyclically in (i, j].
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			sh.t[i] = sh.t[j]
			i = j
		}
	}
	sh.t[i] = memSlot{}
	sh.n--
}

// resize rehashes the table into one of length size (a power of two larger than 4/3 n).
func (sh *memShard) resize(size int) {
	old := sh.t
	sh.t = make([]memSlot, size)
	mask := uint64(size - 1)
	for _, s := range old {
		if s.key == 0 {
			continue
		}
		i := s.key & mask
		for sh.t[i].key != 0 {
			i = (i + 1) & mask
		}
		sh.t[i] = s
	}
}

// sweep drops every bucket whose value is <= now (idle), in place.
func (sh *memShard) sweep(now int64) {
	mask := uint64(len(sh.t) - 1)
	// Start just after an empty slot, so no cluster wraps past the end of the walk and every key a
	// deletion shifts back is still ahead of (or at) the walk.
	start := uint64(0)
	for sh.t[start].key != 0 {
		start++
	}
	for step := uint64(1); step <= mask+1; {
		i := (start + step) & mask
		if s := sh.t[i]; s.key != 0 && s.tat <= now {
			sh.deleteAt(i) // slot i may now hold a later key: look at it again
			continue
		}
		step++
	}
}

// insert adds a key not present, sweeping idle buckets first when the shard has grown past its
// sweep mark and evicting a sampled bucket when the shard is at its bound. Called with sh.mu held.
func (sh *memShard) insert(key uint64, tat, now int64, shardMax int) {
	// Sweep when the shard has doubled since the last sweep; at the MaxKeys bound, only once
	// every shardMax/4 evictions, so a shard full of live buckets costs O(1) amortised too.
	if sh.n >= sh.sweepAt && (sh.n < shardMax || sh.evicted >= shardMax/4) {
		sh.evicted = 0
		sh.sweep(now)
		if sh.peak > 4*minSweep && sh.n < sh.peak/4 {
			// Shrink once most of the peak is gone.
			sh.resize(max(minTable, tableLen(2*sh.n)))
			sh.peak = sh.n
		}
		sh.sweepAt = min(max(2*sh.n, minSweep), shardMax)
	}
	if sh.n >= shardMax {
		// Drop the fullest (smallest TAT) of 8 buckets found from a pseudo-random slot (the new
		// key's seeded hash): it has the least to forget.
		mask := uint64(len(sh.t) - 1)
		victim, best, seen, want := uint64(0), int64(0), 0, min(8, sh.n)
		for i := key & mask; seen < want; i = (i + 1) & mask {
			if s := sh.t[i]; s.key != 0 {
				if seen == 0 || s.tat < best {
					victim, best = i, s.tat
				}
				seen++
			}
		}
		sh.deleteAt(victim)
		sh.evicted++
	}
	if 4*(sh.n+1) > 3*len(sh.t) {
		sh.resize(2 * len(sh.t))
	}
	i, _ := sh.find(key)
	sh.t[i] = memSlot{key: key, tat: tat}
	sh.n++
	sh.peak = max(sh.peak, sh.n)
}

// tableLen is the power-of-two table length that holds n keys at most 3/4 full.
func tableLen(n int) int {
	size := minTable
	for 3*size < 4*(n+1) {
		size *= 2
	}
	return size
}
