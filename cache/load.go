package cache

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Loader computes the value of a key on a miss. Return an error wrapping ErrNotFound to cache a
// negative entry.
type Loader[V any] func(ctx context.Context) (V, error)

// GetOrLoad returns the value under key, calling load on a miss and storing its result with
// opts' tags and TTL (nil = defaults).
//
// Concurrent misses on a key in this process share one load (singleflight), also when a
// caller's miss races the end of that load: it then gets the stored value. The load runs
// detached from the callers' contexts, bounded by Config.LoadTimeout: a caller whose ctx ends
// gets ctx.Err() and cancels nothing; the others get the load's own result or error.
//
// Tag versions are read before load runs, and the result is stored only if none of them changed
// meanwhile, so an invalidation during the load is never lost (the result is still returned).
//
// A fresh entry near its expiry may be refreshed early in the background (XFetch); an entry
// within its stale-while-revalidate window is served and refreshed in the background; within
// its stale-if-error window it is served when the load fails.
func (c *Cache[V]) GetOrLoad(ctx context.Context, key string, load Loader[V], opts *Options) (V, error) {
	var zero V
	k, err := c.keys.key(key)
	if err != nil {
		return zero, err
	}
	if load == nil {
		return zero, ErrNilLoader
	}
	if err := opts.validate(); err != nil {
		return zero, err
	}
	gen := c.fl.landed.Load() // before the read: see flights.do
	e, err := c.storeGet(ctx, k, key)
	if err != nil {
		return zero, err
	}
	var stale *Entry
	if e != nil {
		now := c.nowNano()
		switch {
		case now < e.FreshUntil:
			if c.earlyRecompute(e, now) {
				c.stats.add(cEarly, 1)
				c.fl.do(ctx, c, k, key, load, opts, noRecheck)
			}
			return c.hit(e)
		case now < e.StaleUntil:
			if v, ok := e.Value.(V); ok || e.Negative {
				c.stats.add(cStale, 1)
				c.fl.do(ctx, c, k, key, load, opts, noRecheck)
				if e.Negative {
					return zero, ErrNotFound
				}
				return v, nil
			}
		case now < e.ErrorUntil:
			stale = e
		}
	}
	c.stats.add(cMisses, 1)
	call := c.fl.do(ctx, c, k, key, load, opts, gen)
	select {
	case <-call.done:
	case <-ctx.Done():
		return zero, ctx.Err()
	}
	if call.err != nil && stale != nil && !errors.Is(call.err, ErrNotFound) {
		if v, ok := stale.Value.(V); ok && !stale.Negative {
			c.stats.add(cStale, 1)
			return v, nil
		}
	}
	return call.v, call.err
}

// earlyRecompute is XFetch: true when now - delta*beta*ln(rand) >= FreshUntil.
func (c *Cache[V]) earlyRecompute(e *Entry, now int64) bool {
	beta := c.cfg.EarlyRecomputeBeta
	if beta < 0 || e.Delta <= 0 {
		return false
	}
	gap := float64(e.FreshUntil - now)
	scale := float64(e.Delta) * beta
	if gap > scale*40 { // -ln(rand) > 40 has probability e^-40: skip the log
		return false
	}
	return gap <= -scale*math.Log(1-rand.Float64())
}

// flights is a per-Cache singleflight keyed by store key.
//
// A flight only dedups calls that overlap it: a caller whose store read missed just before a
// fill, and who reaches do just after that flight was removed, would start a second load for a
// value that is already stored. landed closes that gap: it counts removed flights, a caller
// reads it before its store read, and a flight started by a caller that saw it move reads the
// store again before calling the loader.
type flights[V any] struct {
	mu     sync.Mutex
	m      map[Key]*flight[V]
	landed atomic.Uint64 // flights removed (after their fill); written under mu
}

// noRecheck is the gen of a do call that must load whatever the store holds (a background
// refresh of an entry the caller already saw).
const noRecheck = math.MaxUint64

type flight[V any] struct {
	done  chan struct{}
	epoch uint64
	v     V
	err   error
}

func (f *flights[V]) init() { f.m = make(map[Key]*flight[V]) }

