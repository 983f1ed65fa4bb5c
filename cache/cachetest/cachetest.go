package cachetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/cache"
)

// Item is the struct value type the suite stores (exercising the codec of byte stores).
type Item struct {
	ID   int
	Name string
	Tags []string
}

// Run runs the conformance suite against stores made by newStore.
func Run(t *testing.T, newStore func(t *testing.T) cache.Store) {
	t.Helper()
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s cache.Store)
	}{
		{"MissThenHit", testMissThenHit},
		{"BytesValues", testBytes},
		{"Delete", testDelete},
		{"ManyRoundTrip", testMany},
		{"TagInvalidation", testTagInvalidation},
		{"TagsSharedAcrossCaches", testTagsShared},
		{"TagVersionsStable", testTagVersions},
		{"FillGuard", testFillGuard},
		{"LoadRacingInvalidation", testLoadRacingInvalidation},
		{"NegativeCaching", testNegative},
		{"Expiry", testExpiry},
		{"EntryMetadata", testMetadata},
		{"Singleflight", testSingleflight},
		{"BadInput", testBadInput},
		{"Prefixes", testPrefixes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

func newCache[V any](t *testing.T, s cache.Store, cfg *cache.Config) *cache.Cache[V] {
	t.Helper()
	c, err := cache.New[V](s, cfg)
	require.NoError(t, err)
	return c
}

func testMissThenHit(t *testing.T, s cache.Store) {
	ctx := context.Background()
	c := newCache[Item](t, s, nil)
	_, err := c.Get(ctx, "k")
	require.ErrorIs(t, err, cache.ErrNotFound)
	want := Item{ID: 1, Name: "one", Tags: []string{"a"}}
	require.NoError(t, c.Set(ctx, "k", want, nil))
	got, err := c.Get(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.NoError(t, c.Set(ctx, "k", Item{ID: 2}, nil))
	got, err = c.Get(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, 2, got.ID, "own write must be visible at once")
	st := c.Stats()
	require.Equal(t, uint64(2), st.Hits)
	require.Equal(t, uint64(1), st.Misses)
}

func testBytes(t *testing.T, s cache.Store) {
	ctx := context.Background()
	c := newCache[[]byte](t, s, nil)
	body := []byte("HTTP/1.1 200 OK\r\n\r\n\x00\xff binary")
	require.NoError(t, c.Set(ctx, "page", body, cache.Tags("page")))
	got, err := c.Get(ctx, "page")
	require.NoError(t, err)
	require.Equal(t, body, got)
	require.NoError(t, c.InvalidateTags(ctx, "page"))
	_, err = c.Get(ctx, "page")
	require.ErrorIs(t, err, cache.ErrNotFound)
}

func testDelete(t *testing.T, s cache.Store) {
	ctx := context.Background()
	c := newCache[string](t, s, nil)
	require.NoError(t, c.Set(ctx, "a", "1", nil))
	require.NoError(t, c.Set(ctx, "b", "2", nil))
	require.NoError(t, c.Delete(ctx, "a", "b", "never-set"))
	_, err := c.Get(ctx, "a")
	require.ErrorIs(t, err, cache.ErrNotFound)
	_, err = c.Get(ctx, "b")
	require.ErrorIs(t, err, cache.ErrNotFound)
}

func testMany(t *testing.T, s cache.Store) {
	ctx := context.Background()
	c := newCache[int](t, s, nil)
	items := map[string]int{}
	for i := range 50 {
		items[fmt.Sprint("k", i)] = i
	}
	require.NoError(t, c.SetMany(ctx, items, cache.Tags("many")))
	got, err := c.GetMany(ctx, "k0", "k7", "k49", "absent")
	require.NoError(t, err)
	require.Equal(t, map[string]int{"k0": 0, "k7": 7, "k49": 49}, got)
	require.NoError(t, c.InvalidateTags(ctx, "many"))
	got, err = c.GetMany(ctx, "k0", "k7")
	require.NoError(t, err)
	require.Empty(t, got)
	got, err = c.GetMany(ctx)
	require.NoError(t, err)
	require.Empty(t, got)
}

func testTagInvalidation(t *testing.T, s cache.Store) {
	ctx := context.Background()
	c := newCache[string](t, s, nil)
	require.NoError(t, c.Set(ctx, "p1", "v1", cache.Tags("product:1", "catalog")))
	require.NoError(t, c.Set(ctx, "p2", "v2", cache.Tags("product:2", "catalog")))
	require.NoError(t, c.Set(ctx, "other", "v3", cache.Tags("unrelated")))
	require.NoError(t, c.InvalidateTags(ctx, "product:1"))
	_, err := c.Get(ctx, "p1")
	require.ErrorIs(t, err, cache.ErrNotFound)
	v, err := c.Get(ctx, "p2")
	require.NoError(t, err)
	require.Equal(t, "v2", v)
	require.NoError(t, c.InvalidateTags(ctx, "catalog"))
	_, err = c.Get(ctx, "p2")
	require.ErrorIs(t, err, cache.ErrNotFound)
	v, err = c.Get(ctx, "other")
	require.NoError(t, err)
	require.Equal(t, "v3", v)
	// A new entry under an invalidated tag is valid again.
	require.NoError(t, c.Set(ctx, "p1", "v1b", cache.Tags("product:1")))
	v, err = c.Get(ctx, "p1")
	require.NoError(t, err)
	require.Equal(t, "v1b", v)
	require.Equal(t, uint64(2), c.Stats().Invalidations, "one per tag invalidated")
}

func testTagsShared(t *testing.T, s cache.Store) {
	ctx := context.Background()
	data := newCache[Item](t, s, &cache.Config{Prefix: "data"})
	pages := newCache[[]byte](t, s, &cache.Config{Prefix: "pages"})
	require.NoError(t, data.Set(ctx, "42", Item{ID: 42}, cache.Tags("product:42")))
	require.NoError(t, pages.Set(ctx, "/p/42", []byte("<html>"), cache.Tags("product:42")))
	require.NoError(t, data.InvalidateTags(ctx, "product:42"))
	_, err := pages.Get(ctx, "/p/42")
	require.ErrorIs(t, err, cache.ErrNotFound, "tags are global to the store")
	_, err = data.Get(ctx, "42")
	require.ErrorIs(t, err, cache.ErrNotFound)
}

func testTagVersions(t *testing.T, s cache.Store) {
	ctx := context.Background()
	v1, err := s.TagVersions(ctx, []string{"x", "y"})
	require.NoError(t, err)
	require.Len(t, v1, 2)
	require.NotZero(t, v1[0])
	require.NotZero(t, v1[1])
	v2, err := s.TagVersions(ctx, []string{"x", "y"})
	require.NoError(t, err)
	require.Equal(t, v1, v2)
	seen := map[uint64]bool{v1[0]: true}
	for range 5 {
		require.NoError(t, s.InvalidateTags(ctx, "x"))
		v3, err := s.TagVersions(ctx, []string{"x", "y"})
		require.NoError(t, err)
		require.False(t, seen[v3[0]], "a tag version is never reused")
		seen[v3[0]] = true
		require.Equal(t, v1[1], v3[1])
	}
}

func testFillGuard(t *testing.T, s cache.Store) {
	ctx := context.Background()
	vc := anyCodec{}
	k := cache.Key{Namespace: "guard:0", Name: "k"}
	vers, err := s.TagVersions(ctx, []string{"g"})
	require.NoError(t, err)
	e := &cache.Entry{Value: "v", Tags: []string{"g"}, Versions: vers,
		FreshUntil: time.Now().Add(time.Minute).UnixNano()}
	e.StaleUntil, e.ErrorUntil = e.FreshUntil, e.FreshUntil
	require.NoError(t, s.InvalidateTags(ctx, "g"))
	stored, err := s.Fill(ctx, k, e, vc)
	require.NoError(t, err)
	require.False(t, stored, "a fill whose tag was invalidated after the snapshot must be refused")
	got, err := s.Get(ctx, k, vc)
	require.NoError(t, err)
	require.Nil(t, got)

	vers, err = s.TagVersions(ctx, []string{"g"})
	require.NoError(t, err)
	e.Versions = vers
	stored, err = s.Fill(ctx, k, e, vc)
	require.NoError(t, err)
	require.True(t, stored)
	got, err = s.Get(ctx, k, vc)
	require.NoError(t, err)
	require.NotNil(t, got)
	require.Equal(t, "v", got.Value)
}

func testLoadRacingInvalidation(t *testing.T, s cache.Store) {
	ctx := context.Background()
	c := newCache[string](t, s, nil)
	calls := 0
	v, err := c.GetOrLoad(ctx, "k", func(ctx context.Context) (string, error) {
		calls++
		// The data changes, and is invalidated, while this load is running.
		require.NoError(t, c.InvalidateTags(ctx, "race"))
		return "old", nil
	}, cache.Tags("race"))
	require.NoError(t, err)
	require.Equal(t, "old", v, "the caller still gets the loaded value")
	_, err = c.Get(ctx, "k")
	require.ErrorIs(t, err, cache.ErrNotFound, "a load that raced an invalidation must not be stored")
	require.Equal(t, uint64(1), c.Stats().FillsRejected)
	v, err = c.GetOrLoad(ctx, "k", func(context.Context) (string, error) { calls++; return "new", nil }, cache.Tags("race"))
	require.NoError(t, err)
	require.Equal(t, "new", v)
	v, err = c.Get(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, "new", v)
	require.Equal(t, 2, calls)
}

func testNegative(t *testing.T, s cache.Store) {
	ctx := context.Background()
	c := newCache[Item](t, s, &cache.Config{NegativeTTL: time.Minute})
	calls := 0
	load := func(context.Context) (Item, error) {
		calls++
		return Item{}, fmt.Errorf("product 9: %w", cache.ErrNotFound)
	}
	for range 3 {
		_, err := c.GetOrLoad(ctx, "9", load, cache.Tags("product:9"))
		require.ErrorIs(t, err, cache.ErrNotFound)
	}
	require.Equal(t, 1, calls, "a not-found result is cached")
	require.Equal(t, uint64(2), c.Stats().NegativeHits)
	require.NoError(t, c.InvalidateTags(ctx, "product:9"))
	_, err := c.GetOrLoad(ctx, "9", load, cache.Tags("product:9"))
	require.ErrorIs(t, err, cache.ErrNotFound)
	require.Equal(t, 2, calls, "a negative entry is dropped by its tags too")

	// Other errors are not cached.
	boom := errors.New("boom")
	for range 2 {
		_, err := c.GetOrLoad(ctx, "err", func(context.Context) (Item, error) { calls++; return Item{}, boom }, nil)
		require.ErrorIs(t, err, boom)
	}
	require.Equal(t, 4, calls)
}

// clock is a settable clock for expiry tests.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func testExpiry(t *testing.T, s cache.Store) {
	ctx := context.Background()
	clk := &clock{}
	clk.ns.Store(time.Now().UnixNano())
	c := newCache[string](t, s, &cache.Config{Now: clk.now, DefaultTTL: time.Minute, Jitter: 0.5,
		StaleWhileRevalidate: time.Minute, StaleIfError: 10 * time.Minute, EarlyRecomputeBeta: -1})
	require.NoError(t, c.Set(ctx, "k", "v", nil))
	clk.advance(29 * time.Second)
	v, err := c.Get(ctx, "k")
	require.NoError(t, err, "jitter shortens a TTL by at most Jitter*TTL")
	require.Equal(t, "v", v)
	clk.advance(31*time.Second + time.Millisecond)
	_, err = c.Get(ctx, "k")
	require.ErrorIs(t, err, cache.ErrNotFound, "expired after its TTL")

	// Stale-while-revalidate: the stale value is served and refreshed in the background.
	done := make(chan struct{})
	v, err = c.GetOrLoad(ctx, "k", func(context.Context) (string, error) { defer close(done); return "v2", nil }, nil)
	require.NoError(t, err)
	require.Equal(t, "v", v)
	<-done
	require.Eventually(t, func() bool { v, err := c.Get(ctx, "k"); return err == nil && v == "v2" },
		5*time.Second, 5*time.Millisecond)
	require.Equal(t, uint64(1), c.Stats().StaleServed)

	// Stale-if-error: past the SWR window, a failing load falls back to the stale value.
	clk.advance(2 * time.Minute)
	v, err = c.GetOrLoad(ctx, "k", func(context.Context) (string, error) { return "", errors.New("db down") }, nil)
	require.NoError(t, err)
	require.Equal(t, "v2", v)
	clk.advance(10 * time.Minute)
	_, err = c.GetOrLoad(ctx, "k", func(context.Context) (string, error) { return "", errors.New("db down") }, nil)
	require.EqualError(t, err, "db down", "past the stale-if-error window the error is returned")

	// Jitter spreads expiries: with Jitter 0.5 a batch of entries does not expire at one instant.
	c2 := newCache[int](t, s, &cache.Config{Prefix: "jit", Now: clk.now, DefaultTTL: time.Minute, Jitter: 0.5})
	for i := range 40 {
		require.NoError(t, c2.Set(ctx, fmt.Sprint(i), i, nil))
	}
	clk.advance(45 * time.Second)
	alive := 0
	for i := range 40 {
		if _, err := c2.Get(ctx, fmt.Sprint(i)); err == nil {
			alive++
		}
	}
	require.Greater(t, alive, 0)
	require.Less(t, alive, 40)
}

func testMetadata(t *testing.T, s cache.Store) {
	ctx := context.Background()
	vc := anyCodec{}
	k := cache.Key{Namespace: "meta:0", Name: "k"}
	now := time.Now().UnixNano()
	vers, err := s.TagVersions(ctx, []string{"m1", "m2"})
	require.NoError(t, err)
	e := &cache.Entry{Value: "v", Tags: []string{"m1", "m2"}, Versions: vers, FreshUntil: now + int64(time.Minute),
		StaleUntil: now + int64(2*time.Minute), ErrorUntil: now + int64(3*time.Minute), Delta: 12345}
	require.NoError(t, s.Set(ctx, k, e, vc))
	got, err := s.Get(ctx, k, vc)
	require.NoError(t, err)
	require.NotNil(t, got)
	require.Equal(t, *e, *got)
	neg := &cache.Entry{Negative: true, FreshUntil: now + int64(time.Minute), StaleUntil: now + int64(time.Minute), ErrorUntil: now + int64(time.Minute)}
	require.NoError(t, s.Set(ctx, cache.Key{Namespace: "meta:0", Name: "neg"}, neg, vc))
	got, err = s.Get(ctx, cache.Key{Namespace: "meta:0", Name: "neg"}, vc)
	require.NoError(t, err)
	require.NotNil(t, got)
	require.True(t, got.Negative)
}

func testSingleflight(t *testing.T, s cache.Store) {
	ctx := context.Background()
	c := newCache[int](t, s, nil)
	var calls atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	const n = 200
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := c.GetOrLoad(ctx, "hot", func(context.Context) (int, error) {
				calls.Add(1)
				<-release
				return 7, nil
			}, cache.Tags("hot"))
			if err == nil && v != 7 {
				err = fmt.Errorf("got %d", v)
			}
			errs <- err
		}()
	}
	require.Eventually(t, func() bool { return calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	// A waiter that gives up gets its ctx error and cancels nobody.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err := c.GetOrLoad(cctx, "hot", func(context.Context) (int, error) { calls.Add(1); return 0, nil }, nil)
	require.ErrorIs(t, err, context.Canceled)
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, int32(1), calls.Load())

	// Every waiter gets the real error.
	boom := errors.New("boom")
	gate := make(chan struct{})
	var errCount atomic.Int32
	var wg2 sync.WaitGroup
	for range 20 {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			_, err := c.GetOrLoad(ctx, "failing", func(context.Context) (int, error) { <-gate; return 0, boom }, nil)
			if errors.Is(err, boom) {
				errCount.Add(1)
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(gate)
	wg2.Wait()
	require.Equal(t, int32(20), errCount.Load())
}

func testBadInput(t *testing.T, s cache.Store) {
	ctx := context.Background()
	c := newCache[string](t, s, nil)
	require.ErrorIs(t, c.Set(ctx, "", "v", nil), cache.ErrEmptyKey)
	_, err := c.Get(ctx, "")
	require.ErrorIs(t, err, cache.ErrEmptyKey)
	_, err = c.GetOrLoad(ctx, "k", nil, nil)
	require.ErrorIs(t, err, cache.ErrNilLoader)
	require.ErrorIs(t, c.Set(ctx, "k", "v", &cache.Options{TTL: -time.Second}), cache.ErrNegativeTTL)
	loaded := false
	_, err = c.GetOrLoad(ctx, "k", func(context.Context) (string, error) { loaded = true; return "v", nil },
		&cache.Options{TTL: -time.Second})
	require.ErrorIs(t, err, cache.ErrNegativeTTL)
	require.False(t, loaded, "a rejected GetOrLoad does not call its loader")
	_, err = c.GetOrLoad(ctx, "k", func(context.Context) (string, error) { loaded = true; return "v", nil },
		cache.Tags("ok", ""))
	require.ErrorIs(t, err, cache.ErrEmptyTag)
	require.ErrorIs(t, c.Set(ctx, "k", "v", cache.Tags("ok", "")), cache.ErrEmptyTag)
	require.ErrorIs(t, c.InvalidateTags(ctx, ""), cache.ErrEmptyTag)
	require.ErrorIs(t, c.Delete(ctx, ""), cache.ErrEmptyKey)
	require.ErrorIs(t, c.SetMany(ctx, map[string]string{"a": "1", "": "2"}, nil), cache.ErrEmptyKey)
	_, err = c.Get(ctx, "k")
	require.ErrorIs(t, err, cache.ErrNotFound, "nothing stored by a rejected call")
	_, err = c.Get(ctx, "a")
	require.ErrorIs(t, err, cache.ErrNotFound, "SetMany stores nothing when a key is invalid")
	// Over-long keys are hashed, and still distinct.
	long1, long2 := string(make([]byte, 5000))+"1", string(make([]byte, 5000))+"2"
	require.NoError(t, c.Set(ctx, long1, "one", nil))
	require.NoError(t, c.Set(ctx, long2, "two", nil))
	v, err := c.Get(ctx, long1)
	require.NoError(t, err)
	require.Equal(t, "one", v)
	v, err = c.Get(ctx, long2)
	require.NoError(t, err)
	require.Equal(t, "two", v)
}

func testPrefixes(t *testing.T, s cache.Store) {
	ctx := context.Background()
	a := newCache[string](t, s, &cache.Config{Prefix: "a"})
	b := newCache[string](t, s, &cache.Config{Prefix: "b"})
	a2 := newCache[string](t, s, &cache.Config{Prefix: "a", Version: 2})
	require.NoError(t, a.Set(ctx, "k", "from a", nil))
	_, err := b.Get(ctx, "k")
	require.ErrorIs(t, err, cache.ErrNotFound)
	_, err = a2.Get(ctx, "k")
	require.ErrorIs(t, err, cache.ErrNotFound, "a version bump hides the old entries")
}

// anyCodec passes strings through, for the store-level tests.
type anyCodec struct{}

func (anyCodec) Encode(v any) ([]byte, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%w: %T", cache.ErrEncode, v)
	}
	return []byte(s), nil
}

func (anyCodec) Decode(b []byte) (any, error) { return string(b), nil }
