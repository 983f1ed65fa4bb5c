package cache_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/cache"
)

// opaqueStore hides the *MemoryStore behind the Store interface, so a Cache over it takes the
// general Get path instead of the memory store's direct one.
type opaqueStore struct{ cache.Store }

// TestMemoryGetPathMatchesTheStorePath: Get on the memory store reads otter's node directly; it
// answers and counts exactly as the general path through Store.Get does, for fresh, negative,
// expired, invalidated and deleted entries.
func TestMemoryGetPathMatchesTheStorePath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var now atomic.Int64
	now.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	mk := func(wrap bool) *cache.Cache[string] {
		ms, err := cache.NewMemoryStore(nil)
		require.NoError(t, err)
		t.Cleanup(ms.Close)
		var s cache.Store = ms
		if wrap {
			s = opaqueStore{ms}
		}
		c, err := cache.New[string](s, &cache.Config{Now: clock, Jitter: -1, DefaultTTL: time.Minute, NegativeTTL: 10 * time.Second})
		require.NoError(t, err)
		return c
	}
	direct, general := mk(false), mk(true)
	type answer struct {
		v   string
		err string
	}
	ask := func(c *cache.Cache[string], key string) answer {
		v, err := c.Get(ctx, key)
		if err != nil {
			return answer{v, err.Error()}
		}
		return answer{v, ""}
	}
	for _, c := range []*cache.Cache[string]{direct, general} {
		require.NoError(t, c.Set(ctx, "fresh", "a", cache.Tags("t1")))
		require.NoError(t, c.Set(ctx, "short", "b", &cache.Options{TTL: time.Second}))
		require.NoError(t, c.Set(ctx, "tagged", "c", cache.Tags("t2", "t3")))
		require.NoError(t, c.Set(ctx, "gone", "d", nil))
		_, err := c.GetOrLoad(ctx, "missing", func(context.Context) (string, error) {
			return "", fmt.Errorf("no such row: %w", cache.ErrNotFound)
		}, nil)
		require.True(t, errors.Is(err, cache.ErrNotFound))
	}
	keys := []string{"fresh", "short", "tagged", "gone", "missing", "never"}
	compare := func(step string) {
		for _, k := range keys {
			require.Equal(t, ask(general, k), ask(direct, k), "%s: key %q", step, k)
		}
		require.Equal(t, general.Stats(), direct.Stats(), step)
	}
	compare("stored")
	now.Add(int64(2 * time.Second)) // "short" expires
	compare("after 2s")
	for _, c := range []*cache.Cache[string]{direct, general} {
		require.NoError(t, c.InvalidateTags(ctx, "t3"))
		require.NoError(t, c.Delete(ctx, "gone"))
	}
	compare("after invalidation and delete")
	now.Add(int64(time.Minute)) // everything expires, the negative entry first
	compare("after a minute")
	st := direct.Stats()
	require.NotZero(t, st.Hits)
	require.NotZero(t, st.NegativeHits)
	require.NotZero(t, st.Misses)
}
