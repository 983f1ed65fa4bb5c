package cache

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/maypok86/otter/v2"
)

// Cache is a typed cache over a [Store]. It is safe for concurrent use. Create it with [New].
type Cache[V any] struct {
	store Store
	mem   *MemoryStore // store, when it is the memory store: Get's hit path reads it directly
	cfg   Config
	keys  keyer
	codec ValueCodec // typedCodec[V], boxed once so calls do not allocate
	brk   breaker
	stats stripedCounters
	fl    flights[V]
	clk   *otter.CoarseClock // nil when Config.Now is set
}

// nowNano is the current time in Unix nanoseconds.
func (c *Cache[V]) nowNano() int64 {
	if c.cfg.Now != nil {
		return c.cfg.Now().UnixNano()
	}
	return c.clk.NowNano()
}

// New returns a Cache of V values stored in store, with cfg's settings (nil = defaults). It
// returns an error naming the field when cfg is invalid.
func New[V any](store Store, cfg *Config) (*Cache[V], error) {
	if store == nil {
		return nil, errors.New("cache: store must not be nil")
	}
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	cc := &Cache[V]{
		store: store,
		cfg:   c,
		keys:  newKeyer(c.Prefix, c.Version, c.MaxKeyLength),
		codec: typedCodec[V]{c: c.Codec},
		brk:   breaker{threshold: int64(c.BreakerThreshold), cooldown: c.BreakerCooldown, now: c.Now},
	}
	if c.Now == nil {
		// Reading the precise time is a large part of a hit (and slow on some VMs); a coarse
		// clock (1 ms) costs a variable read. Its goroutine stops once the Cache is collected.
		cc.clk = otter.NewCoarseClock(time.Millisecond)
	}
	if cc.brk.now == nil {
		cc.brk.now = time.Now
	}
	cc.mem, _ = store.(*MemoryStore)
	cc.fl.init()
	return cc, nil
}

// Stats returns a snapshot of the counters.
func (c *Cache[V]) Stats() Stats { return c.stats.snapshot() }

// Store returns the store the Cache was created with.
func (c *Cache[V]) Store() Store { return c.store }

// Get returns the fresh value under key. A miss (absent, expired, invalidated, of another type,
// corrupt) returns ErrNotFound, as does a cached negative entry. Store failures are misses
// (fail-open) or *OpError (fail-closed).
func (c *Cache[V]) Get(ctx context.Context, key string) (V, error) {
	var zero V
	k, err := c.keys.key(key)
	if err != nil {
		return zero, err
	}
	if c.mem != nil { // never fails: no breaker, and only the fields a hit reads
		value, fresh, negative, ok := c.mem.peek(k)
		if !ok || c.nowNano() >= fresh {
			c.stats.add(cMisses, 1)
			return zero, ErrNotFound
		}
		return c.hitValue(value, negative)
	}
	e, err := c.storeGet(ctx, k, key)
	if err != nil {
		return zero, err
	}
	if e == nil || c.nowNano() >= e.FreshUntil {
		c.stats.add(cMisses, 1)
		return zero, ErrNotFound
	}
	return c.hit(e)
}

// hit turns a usable entry into Get's result.
func (c *Cache[V]) hit(e *Entry) (V, error) { return c.hitValue(e.Value, e.Negative) }

// hitValue turns a usable entry's value into Get's result.
func (c *Cache[V]) hitValue(value any, negative bool) (V, error) {
	var zero V
	if negative {
		c.stats.add(cHits, 1)
		c.stats.add(cNegativeHits, 1)
		return zero, ErrNotFound
	}
	v, ok := value.(V)
	if !ok {
		c.stats.add(cMisses, 1)
		return zero, ErrNotFound
	}
	c.stats.add(cHits, 1)
	return v, nil
}

