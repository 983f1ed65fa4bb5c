package ratelimit

import (
	"context"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a [Limiter]. A nil *Config means all defaults.
type Config struct {
	// FailClosed makes the limiter refuse requests when the store fails or the circuit breaker
	// is open. Default false: fail open (admit), since rate-limit state is a copy, not the truth.
	FailClosed bool
	// Timeout bounds each store call (on top of the caller's ctx). Default 250ms; negative means
	// no timeout of our own. Not applied to a *MemoryStore, which never blocks.
	Timeout time.Duration
	// BreakerThreshold is the number of consecutive store errors that opens the circuit breaker.
	// Default 5. Must be >= 0.
	BreakerThreshold int
	// BreakerCooldown is how long an open breaker skips the store before one probe call is let
	// through. Default 5s. Must be >= 0.
	BreakerCooldown time.Duration
	// LocalCacheSize bounds the local over-limit cache: a key the store rejected is answered
	// locally, without a store call, until its RetryAfter has passed (it could not be admitted
	// before then anyway; counted from when the answer arrived, so the local answer may outlast
	// the true wait by one store round trip, never fall short of it). Not used with a
	// *MemoryStore. Default 65536 keys; negative disables it.
	LocalCacheSize int
	// Shadow evaluates limits and counts and reports rejections (Stats, OnReject) but admits
	// every request: for trying out a policy in production.
	Shadow bool
	// OnReject, if set, is called for every rejected Take (also in shadow mode, with
	// Rejection.Shadow set). It runs on the request path: keep it fast.
	OnReject func(ctx context.Context, rej Rejection)
	// OnError, if set, is called with every store error (wrapping ErrStoreUnavailable).
	OnError func(ctx context.Context, err error)
	// Now is the clock for the breaker and the local cache. Default time.Now.
	Now func() time.Time
}

// Rejection describes a rejected Take for [Config.OnReject]. Its slices alias the caller's and
// are valid only during the call.
type Rejection struct {
	Requests []Request
	Results  []Result
	// Shadow is set when the request was let through because the limiter is in shadow mode.
	Shadow bool
	// Local is set when the local over-limit cache answered, without a store call.
	Local bool
}

// Decision is what a [Limiter] decided for one Take.
type Decision struct {
	// Allowed reports whether the caller should serve the request.
	Allowed bool
	// Limited reports that a limit said no (Allowed is still true in shadow mode).
	Limited bool
	// Local reports that the local over-limit cache answered without a store call.
	Local bool
	// StoreErr is the store failure (wrapping ErrStoreUnavailable) when the store failed or the
	// breaker was open; Allowed then follows Config.FailClosed.
	StoreErr error
	// RetryAfter is the longest wait among the rejecting results, or the breaker's remaining
	// cooldown when failing closed.
	RetryAfter time.Duration
}

// Stats is a snapshot of a Limiter's counters since it was created.
type Stats struct {
	Checks        uint64 // Takes evaluated
	Allowed       uint64 // Takes admitted (including shadow and fail-open admissions)
	Limited       uint64 // Takes a limit said no to (including those admitted in shadow mode)
	ShadowAllowed uint64 // Limited Takes admitted because of shadow mode
	LocalRejects  uint64 // Limited Takes answered by the local over-limit cache
	StoreErrors   uint64 // store calls that failed
	FailOpen      uint64 // Takes admitted because the store failed or the breaker was open
	FailClosed    uint64 // Takes refused because the store failed or the breaker was open
	BreakerTrips  uint64 // times the circuit breaker opened
	BreakerOpen   bool   // whether the breaker is open now
}

// Limiter applies limits through a [Store] and adds what a production limiter needs around it:
// a timeout, a circuit breaker with fail-open or fail-closed, a local over-limit cache, shadow
// mode, counters and hooks. It is safe for concurrent use. [Limiter.Middleware] makes HTTP
// middleware from it; [Limiter.Allow] suits other callers such as job workers.
type Limiter struct {
	store    Store
	cfg      Config
	memory   *MemoryStore // the store, when it is a *MemoryStore (never fails: no breaker, no timeout)
	brk      breaker
	local    *localCache
	checks   atomic.Uint64
	allowed  atomic.Uint64
	limited  atomic.Uint64
	shadowed atomic.Uint64
	localHit atomic.Uint64
	storeErr atomic.Uint64
	failOpen atomic.Uint64
	failShut atomic.Uint64
	bufs     sync.Pool // *takeBuf: Store is an interface, so stack arrays would escape
}

// takeBuf holds one Take's requests and results, recycled to keep checks allocation-free.
type takeBuf struct {
	reqs  [MaxRequests]Request
	res   [MaxRequests]Result
	names [MaxRequests]string
}

func (l *Limiter) getBuf() *takeBuf {
	if b, ok := l.bufs.Get().(*takeBuf); ok {
		return b
	}
	return new(takeBuf)
}

func (l *Limiter) putBuf(b *takeBuf) {
	clear(b.reqs[:]) // drop key strings so the pool pins nothing
	clear(b.names[:])
	l.bufs.Put(b)
}

// New returns a Limiter over store configured by cfg (nil: defaults).
func New(store Store, cfg *Config) (*Limiter, error) {
	if store == nil {
		return nil, fmt.Errorf("%w: store is nil", ErrInvalidConfig)
	}
	var c Config
	if cfg != nil {
		c = *cfg
	}
	switch {
	case c.BreakerThreshold < 0:
		return nil, fmt.Errorf("%w: Config.BreakerThreshold must be >= 0 (got %d)", ErrInvalidConfig, c.BreakerThreshold)
	case c.BreakerCooldown < 0:
		return nil, fmt.Errorf("%w: Config.BreakerCooldown must be >= 0 (got %s)", ErrInvalidConfig, c.BreakerCooldown)
	}
	if c.Timeout == 0 {
		c.Timeout = 250 * time.Millisecond
	}
	if c.BreakerThreshold == 0 {
		c.BreakerThreshold = 5
	}
	if c.BreakerCooldown == 0 {
		c.BreakerCooldown = 5 * time.Second
	}
	if c.LocalCacheSize == 0 {
		c.LocalCacheSize = 1 << 16
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	l := &Limiter{store: store, cfg: c}
	l.memory, _ = store.(*MemoryStore)
	l.brk.threshold = int64(c.BreakerThreshold)
	l.brk.cooldown = int64(c.BreakerCooldown)
	if c.LocalCacheSize > 0 && l.memory == nil {
		l.local = newLocalCache(c.LocalCacheSize)
	}
	return l, nil
}

// Store returns the limiter's store.
func (l *Limiter) Store() Store { return l.store }

// Take checks reqs (one per policy) and writes one Result per request into res. The error is
// non-nil only for invalid requests (ErrInvalidRequest, ErrInvalidLimit): store failures are
// reported in Decision.StoreErr and decided by Config.FailClosed. A Result whose Remaining is -1
// is unknown (the local cache or a store failure answered).
func (l *Limiter) Take(ctx context.Context, reqs []Request, res []Result) (Decision, error) {
	if err := ValidateRequests(reqs, res); err != nil {
		return Decision{}, err
	}
	l.checks.Add(1)
	if l.memory != nil {
		// A MemoryStore cannot fail once the requests are valid: no clock read of our own, no
		// breaker, no local cache (it has none).
		if l.memory.take(reqs, res) {
			l.allowed.Add(1)
			return Decision{Allowed: true}, nil
		}
		return l.limitedDecision(ctx, Decision{}, reqs, res), nil
	}
	now := l.cfg.Now().UnixNano()
	var d Decision
	// Local over-limit cache: a key rejected until T cannot be admitted before T.
	if l.local != nil {
		hit := false
		for i := range reqs {
			if until, reset, ok := l.local.get(reqs[i].Key, now); ok {
				hit = true
				res[i] = Result{RetryAfter: time.Duration(until - now), ResetAfter: time.Duration(reset - now), Limit: reqs[i].Limit}
			} else {
				res[i] = Result{Allowed: true, Remaining: -1, Limit: reqs[i].Limit}
			}
		}
		if hit {
			l.localHit.Add(1)
			d.Local = true
			return l.limitedDecision(ctx, d, reqs, res), nil
		}
	}
	if !l.brk.allow(now) {
		return l.storeFailed(ctx, fmt.Errorf("%w: circuit breaker open", ErrStoreUnavailable), now, reqs, res), nil
	}
	sctx := ctx
	if l.cfg.Timeout > 0 && l.memory == nil {
		var cancel context.CancelFunc
		sctx, cancel = context.WithTimeout(ctx, l.cfg.Timeout)
		defer cancel()
	}
	ok, err := l.store.Take(sctx, reqs, res)
	if err != nil {
		l.storeErr.Add(1)
		l.brk.failure(l.cfg.Now().UnixNano())
		err = fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
		if l.cfg.OnError != nil {
			l.cfg.OnError(ctx, err)
		}
		return l.storeFailed(ctx, err, now, reqs, res), nil
	}
	l.brk.success()
	if ok {
		l.allowed.Add(1)
		d.Allowed = true
		return d, nil
	}
	if l.local != nil {
		// RetryAfter was measured on the store's clock some time before the answer arrived, so
		// counting it from now (after the answer) is late by at most one round trip: local
		// answers and their Retry-After are never earlier than the true wait.
		after := l.cfg.Now().UnixNano()
		for i := range reqs {
			// Only unit-cost rejections are cached: if one unit does not fit before T, nothing does.
			if !res[i].Allowed && reqs[i].Cost <= 1 {
				l.local.put(reqs[i].Key, after+int64(res[i].RetryAfter), after+int64(res[i].ResetAfter), after)
			}
		}
	}
	return l.limitedDecision(ctx, d, reqs, res), nil
}

func (l *Limiter) limitedDecision(ctx context.Context, d Decision, reqs []Request, res []Result) Decision {
	l.limited.Add(1)
	d.Limited = true
	for i := range reqs {
		if !res[i].Allowed && res[i].RetryAfter > d.RetryAfter {
			d.RetryAfter = res[i].RetryAfter
		}
	}
	if l.cfg.Shadow {
		l.shadowed.Add(1)
		l.allowed.Add(1)
		d.Allowed = true
	}
	if l.cfg.OnReject != nil {
		l.cfg.OnReject(ctx, Rejection{Requests: reqs, Results: res[:len(reqs)], Shadow: l.cfg.Shadow, Local: d.Local})
	}
	return d
}

func (l *Limiter) storeFailed(_ context.Context, err error, now int64, reqs []Request, res []Result) Decision {
	d := Decision{StoreErr: err}
	for i := range reqs {
		res[i] = Result{Allowed: !l.cfg.FailClosed, Remaining: -1, Limit: reqs[i].Limit}
	}
	if l.cfg.FailClosed {
		l.failShut.Add(1)
		d.RetryAfter = max(l.brk.remaining(now), time.Second)
		return d
	}
	l.failOpen.Add(1)
	l.allowed.Add(1)
	d.Allowed = true
	return d
}

// Allow is Take for a single key: it checks one unit against limit.
func (l *Limiter) Allow(ctx context.Context, key string, limit Limit) (Decision, Result, error) {
	b := l.getBuf()
	b.reqs[0] = Request{Key: key, Limit: limit}
	d, err := l.Take(ctx, b.reqs[:1], b.res[:1])
	r := b.res[0]
	l.putBuf(b)
	return d, r, err
}

// Stats returns a snapshot of the limiter's counters.
func (l *Limiter) Stats() Stats {
	return Stats{
		Checks:        l.checks.Load(),
		Allowed:       l.allowed.Load(),
		Limited:       l.limited.Load(),
		ShadowAllowed: l.shadowed.Load(),
		LocalRejects:  l.localHit.Load(),
		StoreErrors:   l.storeErr.Load(),
		FailOpen:      l.failOpen.Load(),
		FailClosed:    l.failShut.Load(),
		BreakerTrips:  l.brk.trips.Load(),
		BreakerOpen:   l.brk.open(l.cfg.Now().UnixNano()),
	}
}

// localCache remembers, per key, until when the store will reject it and when the key's bucket
// is full again (a rejection changes neither), each as a slot of the same shard: the reset time
// under a second hash derived from the key's.
type localCache struct {
	shards   []memShard
	mask     uint64
	seed     maphash.Seed
	shardMax int
}

func newLocalCache(size int) *localCache {
	const n = 16
	c := &localCache{mask: n - 1, seed: maphash.MakeSeed(), shardMax: max(1, size/n)}
	c.shards = newMemShards(n, c.shardMax)
	return c
}

// get returns until when key is rejected and when its bucket is full again; ok is false when
// the key is not known to be rejected now (or half of its record was evicted).
func (c *localCache) get(key string, now int64) (until, reset int64, ok bool) {
	h := slotKey(maphash.String(c.seed, key))
	sh := &c.shards[h>>32&c.mask]
	sh.mu.Lock()
	until, ok = sh.get(h)
	if ok && until > now {
		reset, ok = sh.get(resetSlot(h))
	}
	sh.mu.Unlock()
	return until, reset, ok && until > now && reset >= until
}

func (c *localCache) put(key string, until, reset, now int64) {
	if until <= now {
		return
	}
	h := slotKey(maphash.String(c.seed, key))
	sh := &c.shards[h>>32&c.mask]
	sh.mu.Lock()
	sh.set(h, until, now, c.shardMax)
	sh.set(resetSlot(h), max(reset, until), now, c.shardMax)
	sh.mu.Unlock()
}

// resetSlot is the slot key of h's reset time.
func resetSlot(h uint64) uint64 { return slotKey(h ^ 0x9e3779b97f4a7c15) }
