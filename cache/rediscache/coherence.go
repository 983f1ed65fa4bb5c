package rediscache

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// Own-write coherence.
//
// Redis pushes the client-side-cache invalidation of a key this process wrote after the write's
// reply, and rueidis handles it asynchronously: right after its own write, the process's local
// copy of the key (in rueidis's cache, or a tag version in the tag layer) may still be the old
// one, for as long as the push takes to be handled — unbounded under load. No time window is
// safe, so the store remembers what it wrote instead.
//
// Every own write records, per Redis key, a token identifying what the process wrote: an
// entry's nonce (unique per write), a tag's version (random), or tokAbsent for a delete. A read
// through the local cache compares the token of what it got with the record:
//
//   - equal: the local copy holds this process's write (or a later value whose token was
//     confirmed from the server), and a local copy never goes back to an older value once the
//     server has a newer one. The record is settled and dropped;
//   - different: the local copy may predate the write, so the key is read from the server,
//     whose value is at least as new as the write, and the record takes that value's token.
//
// A record lasts at most LocalTTL (plus a margin): by then every local copy fetched before the
// write has expired anyway. Two writes of one key by this process whose records may be marked
// out of order make the record dirty: it is then settled only by a server read. The records are
// bounded; records dropped at the bound leave their deadline in a small hash-bucketed array,
// and keys of a bucket whose deadline has not passed are always checked against the server:
// coarser, never stale.
//
// Reads far outnumber writes, and most reads are of keys with no record while some other key
// has one. A per-bucket count of records (the same buckets as the overflow array) answers those
// reads with one atomic load: no lock, no clock read.

const (
	tokAbsent  uint64 = 0          // the key does not exist (or holds a malformed tag version)
	tokUnknown uint64 = ^uint64(0) // the key holds something we cannot identify: never trusted
	spillSize         = 4096       // buckets of the overflow array
)

type ownWrite struct {
	token uint64
	gen   uint64 // changes on every mark: a server read confirms only the record it started with
	until int64  // Unix ns
	dirty bool
}

type ownWrites struct {
	ttl   time.Duration
	max   int
	seed  maphash.Seed
	n     atomic.Int64 // len(m), so that the common case (no pending own write) takes no lock
	mu    sync.RWMutex
	m     map[string]ownWrite
	gen   uint64
	spill atomic.Pointer[[spillSize]atomic.Int64] // deadlines of records dropped at max
	// held counts the records of m per bucket; changed under mu, read without it.
	held [spillSize]atomic.Int32
}

func newOwnWrites(ttl time.Duration, max int) *ownWrites {
	return &ownWrites{ttl: ttl, max: max, seed: maphash.MakeSeed(), m: make(map[string]ownWrite)}
}

// mark records that this process wrote tok under key (after the write's reply).
func (o *ownWrites) mark(key string, tok uint64) {
	now := time.Now().UnixNano()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.gen++
	rec, ok := o.m[key]
	if ok && rec.until >= now {
		rec.dirty = rec.dirty || rec.token != tok
	} else {
		if len(o.m) >= o.max {
			o.shrink(now)
		}
		if _, kept := o.m[key]; !kept { // new, or dropped by shrink as expired
			o.held[o.bucket(key)].Add(1)
		}
		rec.dirty = false
	}
	rec.token, rec.gen, rec.until = tok, o.gen, now+int64(o.ttl)
	o.m[key] = rec
	o.n.Store(int64(len(o.m)))
}

// shrink drops expired records, then, if still full, spills half of the others into the
// bucket array. Called with mu held.
func (o *ownWrites) shrink(now int64) {
	for k, r := range o.m {
		if r.until < now {
			o.remove(k)
		}
	}
	if len(o.m) < o.max {
		return
	}
	sp := o.spill.Load()
	if sp == nil {
		sp = new([spillSize]atomic.Int64)
		o.spill.Store(sp)
	}
	drop := len(o.m) / 2
	for k, r := range o.m {
		if drop == 0 {
			break
		}
		b := &sp[o.bucket(k)]
		if b.Load() < r.until {
			b.Store(r.until)
		}
		o.remove(k)
		drop--
	}
}

// bucket is key's index in held and in the overflow array.
func (o *ownWrites) bucket(key string) uint64 { return maphash.String(o.seed, key) % spillSize }

// remove deletes key's record. Called with mu held.
func (o *ownWrites) remove(key string) {
	delete(o.m, key)
	o.held[o.bucket(key)].Add(-1)
}

// pending reports whether key may have an own write the local cache has not caught up with.
func (o *ownWrites) pending(key string) bool {
	if o.n.Load() == 0 && o.spill.Load() == nil {
		return false
	}
	b := o.bucket(key)
	if o.held[b].Load() == 0 {
		return o.spilled(b) // no record in key's bucket: key has none
	}
	o.mu.RLock()
	_, ok := o.m[key]
	o.mu.RUnlock()
	return ok || o.spilled(b)
}

// spilled reports whether bucket b of the overflow array holds a deadline not yet passed.
func (o *ownWrites) spilled(b uint64) bool {
	sp := o.spill.Load()
	return sp != nil && sp[b].Load() >= time.Now().UnixNano()
}

// check is called with the token of what a read through the local cache returned for key. It
// reports whether that may be older than this process's own write, in which case the caller
// reads key from the server and passes gen to confirm.
func (o *ownWrites) check(key string, tok uint64) (gen uint64, verify bool) {
	if o.n.Load() == 0 && o.spill.Load() == nil {
		return 0, false
	}
	b := o.bucket(key)
	if o.held[b].Load() == 0 {
		return 0, o.spilled(b)
	}
	o.mu.RLock()
	rec, ok := o.m[key]
	o.mu.RUnlock()
	if !ok {
		return 0, o.spilled(b)
	}
	if rec.until >= time.Now().UnixNano() && (rec.dirty || rec.token != tok || tok == tokUnknown) {
		return rec.gen, true
	}
	// Settled (the local copy caught up) or expired: drop the record unless it changed.
	o.mu.Lock()
	if cur, ok := o.m[key]; ok && cur.gen == rec.gen {
		o.remove(key)
		o.n.Store(int64(len(o.m)))
	}
	o.mu.Unlock()
	return 0, o.spilled(b)
}

// confirm records tok, read from the server after check returned gen, as the newest value of
// key known to this process, unless key was written again meanwhile.
func (o *ownWrites) confirm(key string, gen uint64, tok uint64) {
	if gen == 0 {
		return
	}
	o.mu.Lock()
	if rec, ok := o.m[key]; ok && rec.gen == gen {
		rec.token, rec.dirty = tok, false
		o.m[key] = rec
	}
	o.mu.Unlock()
}
