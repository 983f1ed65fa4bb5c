package rediscache_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/cache"
	"github.com/buttress-go/buttress/cache/rediscache"
	"github.com/buttress-go/buttress/internal/testenv"
)

func TestThousandConcurrentMissesOneLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, err := cache.New[string](newStore(t, nil), nil)
	require.NoError(t, err)
	var calls atomic.Int32
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for range 1000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			v, err := c.GetOrLoad(ctx, "hot", func(context.Context) (string, error) {
				calls.Add(1)
				time.Sleep(50 * time.Millisecond) // a slow query
				return "value", nil
			}, cache.Tags("hot"))
			if err == nil && v != "value" {
				t.Errorf("got %q", v)
			}
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, int32(1), calls.Load())
	st := c.Stats()
	require.Equal(t, uint64(1), st.Loads)
	t.Logf("stats: %+v", st)
}

// TestFillLockOneLoadPerFleet: three instances (each with its own client and singleflight) miss
// the same key at once; with the distributed fill lock only one of them runs the loader, the
// others are woken by the invalidation push of the lock or entry key.
func TestFillLockOneLoadPerFleet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	addr := testenv.RedisAddr(t)
	prefix := testenv.KeyPrefix(t)
	caches := make([]*cache.Cache[string], 3)
	for i := range caches {
		s, err := rediscache.Open(rueidis.ClientOption{InitAddress: []string{addr}},
			&rediscache.Config{Prefix: prefix, FillLock: true})
		require.NoError(t, err)
		t.Cleanup(s.Close)
		caches[i], err = cache.New[string](s, nil)
		require.NoError(t, err)
	}
	var calls atomic.Int32
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			v, err := caches[i%3].GetOrLoad(ctx, "fleet-hot", func(context.Context) (string, error) {
				calls.Add(1)
				time.Sleep(200 * time.Millisecond)
				return "value", nil
			}, cache.Tags("fleet"))
			if err != nil || v != "value" {
				t.Errorf("got %q, %v", v, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	require.Equal(t, int32(1), calls.Load(), "one load for the whole fleet")
	var waits uint64
	for _, c := range caches {
		waits += c.Stats().LockWaits
	}
	require.Equal(t, uint64(2), waits, "the two other instances waited for the fill")

	// After an invalidation the lock is free again and the next miss loads once more.
	require.NoError(t, caches[0].InvalidateTags(ctx, "fleet"))
	v, err := caches[0].GetOrLoad(ctx, "fleet-hot", func(context.Context) (string, error) {
		calls.Add(1)
		return "value2", nil
	}, cache.Tags("fleet"))
	require.NoError(t, err)
	require.Equal(t, "value2", v)
}

func TestFillLockNeedsOpen(t *testing.T) {
	t.Parallel()
	client, _ := testenv.Redis(t)
	_, err := rediscache.New(client, &rediscache.Config{FillLock: true})
	require.ErrorContains(t, err, "Config.FillLock")
	_, err = rediscache.New(nil, nil)
	require.Error(t, err)
	_, err = rediscache.New(client, &rediscache.Config{MemoEntries: -1})
	require.ErrorContains(t, err, "Config.MemoEntries")
}
