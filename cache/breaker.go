package cache

import (
	"sync"
	"sync/atomic"
	"time"
)

// breaker is a consecutive-failure circuit breaker: after threshold failures in a row it opens
// for cooldown, then lets one probe through (half-open); a success closes it.
type breaker struct {
	threshold int64
	cooldown  time.Duration
	now       func() time.Time

	failures atomic.Int64
	openTill atomic.Int64 // unix nanos; 0 = closed
	mu       sync.Mutex
	probing  bool
}

// allow reports whether a store call may go ahead.
func (b *breaker) allow() bool {
	if b.threshold <= 0 {
		return true
	}
	till := b.openTill.Load()
	if till == 0 {
		return true
	}
	if b.now().UnixNano() < till {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.probing {
		return false
	}
	b.probing = true
	return true
}

// success records a successful store call.
func (b *breaker) success() {
	if b.threshold <= 0 {
		return
	}
	if b.failures.Load() != 0 {
		b.failures.Store(0)
	}
	if b.openTill.Load() != 0 {
		b.mu.Lock()
		b.openTill.Store(0)
		b.probing = false
		b.mu.Unlock()
	}
}

// failure records a failed store call and reports whether it opened the breaker.
func (b *breaker) failure() (opened bool) {
	if b.threshold <= 0 {
		return false
	}
	n := b.failures.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	wasProbe := b.probing
	b.probing = false
	if n >= b.threshold || wasProbe {
		opened = b.openTill.Load() == 0 || wasProbe
		b.openTill.Store(b.now().Add(b.cooldown).UnixNano())
	}
	return opened
}

// open reports whether the breaker is currently open.
func (b *breaker) open() bool {
	till := b.openTill.Load()
	return till != 0 && b.now().UnixNano() < till
}

// abort gives back a probe that ended without telling whether the store works.
func (b *breaker) abort() {
	if b.threshold <= 0 {
		return
	}
	b.mu.Lock()
	b.probing = false
	b.mu.Unlock()
}
