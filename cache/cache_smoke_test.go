package cache_test

import (
	"context"
	"testing"

	"github.com/buttress-go/buttress/cache"
	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := cache.NewMemoryStore(nil)
	require.NoError(t, err)
	c, err := cache.New[string](s, nil)
	require.NoError(t, err)
	v, err := c.GetOrLoad(ctx, "k", func(context.Context) (string, error) { return "v", nil }, cache.Tags("t"))
	require.NoError(t, err)
	require.Equal(t, "v", v)
	got, err := c.Get(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, "v", got)
	require.NoError(t, c.InvalidateTags(ctx, "t"))
	_, err = c.Get(ctx, "k")
	require.ErrorIs(t, err, cache.ErrNotFound)
}
