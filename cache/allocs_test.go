package cache_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/cache"
)

// TestMemoryHitAllocatesNothing: a hit on the memory store, tag check included, through Get and
// through GetOrLoad, allocates nothing (the value is kept decoded).
func TestMemoryHitAllocatesNothing(t *testing.T) {
	s, err := cache.NewMemoryStore(nil)
	require.NoError(t, err)
	defer s.Close()
	c, err := cache.New[*string](s, nil)
	require.NoError(t, err)
	ctx := context.Background()
	v := "anvil"
	require.NoError(t, c.Set(ctx, "product:1", &v, cache.Tags("catalog", "product:1")))
	load := func(context.Context) (*string, error) { t.Fatal("loader called on a hit"); return nil, nil }
	opts := cache.Tags("catalog", "product:1")
	require.Zero(t, testing.AllocsPerRun(200, func() {
		if got, err := c.Get(ctx, "product:1"); err != nil || got != &v {
			t.Fatal("miss", err)
		}
	}), "Get")
	require.Zero(t, testing.AllocsPerRun(200, func() {
		if _, err := c.GetOrLoad(ctx, "product:1", load, opts); err != nil {
			t.Fatal(err)
		}
	}), "GetOrLoad")
}
