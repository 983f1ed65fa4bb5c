package rediscache_test

import (
	"context"
	"errors"
	"fmt"
	"net"
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

// errorLog collects what the error hook receives.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) hook(_ context.Context, err error) {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
}

func (l *errorLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// TestRedisOutage stops a private Redis mid-test: requests keep being served through the
// loader, the hook sees the errors, the breaker opens (the store is no longer called), and once
// Redis is back the breaker closes and values are cached again.
func TestRedisOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testenv.StartRedis(t)
	client, err := rueidis.NewClient(rueidis.ClientOption{
		InitAddress:      []string{srv.Addr},
		Dialer:           net.Dialer{Timeout: 200 * time.Millisecond},
		ConnWriteTimeout: 500 * time.Millisecond,
		DisableRetry:     true,
	})
	require.NoError(t, err)
	t.Cleanup(client.Close)
	store, err := rediscache.New(client, nil)
	require.NoError(t, err)
	var log errorLog
	c, err := cache.New[string](store, &cache.Config{BreakerThreshold: 3, BreakerCooldown: 300 * time.Millisecond, OnError: log.hook})
	require.NoError(t, err)
	closed, err := cache.New[string](store, &cache.Config{Prefix: "closed", FailClosed: true, BreakerThreshold: -1})
	require.NoError(t, err)

	var loads atomic.Int32
	load := func(context.Context) (string, error) { loads.Add(1); return "from-db", nil }
	v, err := c.GetOrLoad(ctx, "k", load, cache.Tags("t"))
	require.NoError(t, err)
	require.Equal(t, "from-db", v)
	_, err = c.GetOrLoad(ctx, "k", load, cache.Tags("t"))
	require.NoError(t, err)
	require.Equal(t, int32(1), loads.Load(), "cached while Redis is up")

	require.NoError(t, srv.Stop())
	// Until the client notices the dead connection, rueidis may still serve its client-side
	// copies (they are the latest values: nothing can write to a dead server). Once it has
	// noticed, every request goes to the loader.
	require.Eventually(t, func() bool { return client.Do(ctx, client.B().Ping().Build()).Error() != nil },
		5*time.Second, 10*time.Millisecond)
	// Keys this process never read: no client-side copy can answer them, so each one needs Redis
	// (or, once the breaker is open, goes straight to the loader).
	for i := range 20 {
		v, err := c.GetOrLoad(ctx, fmt.Sprintf("new-%d", i), load, cache.Tags("t"))
		require.NoError(t, err, "fail-open: served through the loader")
		require.Equal(t, "from-db", v)
	}
	require.Equal(t, int32(21), loads.Load())
	st := c.Stats()
	require.GreaterOrEqual(t, st.BreakerOpens, uint64(1))
	require.Greater(t, st.BreakerRejects, uint64(0), "the open breaker stops calling Redis")
	require.Less(t, st.BackendErrors, uint64(20), "not every request waited on the dead Redis")
	errs := log.all()
	require.NotEmpty(t, errs)
	var oe *cache.OpError
	require.ErrorAs(t, errs[0], &oe)

	_, err = closed.GetOrLoad(ctx, "k", load, nil)
	require.Error(t, err, "fail-closed returns the store error")
	require.ErrorAs(t, err, &oe)
	require.Error(t, c.InvalidateTags(ctx, "t"), "an invalidation is never silently lost")

	startCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	require.NoError(t, srv.Start(startCtx))
	// The breaker probes after its cooldown, closes, and values are cached again.
	require.Eventually(t, func() bool {
		if _, err := c.GetOrLoad(ctx, "k", load, cache.Tags("t")); err != nil {
			return false
		}
		_, err := c.Get(ctx, "k") // cached again: Redis is used again
		return err == nil
	}, 15*time.Second, 50*time.Millisecond)
	errsBefore := len(log.all())
	for range 10 {
		_, err := c.Get(ctx, "k")
		require.NoError(t, err)
	}
	require.Len(t, log.all(), errsBefore, "no more errors once closed")
}

func TestCorruptEntryIsMissPlusHook(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, prefix := testenv.Redis(t)
	store, err := rediscache.New(client, &rediscache.Config{Prefix: prefix})
	require.NoError(t, err)
	var log errorLog
	type product struct{ ID int }
	c, err := cache.New[product](store, &cache.Config{Prefix: "p", OnError: log.hook})
	require.NoError(t, err)
	key := prefix + "e:p:0:"
	for i, garbage := range []string{
		"not an entry",
		"BC1",
		"BC1\x00" + string(make([]byte, 40)) + "\x05",          // claims 5 tags, has none
		"BC1\x00" + string(make([]byte, 40)) + "\x00{not json", // valid header, payload the codec rejects
	} {
		name := string(rune('a' + i))
		require.NoError(t, client.Do(ctx, client.B().Set().Key(key+name).Value(garbage).Build()).Error())
		before := len(log.all())
		_, err := c.Get(ctx, name)
		require.ErrorIs(t, err, cache.ErrNotFound)
		errs := log.all()
		require.Len(t, errs, before+1)
		require.ErrorIs(t, errs[before], cache.ErrCorrupt)
		// GetOrLoad over a corrupt entry loads and replaces it.
		v, err := c.GetOrLoad(ctx, name, func(context.Context) (product, error) { return product{ID: i}, nil }, nil)
		require.NoError(t, err)
		require.Equal(t, i, v.ID)
		v, err = c.Get(ctx, name)
		require.NoError(t, err)
		require.Equal(t, i, v.ID)
	}
	require.Zero(t, c.Stats().BackendErrors, "corruption is not an outage")
}

