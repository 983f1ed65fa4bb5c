package rediscache

import (
	"sync"
	"sync/atomic"

	"github.com/redis/rueidis"
)

// tagLayer keeps this process's copy of tag versions, kept coherent by the same
// client-side-caching invalidation pushes that rueidis uses (a store made by Open installs the
// hook). A warm tag check is then a map lookup instead of a DoCache call.
//
// A version read from Redis is stored only if no invalidation was handled since before the read
// (seq unchanged), checked and stored under mu, which the push handler also takes: a push that
// races the read can never be overwritten by the value it invalidated. rueidis drops its own
// cached copy before calling the hook, so a read that starts after seq moved sees the new value.
type tagLayer struct {
	mu  sync.Mutex
	seq atomic.Uint64
	m   sync.Map // Redis tag key -> uint64 version
	n   atomic.Int64
	max int64
}

func newTagLayer(max int) *tagLayer { return &tagLayer{max: int64(max)} }

func (l *tagLayer) get(key string) (uint64, bool) {
	v, ok := l.m.Load(key)
	if !ok {
		return 0, false
	}
	return v.(uint64), true
}

// store records v for key if nothing was invalidated since seq0 was read.
func (l *tagLayer) store(key string, v uint64, seq0 uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seq.Load() != seq0 {
		return
	}
	if _, loaded := l.m.Swap(key, v); !loaded {
		if l.n.Add(1) > l.max { // bounded: start over rather than track recency
			l.m.Clear()
			l.n.Store(0)
		}
	}
}

// forget drops keys after this process wrote them, and refuses every store of a read that
// started before (its value may predate the write). It is called after the write's reply and
// after ownWrites.mark, so a read that starts later has its result checked against the record.
func (l *tagLayer) forget(keys []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq.Add(1)
	for _, k := range keys {
		if _, loaded := l.m.LoadAndDelete(k); loaded {
			l.n.Add(-1)
		}
	}
}

// invalidated is called with the keys of a push, or nil when everything must go (reconnect).
func (l *tagLayer) invalidated(msgs []rueidis.RedisMessage) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq.Add(1)
	if msgs == nil {
		l.m.Clear()
		l.n.Store(0)
		return
	}
	for _, m := range msgs {
		if k, err := m.ToString(); err == nil {
			if _, loaded := l.m.LoadAndDelete(k); loaded {
				l.n.Add(-1)
			}
		}
	}
}