// GetMany returns the fresh values found among keys; missing keys are absent from the map.
// An empty key is an error (ErrEmptyKey) and nothing is read.
func (c *Cache[V]) GetMany(ctx context.Context, keys ...string) (map[string]V, error) {
	ks := make([]Key, len(keys))
	for i, key := range keys {
		k, err := c.keys.key(key)
		if err != nil {
			return nil, err
		}
		ks[i] = k
	}
	out := make(map[string]V, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	if !c.brk.allow() {
		c.stats.add(cBreakerRejects, 1)
		c.stats.add(cMisses, uint64(len(keys)))
		if c.cfg.FailClosed {
			return nil, &OpError{Op: "get", Key: strings.Join(keys, ","), Err: ErrUnavailable}
		}
		return out, nil
	}
	es, err := c.store.GetMany(ctx, ks, c.codec)
	if err != nil {
		if ferr := c.failed(ctx, "get", strings.Join(keys, ","), err); ferr != nil {
			return nil, ferr
		}
		if !errors.Is(err, ErrCorrupt) || len(es) != len(keys) {
			c.stats.add(cMisses, uint64(len(keys)))
			return out, nil
		}
		// Corrupt entries are misses; the others are still good.
	}
	c.brk.success()
	now := c.nowNano()
	for i, e := range es {
		if e == nil || e.Negative || now >= e.FreshUntil {
			c.stats.add(cMisses, 1)
			continue
		}
		if v, ok := e.Value.(V); ok {
			c.stats.add(cHits, 1)
			out[keys[i]] = v
		} else {
			c.stats.add(cMisses, 1)
		}
	}
	return out, nil
}

// Set stores v under key with opts' tags and TTL (nil = defaults). Store errors are returned.
func (c *Cache[V]) Set(ctx context.Context, key string, v V, opts *Options) error {
	k, err := c.keys.key(key)
	if err != nil {
		return err
	}
	if err := opts.validate(); err != nil {
		return err
	}
	vers, err := c.tagVersions(ctx, key, opts)
	if err != nil {
		return err
	}
	e := c.entry(v, false, opts, vers, 0, c.nowNano())
	if err := c.store.Set(ctx, k, e, c.codec); err != nil {
		return c.writeFailed(ctx, "set", key, err)
	}
	c.brk.success()
	return nil
}

// SetMany stores every item with the same opts. It validates all keys first; nothing is stored
// when one is invalid.
func (c *Cache[V]) SetMany(ctx context.Context, items map[string]V, opts *Options) error {
	if err := opts.validate(); err != nil {
		return err
	}
	ks := make([]Key, 0, len(items))
	es := make([]*Entry, 0, len(items))
	names := make([]string, 0, len(items))
	for key := range items {
		k, err := c.keys.key(key)
		if err != nil {
			return err
		}
		ks = append(ks, k)
		names = append(names, key)
	}
	if len(ks) == 0 {
		return nil
	}
	vers, err := c.tagVersions(ctx, names[0], opts)
	if err != nil {
		return err
	}
	now := c.nowNano()
	for _, key := range names {
		es = append(es, c.entry(items[key], false, opts, vers, 0, now))
	}
	if err := c.store.SetMany(ctx, ks, es, c.codec); err != nil {
		return c.writeFailed(ctx, "set", strings.Join(names, ","), err)
	}
	c.brk.success()
	return nil
}

// Delete removes keys. Store errors are returned.
func (c *Cache[V]) Delete(ctx context.Context, keys ...string) error {
	ks := make([]Key, len(keys))
	for i, key := range keys {
		k, err := c.keys.key(key)
		if err != nil {
			return err
		}
		ks[i] = k
	}
	if len(ks) == 0 {
		return nil
	}
	if err := c.store.Delete(ctx, ks...); err != nil {
		return c.writeFailed(ctx, "delete", strings.Join(keys, ","), err)
	}
	c.brk.success()
	return nil
}

// InvalidateTags drops every entry carrying any of tags, in every Cache sharing the store. It
// is O(number of tags), whatever the number of entries. Store errors are returned: an
// invalidation is never silently lost.
func (c *Cache[V]) InvalidateTags(ctx context.Context, tags ...string) error {
	for _, t := range tags {
		if t == "" {
			return ErrEmptyTag
		}
	}
	if len(tags) == 0 {
		return nil
	}
	if err := c.store.InvalidateTags(ctx, tags...); err != nil {
		return c.writeFailed(ctx, "invalidate", strings.Join(tags, ","), err)
	}
	c.brk.success()
	c.stats.add(cInvalidations, uint64(len(tags)))
	return nil
}

// tagVersions snapshots opts' tag versions (nil without tags).
func (c *Cache[V]) tagVersions(ctx context.Context, key string, opts *Options) ([]uint64, error) {
	if opts == nil || len(opts.Tags) == 0 {
		return nil, nil
	}
	vers, err := c.store.TagVersions(ctx, opts.Tags)
	if err != nil {
		return nil, c.writeFailed(ctx, "tags", key, err)
	}
	return vers, nil
}

// entry builds an Entry with jittered TTL and stale windows.
func (c *Cache[V]) entry(v V, negative bool, opts *Options, vers []uint64, delta time.Duration, now int64) *Entry {
	ttl, swr, sie := c.cfg.DefaultTTL, c.cfg.StaleWhileRevalidate, c.cfg.StaleIfError
	var tags []string
	if opts != nil {
		if opts.TTL > 0 {
			ttl = opts.TTL
		}
		if opts.StaleWhileRevalidate > 0 {
			swr = opts.StaleWhileRevalidate
		}
		if opts.StaleIfError > 0 {
			sie = opts.StaleIfError
		}
		tags = opts.Tags
	}
	if negative {
		ttl, swr, sie = c.cfg.NegativeTTL, 0, 0
	}
	if c.cfg.Jitter > 0 {
		ttl -= time.Duration(rand.Float64() * c.cfg.Jitter * float64(ttl))
	}
	fresh := now + int64(ttl)
	e := &Entry{
		Negative:   negative,
		Tags:       tags,
		Versions:   vers,
		FreshUntil: fresh,
		StaleUntil: fresh + int64(swr),
		ErrorUntil: fresh + int64(sie),
		Delta:      int64(delta),
	}
	if !negative {
		e.Value = v
	}
	return e
}

// storeGet reads one entry through the breaker. It returns (nil, nil) for a miss, including a
// fail-open failure.
func (c *Cache[V]) storeGet(ctx context.Context, k Key, key string) (*Entry, error) {
	if !c.brk.allow() {
		c.stats.add(cBreakerRejects, 1)
		if c.cfg.FailClosed {
			return nil, &OpError{Op: "get", Key: key, Err: ErrUnavailable}
		}
		return nil, nil
	}
	e, err := c.store.Get(ctx, k, c.codec)
	if err != nil {
		return nil, c.failed(ctx, "get", key, err)
	}
	c.brk.success()
	return e, nil
}

// failed handles a read-side store error: corrupt entries are reported and missed; a caller
// that gave up gets its ctx error and the breaker hears nothing (a client disconnect says
// nothing about the store); other errors feed the breaker and are returned only when failing
// closed.
func (c *Cache[V]) failed(ctx context.Context, op, key string, err error) error {
	if cerr := ctx.Err(); cerr != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		c.brk.abort() // hand back a half-open probe this call may have held
		return cerr
	}
	oe := &OpError{Op: op, Key: key, Err: err}
	if errors.Is(err, ErrCorrupt) {
		c.brk.success() // the store answered
		c.report(ctx, oe)
		return nil
	}
	c.stats.add(cBackendErrors, 1)
	if c.brk.failure() {
		c.stats.add(cBreakerOpens, 1)
	}
	c.report(ctx, oe)
	if c.cfg.FailClosed {
		return oe
	}
	return nil
}

// writeFailed handles a write-side error: it is always returned.
func (c *Cache[V]) writeFailed(ctx context.Context, op, key string, err error) error {
	if errors.Is(err, ErrEncode) || errors.Is(err, ErrEmptyTag) {
		return err
	}
	oe := &OpError{Op: op, Key: key, Err: err}
	c.stats.add(cBackendErrors, 1)
	if c.brk.failure() {
		c.stats.add(cBreakerOpens, 1)
	}
	c.report(ctx, oe)
	return oe
}

func (c *Cache[V]) report(ctx context.Context, err error) {
	if c.cfg.OnError != nil {
		c.cfg.OnError(ctx, err)
	}
}
