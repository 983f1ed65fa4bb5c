package cachetest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/cache"
	"github.com/buttress-go/buttress/cache/cachetest"
)

func TestMemoryStoreConformance(t *testing.T) {
	t.Parallel()
	cachetest.Run(t, func(t *testing.T) cache.Store {
		s, err := cache.NewMemoryStore(nil)
		require.NoError(t, err)
		t.Cleanup(s.Close)
		return s
	})
}