// do joins the load of k in flight, or starts one on its own goroutine. gen is f.landed as read
// before the caller's store read (noRecheck for a refresh): when a flight landed since, the new
// flight reads the store again first, since that flight may have filled k after the caller's
// read.
func (f *flights[V]) do(ctx context.Context, c *Cache[V], k Key, key string, load Loader[V], opts *Options, gen uint64) *flight[V] {
	epoch := c.epoch()
	f.mu.Lock()
	if fl, ok := f.m[k]; ok && fl.epoch == epoch {
		f.mu.Unlock()
		c.stats.add(cShared, 1)
		return fl
	}
	// A load that started before the last invalidation is not joined: start a new one.
	fl := &flight[V]{done: make(chan struct{}), epoch: epoch}
	f.m[k] = fl
	recheck := gen != noRecheck && f.landed.Load() != gen
	f.mu.Unlock()
	go func() {
		defer func() {
			f.mu.Lock()
			if f.m[k] == fl {
				delete(f.m, k)
			}
			f.landed.Add(1)
			f.mu.Unlock()
			close(fl.done)
		}()
		fl.v, fl.err = c.load(ctx, k, key, load, opts, epoch, recheck)
	}()
	return fl
}

// load runs one loader call and stores its result if the tag versions did not move.
//
// The loader's ctx keeps the values of the ctx of the caller that started the load (request ID,
// logger, a database router's read-your-writes session, trace) but not its cancellation or
// deadline: a caller that gives up cancels nothing, and LoadTimeout bounds the load instead.
func (c *Cache[V]) load(parent context.Context, k Key, key string, load Loader[V], opts *Options, epoch uint64, recheck bool) (v V, err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), c.cfg.LoadTimeout)
	defer cancel()
	if recheck {
		// A flight for k may have landed between the caller's miss and this flight: serve
		// its fill rather than load again. (A store error here just means we load.)
		if e, _ := c.storeGet(ctx, k, key); e != nil && c.nowNano() < e.FreshUntil {
			if e.Negative {
				c.stats.add(cShared, 1)
				return v, ErrNotFound
			}
			if sv, ok := e.Value.(V); ok {
				c.stats.add(cShared, 1)
				return sv, nil
			}
		}
	}
	var tags []string
	if opts != nil {
		tags = opts.Tags
	}
	var vers []uint64
	storable := c.brk.allow()
	if !storable {
		c.stats.add(cBreakerRejects, 1)
	}
	if storable && len(tags) > 0 {
		vers, err = c.store.TagVersions(ctx, tags)
		if err != nil {
			storable = false
			if ferr := c.failed(ctx, "tags", key, err); ferr != nil {
				return v, ferr
			}
		} else {
			c.brk.success()
		}
	}
	if !storable && c.cfg.FailClosed {
		return v, &OpError{Op: "get", Key: key, Err: ErrUnavailable}
	}
	if storable {
		if fl, ok := c.store.(FillLocker); ok {
			e, waited, release, lerr := fl.AwaitFill(ctx, k, c.codec)
			switch {
			case lerr != nil:
				if ferr := c.failed(ctx, "lock", key, lerr); ferr != nil {
					return v, ferr
				}
			case e != nil && waited:
				c.stats.add(cLockWaits, 1)
				if e.Negative {
					return v, ErrNotFound
				}
				if lv, ok := e.Value.(V); ok {
					return lv, nil
				}
			}
			if release != nil {
				defer release()
			}
		}
	}
	c.stats.add(cLoads, 1)
	start, startNano := time.Now(), c.nowNano()
	v, err = c.callLoader(ctx, load)
	delta := time.Since(start) // precise: XFetch needs sub-millisecond loads too
	if c.cfg.Now != nil {
		delta = time.Duration(c.nowNano() - startNano)
	}
	end := max(c.nowNano(), startNano)
	negative := false
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			c.stats.add(cLoadErrors, 1)
			return v, err
		}
		if c.cfg.NegativeTTL < 0 {
			return v, err
		}
		negative = true
	}
	if !storable || (len(tags) == 0 && c.epoch() != epoch) {
		// Untagged loads have no version guard: one that raced a Delete or an invalidation
		// in this process is returned but not stored.
		return v, err
	}
	e := c.entry(v, negative, opts, vers, delta, end)
	stored, ferr := c.store.Fill(ctx, k, e, c.codec)
	switch {
	case ferr != nil && errors.Is(ferr, ErrEncode):
		c.brk.abort()
		c.report(ctx, &OpError{Op: "fill", Key: key, Err: ferr})
	case ferr != nil:
		if rerr := c.failed(ctx, "fill", key, ferr); rerr != nil && err == nil {
			return v, rerr
		}
	default:
		c.brk.success()
		if !stored {
			c.stats.add(cRejected, 1)
		}
	}
	return v, err
}

// epoch is the store's Epoch, or 0 when it has none.
func (c *Cache[V]) epoch() uint64 {
	if ep, ok := c.store.(Epocher); ok {
		return ep.Epoch()
	}
	return 0
}

// callLoader runs load, turning a panic into an error so that no waiter hangs.
func (c *Cache[V]) callLoader(ctx context.Context, load Loader[V]) (v V, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cache: loader panicked: %v", r)
		}
	}()
	return load(ctx)
}
