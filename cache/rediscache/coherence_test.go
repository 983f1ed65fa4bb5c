package rediscache_test

import (
	"context"
	"fmt"
	"math/rand/v2"
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

// twoInstances returns two stores on independent rueidis clients (two app instances) sharing a
// key prefix, made by New (tag checks through DoCache).
func twoInstances(t *testing.T) (*rediscache.Store, *rediscache.Store) {
	t.Helper()
	c1, prefix := testenv.Redis(t)
	c2 := testenv.NewRedisClient(t, testenv.RedisAddr(t))
	s1, err := rediscache.New(c1, &rediscache.Config{Prefix: prefix})
	require.NoError(t, err)
	s2, err := rediscache.New(c2, &rediscache.Config{Prefix: prefix})
	require.NoError(t, err)
	return s1, s2
}

// openStoreB is openStore for benchmarks, on a fresh prefix.
func openStoreB(b *testing.B) *rediscache.Store {
	b.Helper()
	_, prefix := testenv.Redis(b)
	s, err := rediscache.Open(rueidis.ClientOption{InitAddress: []string{testenv.RedisAddr(b)}},
		&rediscache.Config{Prefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	return s
}

// openStore returns a Store made by Open with the given prefix, closed at cleanup.
func openStore(t *testing.T, prefix string) *rediscache.Store {
	t.Helper()
	s, err := rediscache.Open(rueidis.ClientOption{InitAddress: []string{testenv.RedisAddr(t)}},
		&rediscache.Config{Prefix: prefix})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// instances returns two stores sharing a prefix, both made by New or both by Open.
func instances(t *testing.T, open bool) (*rediscache.Store, *rediscache.Store) {
	t.Helper()
	if !open {
		return twoInstances(t)
	}
	_, prefix := testenv.Redis(t) // its cleanup deletes the prefix's keys
	return openStore(t, prefix), openStore(t, prefix)
}

func TestCrossInstanceInvalidation(t *testing.T) {
	t.Parallel()
	for _, open := range []bool{false, true} {
		t.Run(fmt.Sprint("open=", open), func(t *testing.T) {
			t.Parallel()
			testCrossInstanceInvalidation(t, open)
		})
	}
}

func testCrossInstanceInvalidation(t *testing.T, open bool) {
	ctx := context.Background()
	s1, s2 := instances(t, open)
	a, err := cache.New[string](s1, nil)
	require.NoError(t, err)
	b, err := cache.New[string](s2, nil)
	require.NoError(t, err)

	require.NoError(t, a.Set(ctx, "p", "v1", cache.Tags("product:1")))
	// b warms its client-side cache: from now on its reads of the entry and the tag are local.
	for range 3 {
		v, err := b.Get(ctx, "p")
		require.NoError(t, err)
		require.Equal(t, "v1", v)
	}
	var worst time.Duration
	for round := range 20 {
		require.NoError(t, a.Set(ctx, "p", fmt.Sprint("v", round), cache.Tags("product:1")))
		require.Eventually(t, func() bool { v, err := b.Get(ctx, "p"); return err == nil && v == fmt.Sprint("v", round) },
			2*time.Second, 100*time.Microsecond)
		start := time.Now()
		require.NoError(t, a.InvalidateTags(ctx, "product:1"))
		// Measure how long until b (which reads tag versions from its local cache) sees it.
		for {
			_, err := b.Get(ctx, "p")
			if err != nil {
				require.ErrorIs(t, err, cache.ErrNotFound)
				break
			}
			require.Less(t, time.Since(start), 2*time.Second, "invalidation never reached the other instance")
			time.Sleep(50 * time.Microsecond)
		}
		worst = max(worst, time.Since(start))
	}
	t.Logf("worst cross-instance invalidation visibility: %v", worst)
}

func TestOwnWriteCoherence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, nil)
	c, err := cache.New[int](s, nil)
	require.NoError(t, err)
	for i := range 200 {
		require.NoError(t, c.Set(ctx, "k", i, cache.Tags("t")))
		v, err := c.Get(ctx, "k")
		require.NoError(t, err)
		require.Equal(t, i, v, "read after own Set")
		require.NoError(t, c.InvalidateTags(ctx, "t"))
		_, err = c.Get(ctx, "k")
		require.ErrorIs(t, err, cache.ErrNotFound, "read after own InvalidateTags")
		require.NoError(t, c.Set(ctx, "k", i, nil))
		require.NoError(t, c.Delete(ctx, "k"))
		_, err = c.Get(ctx, "k")
		require.ErrorIs(t, err, cache.ErrNotFound, "read after own Delete")
	}
}

// TestOwnWriteCoherenceNoWindow: right after its own write, a process's local copy of a key is
// often still the old one (Redis pushes the invalidation after the write's reply). Each round
// uses a fresh tag, so the tag key is cached locally as missing, then created by Set's
// TagVersions (SET NX) and bumped by InvalidateTags: every read must see the process's own
// writes at once, however late the pushes are handled.
func TestOwnWriteCoherenceNoWindow(t *testing.T) {
	t.Parallel()
	for _, open := range []bool{false, true} {
		t.Run(fmt.Sprint("open=", open), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, _ := instances(t, open)
			c, err := cache.New[int](s, nil)
			require.NoError(t, err)
			for i := range 300 {
				tag := fmt.Sprint("t", i)
				key := fmt.Sprint("k", i%7)
				require.NoError(t, c.Set(ctx, key, i, cache.Tags(tag)))
				v, err := c.Get(ctx, key)
				require.NoError(t, err, "read after own Set with a new tag, round %d", i)
				require.Equal(t, i, v)
				m, err := c.GetMany(ctx, key)
				require.NoError(t, err)
				require.Equal(t, map[string]int{key: i}, m, "GetMany after own Set, round %d", i)
				require.NoError(t, c.InvalidateTags(ctx, tag))
				_, err = c.Get(ctx, key)
				require.ErrorIs(t, err, cache.ErrNotFound, "read after own InvalidateTags, round %d", i)
				require.NoError(t, c.Set(ctx, key, -i, cache.Tags(tag)))
				v, err = c.Get(ctx, key)
				require.NoError(t, err, "read after own Set after InvalidateTags, round %d", i)
				require.Equal(t, -i, v)
			}
		})
	}
}

// commit is the highest item version whose invalidation has returned in one instance.
type commit struct {
	v  int64
	at time.Time
}

// TestFillVsInvalidateStress races loads against invalidations on a few keys, in two instances
// (two rueidis clients), and checks that no read started after an invalidation returned sees
// data older than the invalidated write: in the instance that invalidated, at once (own-write
// coherence and guarded fills); in the other instance, once Redis's push had 50 ms to arrive.
// The "database" is a version counter per item; a writer bumps it, then invalidates its tag.
func TestFillVsInvalidateStress(t *testing.T) {
	t.Parallel()
	for _, open := range []bool{false, true} {
		t.Run(fmt.Sprint("open=", open), func(t *testing.T) {
			t.Parallel()
			testFillVsInvalidateStress(t, open)
		})
	}
}

func testFillVsInvalidateStress(t *testing.T, open bool) {
	ctx := context.Background()
	s1, s2 := instances(t, open)
	const items = 4
	var db [items]atomic.Int64
	var committed [2][items]atomic.Pointer[commit]
	for i := range committed {
		for j := range committed[i] {
			committed[i][j].Store(&commit{})
		}
	}
	var loads atomic.Int64
	caches := make([]*cache.Cache[int64], 2)
	for i, s := range []*rediscache.Store{s1, s2} {
		c, err := cache.New[int64](s, &cache.Config{EarlyRecomputeBeta: -1})
		require.NoError(t, err)
		caches[i] = c
	}
	loader := func(item int) cache.Loader[int64] {
		return func(context.Context) (int64, error) {
			loads.Add(1)
			v := db[item].Load()
			time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond) // widen the race
			return v, nil
		}
	}
	var stale, reads atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(2 * time.Second)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				item := rand.IntN(items)
				v := db[item].Add(1)
				if err := caches[w].InvalidateTags(ctx, fmt.Sprint("item:", item)); err != nil {
					t.Error(err)
					return
				}
				for {
					cur := committed[w][item].Load()
					if cur.v >= v || committed[w][item].CompareAndSwap(cur, &commit{v: v, at: time.Now()}) {
						break
					}
				}
				time.Sleep(time.Duration(rand.IntN(500)) * time.Microsecond)
			}
		}()
	}
	for r := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inst := r % 2
			for time.Now().Before(deadline) {
				item := rand.IntN(items)
				minV := committed[inst][item].Load().v
				if other := committed[1-inst][item].Load(); time.Since(other.at) > 50*time.Millisecond {
					minV = max(minV, other.v)
				}
				v, err := caches[inst].GetOrLoad(ctx, fmt.Sprint("k", item), loader(item), cache.Tags(fmt.Sprint("item:", item)))
				if err != nil {
					t.Error(err)
					return
				}
				reads.Add(1)
				if v < minV {
					stale.Add(1)
					t.Errorf("instance %d item %d: read version %d after version %d was invalidated", inst, item, v, minV)
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("reads=%d loads=%d stale=%d rejected fills=%d/%d", reads.Load(), loads.Load(), stale.Load(),
		caches[0].Stats().FillsRejected, caches[1].Stats().FillsRejected)
	require.Zero(t, stale.Load())
	require.Greater(t, reads.Load(), int64(100))
}
