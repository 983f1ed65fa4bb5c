package cache

import (
	"sync/atomic"
	"time"
)

// clock returns Unix nanoseconds from the monotonic clock, re-anchored on the wall clock every
// second: reading only the monotonic clock halves the cost of time.Now on a cache hit.
type clock struct {
	anchor atomic.Pointer[time.Time]
}

func (c *clock) nowNano() int64 {
	a := c.anchor.Load()
	if a != nil {
		if d := time.Since(*a); d >= 0 && d < time.Second {
			return a.UnixNano() + int64(d)
		}
	}
	now := time.Now()
	c.anchor.Store(&now)
	return now.UnixNano()
}
