package ratelimit

import (
	"sync/atomic"
	"time"
)

// breaker is a consecutive-failure circuit breaker. Closed: every call goes to the store. After
// threshold consecutive failures it opens for cooldown: calls skip the store. Then one probe call
// is let through (half-open); its success closes the breaker, its failure reopens it.
type breaker struct {
	threshold int64
	cooldown  int64
	failures  atomic.Int64
	openUntil atomic.Int64 // unix nanos; 0 when closed
	probing   atomic.Bool
	trips     atomic.Uint64
}

// allow reports whether a call may go to the store now.
func (b *breaker) allow(now int64) bool {
	until := b.openUntil.Load()
	if until == 0 {
		return true
	}
	if now < until {
		return false
	}
	return b.probing.CompareAndSwap(false, true)
}

func (b *breaker) success() {
	// Load before storing: on the hot path nothing changes, and stores would bounce the cache
	// line between cores.
	if b.failures.Load() != 0 {
		b.failures.Store(0)
	}
	if b.openUntil.Load() != 0 {
		b.openUntil.Store(0)
	}
	if b.probing.Load() {
		b.probing.Store(false)
	}
}

func (b *breaker) failure(now int64) {
	n := b.failures.Add(1)
	probe := b.probing.Swap(false)
	if probe || n >= b.threshold {
		if old := b.openUntil.Swap(now + b.cooldown); old == 0 || probe {
			b.trips.Add(1)
		}
	}
}

// open reports whether the breaker currently skips the store.
func (b *breaker) open(now int64) bool {
	until := b.openUntil.Load()
	return until != 0 && now < until
}

// remaining is how long the breaker stays open.
func (b *breaker) remaining(now int64) time.Duration {
	until := b.openUntil.Load()
	if until == 0 || now >= until {
		return 0
	}
	return time.Duration(until - now)
}
