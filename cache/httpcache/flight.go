package httpcache

import "sync"

// flights coalesces concurrent misses for one page in this process: the first request runs the
// handler (on its own goroutine, with its own ctx, so a streaming handler still streams) and
// the others wait for its result.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

// flight is one handler run that others may wait on. entry and err are set before done closes.
type flight struct {
	done chan struct{}
	// entry is the stored entry (nil when the response was not stored; then each waiter runs
	// the handler itself, since the response may be personal).
	entry []byte
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
