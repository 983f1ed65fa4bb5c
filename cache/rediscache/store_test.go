package rediscache_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/cache"
	"github.com/buttress-go/buttress/cache/cachetest"
	"github.com/buttress-go/buttress/cache/rediscache"
	"github.com/buttress-go/buttress/internal/testenv"
)

// newStore returns a Store on the shared Redis with a key prefix of its own.
func newStore(t *testing.T, cfg *rediscache.Config) *rediscache.Store {
	t.Helper()
	client, prefix := testenv.Redis(t)
	var c rediscache.Config
	if cfg != nil {
		c = *cfg
	}
	c.Prefix = prefix
	s, err := rediscache.New(client, &c)
	require.NoError(t, err)
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	cachetest.Run(t, func(t *testing.T) cache.Store { return newStore(t, nil) })
}

func TestConformanceOpen(t *testing.T) {
	t.Parallel()
	cachetest.Run(t, func(t *testing.T) cache.Store {
		_, prefix := testenv.Redis(t)
		return openStore(t, prefix)
	})
}
