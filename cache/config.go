package cache

import (
	"context"
	"fmt"
	"time"
)

// Config holds a Cache's optional settings. A nil *Config means all defaults.
type Config struct {
	// Prefix starts every key ("prefix:version:key"). Default "cache". Give each Cache sharing a
	// store its own prefix.
	Prefix string
	// Version is the key version: bump it (as Django's VERSION) to make every entry this Cache
	// stored before unreachable at once. Default 0.
	Version uint64
	// MaxKeyLength: caller keys longer than this are replaced by their SHA-256. Default
	// DefaultMaxKeyLength (200).
	MaxKeyLength int

	// DefaultTTL is the freshness lifetime of entries stored without Options.TTL. Default 5m.
	DefaultTTL time.Duration
	// Jitter shortens each TTL by a random fraction in [0, Jitter) so that entries stored
	// together do not expire together. Default 0.1; a negative value disables jitter; must be
	// at most 1.
	Jitter float64
	// NegativeTTL is how long a "not found" (a loader error wrapping ErrNotFound) is cached.
	// Default 30s (or DefaultTTL if shorter); a negative value disables negative caching.
	NegativeTTL time.Duration
	// StaleWhileRevalidate is the default window after expiry during which GetOrLoad serves the
	// stale value and refreshes it in the background. Default 0 (off).
	StaleWhileRevalidate time.Duration
	// StaleIfError is the default window after expiry during which GetOrLoad serves the stale
	// value when the loader fails. Default 0 (off).
	StaleIfError time.Duration
	// EarlyRecomputeBeta is XFetch's beta: GetOrLoad refreshes a fresh entry in the background
	// when now - delta*beta*ln(rand()) >= expiry, delta being how long its load took. Default 1;
	// a negative value disables early recomputation.
	EarlyRecomputeBeta float64
	// LoadTimeout bounds a loader call. The loader runs detached from the callers' contexts
	// (a caller that gives up cancels nothing), so this is what stops a stuck load.
	// Default 1m.
	LoadTimeout time.Duration

	// FailClosed makes store failures (and an open breaker) errors for reads too: Get and
	// GetOrLoad return an *OpError wrapping the cause (ErrUnavailable when the breaker is open)
	// instead of treating them as misses. Default false (fail open). Writes (Set, Delete,
	// InvalidateTags) always return store errors.
	FailClosed bool
	// BreakerThreshold is how many store failures in a row open the circuit breaker. While open
	// the store is not called (reads miss, loads are not stored) for BreakerCooldown, then one
	// call probes it. Default 5; a negative value disables the breaker.
	BreakerThreshold int
	// BreakerCooldown is how long the breaker stays open. Default 1s.
	BreakerCooldown time.Duration
	// OnError is called with an *OpError for each store failure and each corrupt entry. It runs
	// on the caller's goroutine and must be fast. Default: nothing.
	OnError func(ctx context.Context, err error)
	// Codec encodes values for stores that keep bytes. Default JSONCodec. []byte values bypass
	// it.
	Codec Codec
	// Now is the clock, for tests. Default: the system clock.
	Now func() time.Time
}

func (c *Config) withDefaults() (Config, error) {
	var cfg Config
	if c != nil {
		cfg = *c
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "cache"
	}
	if cfg.MaxKeyLength == 0 {
		cfg.MaxKeyLength = DefaultMaxKeyLength
	}
	if cfg.MaxKeyLength < 0 {
		return cfg, fmt.Errorf("cache: Config.MaxKeyLength must be >= 0, got %d", cfg.MaxKeyLength)
	}
	if cfg.DefaultTTL < 0 {
		return cfg, fmt.Errorf("cache: Config.DefaultTTL must be >= 0: %w", ErrNegativeTTL)
	}
	if cfg.DefaultTTL == 0 {
		cfg.DefaultTTL = 5 * time.Minute
	}
	switch {
	case cfg.Jitter > 1:
		return cfg, fmt.Errorf("cache: Config.Jitter must be <= 1, got %v", cfg.Jitter)
	case cfg.Jitter < 0:
		cfg.Jitter = 0
	case cfg.Jitter == 0:
		cfg.Jitter = 0.1
	}
	if cfg.NegativeTTL == 0 {
		cfg.NegativeTTL = min(30*time.Second, cfg.DefaultTTL)
	}
	if cfg.StaleWhileRevalidate < 0 {
		return cfg, fmt.Errorf("cache: Config.StaleWhileRevalidate must be >= 0: %w", ErrNegativeTTL)
	}
	if cfg.StaleIfError < 0 {
		return cfg, fmt.Errorf("cache: Config.StaleIfError must be >= 0: %w", ErrNegativeTTL)
	}
	if cfg.EarlyRecomputeBeta == 0 {
		cfg.EarlyRecomputeBeta = 1
	}
	if cfg.LoadTimeout < 0 {
		return cfg, fmt.Errorf("cache: Config.LoadTimeout must be >= 0, got %v", cfg.LoadTimeout)
	}
	if cfg.LoadTimeout == 0 {
		cfg.LoadTimeout = time.Minute
	}
	if cfg.BreakerThreshold == 0 {
		cfg.BreakerThreshold = 5
	}
	if cfg.BreakerCooldown < 0 {
		return cfg, fmt.Errorf("cache: Config.BreakerCooldown must be >= 0, got %v", cfg.BreakerCooldown)
	}
	if cfg.BreakerCooldown == 0 {
		cfg.BreakerCooldown = time.Second
	}
	if cfg.Codec == nil {
		cfg.Codec = JSONCodec{}
	}
	return cfg, nil
}

// Options are per-call settings for Set, SetMany and GetOrLoad. A nil *Options means the
// Config defaults and no tags.
type Options struct {
	// Tags attach the entry to tags; InvalidateTags on any of them drops it.
	Tags []string
	// TTL is the freshness lifetime (before jitter). 0 = Config.DefaultTTL.
	TTL time.Duration
	// StaleWhileRevalidate and StaleIfError override the Config windows when > 0.
	StaleWhileRevalidate time.Duration
	StaleIfError         time.Duration
}

// Tags returns Options carrying only tags: c.GetOrLoad(ctx, key, load, cache.Tags("a", "b")).
func Tags(tags ...string) *Options { return &Options{Tags: tags} }

func (o *Options) validate() error {
	if o == nil {
		return nil
	}
	if o.TTL < 0 {
		return fmt.Errorf("cache: Options.TTL must be >= 0: %w", ErrNegativeTTL)
	}
	if o.StaleWhileRevalidate < 0 {
		return fmt.Errorf("cache: Options.StaleWhileRevalidate must be >= 0: %w", ErrNegativeTTL)
	}
	if o.StaleIfError < 0 {
		return fmt.Errorf("cache: Options.StaleIfError must be >= 0: %w", ErrNegativeTTL)
	}
	for _, t := range o.Tags {
		if t == "" {
			return ErrEmptyTag
		}
	}
	return nil
}
