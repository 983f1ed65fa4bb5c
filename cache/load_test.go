package cache_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/cache"
)

type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func newMemory(t *testing.T) *cache.MemoryStore {
	t.Helper()
	s, err := cache.NewMemoryStore(nil)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// TestEarlyRecompute: an entry whose last load took 10 s is refreshed in the background before
// it expires once expiry is near (XFetch), and almost never when it is far.
func TestEarlyRecompute(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &fakeClock{}
	clk.ns.Store(time.Now().UnixNano())
	c, err := cache.New[int](newMemory(t), &cache.Config{Now: clk.now, DefaultTTL: time.Minute, Jitter: -1})
	require.NoError(t, err)
	var loads atomic.Int32
	load := func(context.Context) (int, error) {
		loads.Add(1)
		clk.advance(10 * time.Second) // a slow query
		return int(loads.Load()), nil
	}
	v, err := c.GetOrLoad(ctx, "k", load, nil)
	require.NoError(t, err)
	require.Equal(t, 1, v)
	// Far from expiry (gap 60 s = 6 deltas): p = e^-6 per read.
	for range 5 {
		_, err := c.GetOrLoad(ctx, "k", load, nil)
		require.NoError(t, err)
	}
	require.LessOrEqual(t, c.Stats().EarlyRecomputes, uint64(1))
	early := c.Stats().EarlyRecomputes
	// One second before expiry (gap 0.1 delta): p = e^-0.1 per read.
	clk.advance(59 * time.Second)
	for range 20 {
		v, err := c.GetOrLoad(ctx, "k", load, nil)
		require.NoError(t, err)
		require.GreaterOrEqual(t, v, 1, "the current value is served meanwhile")
		if c.Stats().EarlyRecomputes > early {
			break
		}
	}
	require.Greater(t, c.Stats().EarlyRecomputes, early)
	require.Eventually(t, func() bool { v, err := c.Get(ctx, "k"); return err == nil && v >= 2 },
		5*time.Second, time.Millisecond, "the refresh replaced the entry")
}

func TestLoaderPanicIsAnError(t *testing.T) {
	t.Parallel()
	c, err := cache.New[int](newMemory(t), nil)
	require.NoError(t, err)
	_, err = c.GetOrLoad(context.Background(), "k", func(context.Context) (int, error) { panic("boom") }, nil)
	require.ErrorContains(t, err, "loader panicked: boom")
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	s := newMemory(t)
	for _, tc := range []struct {
		cfg  cache.Config
		want string
	}{
		{cache.Config{DefaultTTL: -1}, "Config.DefaultTTL"},
		{cache.Config{Jitter: 1.5}, "Config.Jitter"},
		{cache.Config{StaleWhileRevalidate: -1}, "Config.StaleWhileRevalidate"},
		{cache.Config{StaleIfError: -1}, "Config.StaleIfError"},
		{cache.Config{LoadTimeout: -1}, "Config.LoadTimeout"},
		{cache.Config{BreakerCooldown: -1}, "Config.BreakerCooldown"},
		{cache.Config{MaxKeyLength: -1}, "Config.MaxKeyLength"},
	} {
		_, err := cache.New[int](s, &tc.cfg)
		require.ErrorContains(t, err, tc.want)
	}
	_, err := cache.New[int](nil, nil)
	require.Error(t, err)
	_, err = cache.NewMemoryStore(&cache.MemoryConfig{MaxEntries: -1})
	require.ErrorContains(t, err, "MemoryConfig.MaxEntries")
}

// TestNoJoinAfterInvalidation: a caller arriving after an invalidation does not join a load
// that started before it (it would get pre-invalidation data).
func TestNoJoinAfterInvalidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, err := cache.New[string](newMemory(t), nil)
	require.NoError(t, err)
	started, release := make(chan struct{}), make(chan struct{})
	go func() {
		_, _ = c.GetOrLoad(ctx, "k", func(context.Context) (string, error) {
			close(started)
			<-release
			return "old", nil
		}, cache.Tags("t"))
	}()
	<-started
	require.NoError(t, c.InvalidateTags(ctx, "t"))
	v, err := c.GetOrLoad(ctx, "k", func(context.Context) (string, error) { return "new", nil }, cache.Tags("t"))
	require.NoError(t, err)
	require.Equal(t, "new", v)
	close(release)
}
