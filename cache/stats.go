package cache

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// Stats is a snapshot of a Cache's counters since it was created.
type Stats struct {
	Hits            uint64 // fresh (or early-recomputing) entries returned
	NegativeHits    uint64 // negative entries returned as ErrNotFound (also counted in Hits)
	Misses          uint64 // no usable entry
	StaleServed     uint64 // stale entries served (stale-while-revalidate or stale-if-error)
	EarlyRecomputes uint64 // background refreshes started by probabilistic early expiry
	Loads           uint64 // loader calls (after singleflight)
	LoadErrors      uint64 // loader calls that failed (ErrNotFound excluded)
	SharedLoads     uint64 // callers that waited on another caller's load instead of loading
	LockWaits       uint64 // loads answered by another process's fill (distributed fill lock)
	FillsRejected   uint64 // loads not stored because a tag was invalidated meanwhile
	Invalidations   uint64 // tags invalidated
	BackendErrors   uint64 // store errors (each also sent to Config.OnError)
	BreakerOpens    uint64 // times the circuit breaker opened
	BreakerRejects  uint64 // store calls skipped because the breaker was open
}

type counter int

const (
	cHits counter = iota
	cNegativeHits
	cMisses
	cStale
	cEarly
	cLoads
	cLoadErrors
	cShared
	cRejected
	cLockWaits
	cInvalidations
	cBackendErrors
	cBreakerOpens
	cBreakerRejects
	numCounters
)

const stripes = 16

// stripedCounters spreads increments over cache lines so parallel hits do not contend on one.
// A goroutine picks its stripe through a sync.Pool token, which sticks to the running P, so
// each core mostly writes its own stripe.
type stripedCounters struct {
	s [stripes]struct {
		_ [64]byte
		v [numCounters]atomic.Uint64
		_ [128 - (numCounters*8)%64]byte
	}
	tokens sync.Pool
}

type stripeToken struct{ i uint32 }

func (c *stripedCounters) add(i counter, n uint64) {
	t, ok := c.tokens.Get().(*stripeToken)
	if !ok {
		t = &stripeToken{i: rand.Uint32() % stripes}
	}
	c.s[t.i].v[i].Add(n)
	c.tokens.Put(t)
}

func (c *stripedCounters) get(i counter) uint64 {
	var t uint64
	for j := range c.s {
		t += c.s[j].v[i].Load()
	}
	return t
}

func (c *stripedCounters) snapshot() Stats {
	return Stats{
		Hits: c.get(cHits), NegativeHits: c.get(cNegativeHits), Misses: c.get(cMisses),
		StaleServed: c.get(cStale), EarlyRecomputes: c.get(cEarly), Loads: c.get(cLoads),
		LoadErrors: c.get(cLoadErrors), SharedLoads: c.get(cShared), FillsRejected: c.get(cRejected), LockWaits: c.get(cLockWaits),
		Invalidations: c.get(cInvalidations), BackendErrors: c.get(cBackendErrors),
		BreakerOpens: c.get(cBreakerOpens), BreakerRejects: c.get(cBreakerRejects),
	}
}
