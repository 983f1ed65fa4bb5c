package cache

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMemoryStoreBounds: MaxEntries and MaxBytes bound what the store keeps.
func TestMemoryStoreBounds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	byCount, err := NewMemoryStore(&MemoryConfig{MaxEntries: 100})
	require.NoError(t, err)
	defer byCount.Close()
	c, err := New[string](byCount, nil)
	require.NoError(t, err)
	for i := range 5000 {
		require.NoError(t, c.Set(ctx, "k"+strconv.Itoa(i), "v", nil))
	}
	byCount.entries.CleanUp()
	require.LessOrEqual(t, byCount.Len(), 100)
	require.Positive(t, byCount.Len())

	const maxBytes = 64 << 10
	byBytes, err := NewMemoryStore(&MemoryConfig{MaxBytes: maxBytes})
	require.NoError(t, err)
	defer byBytes.Close()
	cb, err := New[string](byBytes, nil)
	require.NoError(t, err)
	big := strings.Repeat("x", 1024)
	for i := range 1000 {
		require.NoError(t, cb.Set(ctx, "k"+strconv.Itoa(i), big, nil))
	}
	byBytes.entries.CleanUp()
	require.LessOrEqual(t, byBytes.Len(), maxBytes/1024, "each entry weighs more than its 1 KiB value")
	require.Positive(t, byBytes.Len())
}

// TestEvictedTagIsAnInvalidation: when the bounded tag map drops a tag's version (MaxTags), the
// entries carrying it become misses, never hits against a version that no longer exists; the
// tag then starts over with a new version.
func TestEvictedTagIsAnInvalidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := NewMemoryStore(nil)
	require.NoError(t, err)
	defer s.Close()
	c, err := New[string](s, nil)
	require.NoError(t, err)
	require.NoError(t, c.Set(ctx, "k", "v", Tags("t0")))
	_, err = c.Get(ctx, "k")
	require.NoError(t, err)
	s.tags.Invalidate("t0") // what an eviction from the tag map does
	_, err = c.Get(ctx, "k")
	require.ErrorIs(t, err, ErrNotFound)
	require.NoError(t, c.Set(ctx, "k", "v2", Tags("t0")))
	v, err := c.Get(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, "v2", v)
}
