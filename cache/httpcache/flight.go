package httpcache

import "sync"

// flights coalesces concurrent misses for one page in this process: the first request runs the
// handler (on its own goroutine, with its own ctx, so a streaming handler still streams) and
// the others wait for its result.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

// flight is one handler run that others may wait on. Its fields are set before done closes.
type flight struct {
	done chan struct{}
	// stored: the response was stored (waiters read it back). When it was not, each waiter
	// runs the handler itself, since the response may be personal.
	stored bool
	// reason is why the response was not stored.
	reason string
}

// join returns the flight for key and whether the caller leads it (and must call finish).
func (f *flights) join(key string) (*flight, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl, ok := f.m[key]; ok {
		return fl, false
	}
	if f.m == nil {
		f.m = make(map[string]*flight)
	}
	fl := &flight{done: make(chan struct{})}
	f.m[key] = fl
	return fl, true
}

func (f *flights) finish(key string, fl *flight) {
	f.mu.Lock()
	delete(f.m, key)
	f.mu.Unlock()
	close(fl.done)
}

// passMemo remembers, for a short while, the pages whose last response could not be stored
// (Set-Cookie, private, streamed...), so that concurrent requests for them are not queued
// behind one another only to run the handler anyway ("hit-for-pass", as Varnish calls it).
// The next response that can be stored clears the mark.
type passMemo struct {
	mu sync.Mutex
	m  map[string]int64 // key -> until (Unix nanoseconds)
}

const (
	passMemoTTL  = 10 * 1e9 // nanoseconds
	passMemoSize = 4096
)

func (pm *passMemo) marked(key string, now int64) bool {
	pm.mu.Lock()
	defer pm.mu.Unlock()
	until, ok := pm.m[key]
	if ok && until <= now {
		delete(pm.m, key)
		return false
	}
	return ok
}

func (pm *passMemo) set(key string, now int64, uncacheable bool) {
	pm.mu.Lock()
	defer pm.mu.Unlock()
	if !uncacheable {
		delete(pm.m, key)
		return
	}
	if pm.m == nil || len(pm.m) >= passMemoSize {
		pm.m = make(map[string]int64)
	}
	pm.m[key] = now + passMemoTTL
}