func TestUnencodableValue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, err := cache.New[chan int](newStore(t, nil), nil)
	require.NoError(t, err)
	err = c.Set(ctx, "k", make(chan int), nil)
	require.ErrorIs(t, err, cache.ErrEncode)
	_, err = c.Get(ctx, "k")
	require.ErrorIs(t, err, cache.ErrNotFound, "nothing stored")
	err = c.SetMany(ctx, map[string]chan int{"a": make(chan int)}, nil)
	require.ErrorIs(t, err, cache.ErrEncode)
	// GetOrLoad still returns the loaded value; the encode failure goes to the hook.
	ch := make(chan int)
	v, err := c.GetOrLoad(ctx, "k", func(context.Context) (chan int, error) { return ch, nil }, nil)
	require.NoError(t, err)
	require.Equal(t, ch, v)
	require.Zero(t, c.Stats().BackendErrors)
	require.False(t, errors.Is(err, cache.ErrUnavailable))
}

// TestCallersThatGiveUpDoNotOpenTheBreaker: requests whose context ends while the store is
// asked (client disconnects, deadlines) get their ctx error; the breaker and the error hook hear
// nothing, so a burst of disconnects does not turn the cache off for everyone else.
func TestCallersThatGiveUpDoNotOpenTheBreaker(t *testing.T) {
	t.Parallel()
	client, prefix := testenv.Redis(t)
	store, err := rediscache.New(client, &rediscache.Config{Prefix: prefix})
	require.NoError(t, err)
	var log errorLog
	c, err := cache.New[string](store, &cache.Config{BreakerThreshold: 2, BreakerCooldown: time.Minute, OnError: log.hook})
	require.NoError(t, err)
	bg := context.Background()
	require.NoError(t, c.Set(bg, "k", "v", nil))
	for range 5 {
		ctx, cancel := context.WithCancel(bg)
		cancel()
		_, err := c.Get(ctx, "k-"+fmt.Sprint(time.Now().UnixNano())) // uncached locally: Redis is asked
		require.ErrorIs(t, err, context.Canceled)
		_, err = c.GetOrLoad(ctx, "l-"+fmt.Sprint(time.Now().UnixNano()), func(context.Context) (string, error) { return "x", nil }, nil)
		require.ErrorIs(t, err, context.Canceled)
	}
	st := c.Stats()
	require.Zero(t, st.BackendErrors)
	require.Zero(t, st.BreakerOpens)
	require.Empty(t, log.all())
	v, err := c.Get(bg, "k")
	require.NoError(t, err, "the breaker stayed closed")
	require.Equal(t, "v", v)
}

// TestCorruptTagIsReplaced: a tag key holding bytes that are not a version (written by
// something else) is replaced by a fresh version when an entry is written with that tag, so the
// entry carries a real version, and an entry is never judged current against such bytes.
func TestCorruptTagIsReplaced(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, prefix := testenv.Redis(t)
	store, err := rediscache.New(client, &rediscache.Config{Prefix: prefix})
	require.NoError(t, err)
	c, err := cache.New[string](store, nil)
	require.NoError(t, err)
	tagKey := prefix + "t:catalog"
	require.NoError(t, client.Do(ctx, client.B().Set().Key(tagKey).Value("garbage").Build()).Error())
	vers, err := store.TagVersions(ctx, []string{"catalog"})
	require.NoError(t, err)
	require.NotZero(t, vers[0], "a version is never 0")
	raw, err := client.Do(ctx, client.B().Get().Key(tagKey).Build()).ToString()
	require.NoError(t, err)
	require.NotEqual(t, "garbage", raw, "the bytes were replaced")

	require.NoError(t, c.Set(ctx, "k", "v", cache.Tags("catalog")))
	got, err := c.Get(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, "v", got)
	// Something overwrites the tag with other bytes: the entry is no longer current.
	require.NoError(t, client.Do(ctx, client.B().Set().Key(tagKey).Value("other garbage").Build()).Error())
	require.Eventually(t, func() bool { _, err := c.Get(ctx, "k"); return errors.Is(err, cache.ErrNotFound) },
		2*time.Second, 10*time.Millisecond)
}
