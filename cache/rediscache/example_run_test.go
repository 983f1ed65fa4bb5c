package rediscache_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/cache"
	"github.com/buttress-go/buttress/internal/testenv"
)

// TestExampleFlow runs what ExampleOpen shows against the real Redis.
func TestExampleFlow(t *testing.T) {
	t.Parallel()
	_, prefix := testenv.Redis(t)
	store := openStore(t, prefix)
	products, err := cache.New[Product](store, &cache.Config{Prefix: "product"})
	require.NoError(t, err)
	ctx := context.Background()
	calls := 0
	load := func(context.Context) (Product, error) { calls++; return Product{ID: 42, Name: "Teapot"}, nil }
	for range 3 {
		p, err := products.GetOrLoad(ctx, "42", load, cache.Tags("product:42", "catalog"))
		require.NoError(t, err)
		require.Equal(t, "Teapot", p.Name)
	}
	require.Equal(t, 1, calls)
	require.NoError(t, products.InvalidateTags(ctx, "product:42"))
	_, err = products.GetOrLoad(ctx, "42", load, cache.Tags("product:42", "catalog"))
	require.NoError(t, err)
	require.Equal(t, 2, calls)
}
