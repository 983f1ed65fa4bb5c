package rediscache

import (
	"sync"
	"sync/atomic"
	"time"
)

// recentWrites remembers the keys this process wrote during the last window. Redis pushes the
// client-side-cache invalidation of a key to this process slightly after the write's reply, so
// for a short while the local copy may still hold the old value: keys written recently are read
// from the server instead (own-write coherence).
type recentWrites struct {
	window time.Duration
	n      atomic.Int64 // len(m), so that the common case (no recent write) takes no lock
	latest atomic.Int64 // the latest deadline in m: past it, every entry has expired
	mu     sync.RWMutex
	m      map[string]int64 // key -> deadline (Unix ns)
}

func (r *recentWrites) mark(keys ...string) {
	if r.window <= 0 {
		return
	}
	now := time.Now().UnixNano()
	until := now + int64(r.window)
	r.mu.Lock()
	if r.m == nil {
		r.m = make(map[string]int64)
	}
	if len(r.m) >= 1024 {
		for k, d := range r.m {
			if d < now {
				delete(r.m, k)
			}
		}
	}
	for _, k := range keys {
		r.m[k] = until
	}
	r.latest.Store(until)
	r.n.Store(int64(len(r.m)))
	r.mu.Unlock()
}

// has reports whether key was written within the window.
func (r *recentWrites) has(key string) bool {
	if r.n.Load() == 0 {
		return false
	}
	now := time.Now().UnixNano()
	if now > r.latest.Load() {
		r.mu.Lock()
		if now > r.latest.Load() {
			clear(r.m)
			r.n.Store(0)
		}
		r.mu.Unlock()
		return false
	}
	r.mu.RLock()
	d, ok := r.m[key]
	r.mu.RUnlock()
	if !ok {
		return false
	}
	if now <= d {
		return true
	}
	r.mu.Lock()
	if d2, ok := r.m[key]; ok && d2 == d {
		delete(r.m, key)
		r.n.Store(int64(len(r.m)))
	}
	r.mu.Unlock()
	return false
}
