package redisstore_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buttress-go/buttress/internal/testenv"
	"github.com/buttress-go/buttress/ratelimit"
	"github.com/buttress-go/buttress/ratelimit/redisstore"
	"github.com/redis/rueidis"
	"github.com/stretchr/testify/require"
)

// setup returns a Store on the shared Redis under a key prefix private to the test.
func setup(t *testing.T, cluster bool) (*redisstore.Store, rueidis.Client) {
	t.Helper()
	client, prefix := testenv.Redis(t)
	s, err := redisstore.New(client, &redisstore.Config{Prefix: prefix, Cluster: cluster})
	require.NoError(t, err)
	return s, client
}

func take(t testing.TB, s ratelimit.Store, reqs ...ratelimit.Request) (bool, []ratelimit.Result) {
	t.Helper()
	res := make([]ratelimit.Result, len(reqs))
	ok, err := s.Take(context.Background(), reqs, res)
	require.NoError(t, err)
	return ok, res
}

func concurrent(n int, f func() bool) int {
	var allowed atomic.Int64
	var start, done sync.WaitGroup
	start.Add(1)
	for range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			if f() {
				allowed.Add(1)
			}
		}()
	}
	start.Done()
	done.Wait()
	return int(allowed.Load())
}

func TestExactUnderConcurrency(t *testing.T) {
	t.Parallel()
	for _, cluster := range []bool{false, true} {
		s, _ := setup(t, cluster)
		for round := range 10 {
			key := fmt.Sprintf("k%d", round)
			got := concurrent(64, func() bool {
				res := make([]ratelimit.Result, 2)
				ok, err := s.Take(context.Background(), []ratelimit.Request{
					{Key: key, Limit: ratelimit.PerMinute(10)},
					{Key: key + ":day", Limit: ratelimit.PerDay(1000)},
				}, res)
				require.NoError(t, err)
				return ok
			})
			require.Equal(t, 10, got, "cluster=%v round %d", cluster, round)
		}
	}
}

func TestMiddlewareExactUnderConcurrency(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, false)
	// Fail closed with a generous timeout: a slow, loaded test machine must not turn store
	// timeouts into admissions; StoreErrors is checked below.
	l, err := ratelimit.New(s, &ratelimit.Config{FailClosed: true, Timeout: 10 * time.Second})
	require.NoError(t, err)
	mw, err := l.Middleware([]ratelimit.Policy{{Name: "ip", Limit: ratelimit.PerMinute(10), Key: ratelimit.ClientIP(nil)}}, nil)
	require.NoError(t, err)
	srv := httptest.NewServer(mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	t.Cleanup(srv.Close)
	var c429 atomic.Int64
	got := concurrent(64, func() bool {
		resp, err := srv.Client().Get(srv.URL)
		require.NoError(t, err)
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			c429.Add(1)
			require.NotEmpty(t, resp.Header.Get("Retry-After"))
		}
		return resp.StatusCode == http.StatusOK
	})
	require.Zero(t, l.Stats().StoreErrors)
	require.Equal(t, 10, got)
	require.Equal(t, int64(54), c429.Load())
}

func TestAllOrNothing(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, false)
	burst := ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 2}
	reqs := []ratelimit.Request{{Key: "ip", Limit: burst}, {Key: "user", Limit: ratelimit.PerDay(5)}}
	for range 2 {
		ok, _ := take(t, s, reqs...)
		require.True(t, ok)
	}
	ok, res := take(t, s, reqs...)
	require.False(t, ok)
	require.False(t, res[0].Allowed)
	require.True(t, res[1].Allowed)
	require.Equal(t, 3, res[1].Remaining, "the rejected request did not charge the daily quota")
	require.InDelta(t, float64(time.Hour), float64(res[0].RetryAfter), float64(time.Second))
	_, res = take(t, s, ratelimit.Request{Key: "user", Limit: ratelimit.PerDay(5)})
	require.Equal(t, 2, res[0].Remaining)
}

// serverTime reads Redis's clock, the one the script uses.
func serverTime(t *testing.T, c rueidis.Client) time.Time {
	t.Helper()
	v, err := c.Do(context.Background(), c.B().Time().Build()).AsStrSlice()
	require.NoError(t, err)
	sec, err := strconv.ParseInt(v[0], 10, 64)
	require.NoError(t, err)
	usec, err := strconv.ParseInt(v[1], 10, 64)
	require.NoError(t, err)
	return time.Unix(sec, usec*1000)
}

// TestRecoversAtRate checks the refill against the server's clock: every bound below is between
// readings of Redis TIME taken around the calls, none is a wall-clock threshold.
func TestRecoversAtRate(t *testing.T) {
	t.Parallel()
	s, c := setup(t, false)
	l := ratelimit.Limit{Rate: 2, Period: time.Second, Burst: 2} // one every 500ms
	iv := l.Interval()
	for attempt := 0; ; attempt++ {
		require.Less(t, attempt, 5, "the machine never ran three calls within one interval")
		key := fmt.Sprintf("k%d", attempt)
		t1 := serverTime(t, c)
		ok1, _ := take(t, s, ratelimit.Request{Key: key, Limit: l})
		ok2, _ := take(t, s, ratelimit.Request{Key: key, Limit: l})
		ok3, res := take(t, s, ratelimit.Request{Key: key, Limit: l})
		t2 := serverTime(t, c)
		if t2.Sub(t1) >= iv/2 {
			continue // too slow to say anything about the third call; try again
		}
		require.True(t, ok1 && ok2, "the burst of 2 is admitted")
		require.False(t, ok3, "the third call within half an interval is rejected")
		// The bucket opens one interval after the first call: RetryAfter is that minus the
		// time already gone, which the two TIME readings bound.
		require.LessOrEqual(t, res[0].RetryAfter, iv)
		require.GreaterOrEqual(t, res[0].RetryAfter, iv-t2.Sub(t1)-time.Microsecond)
		require.Equal(t, 0, res[0].Remaining)
		// Wait on the server's clock until the bucket must have room again.
		opens := t2.Add(res[0].RetryAfter)
		for serverTime(t, c).Before(opens) {
			time.Sleep(10 * time.Millisecond)
		}
		ok, res := take(t, s, ratelimit.Request{Key: key, Limit: l})
		require.True(t, ok, "one request is admitted once the interval has passed on the server")
		require.Less(t, res[0].Remaining, l.Burst, "this request was charged")
		return
	}
}

// commandCalls returns the calls of each command since CONFIG RESETSTAT (INFO commandstats).
func commandCalls(t *testing.T, c rueidis.Client) map[string]int {
	t.Helper()
	info, err := c.Do(context.Background(), c.B().Info().Section("commandstats").Build()).ToString()
	require.NoError(t, err)
	out := map[string]int{}
	for _, line := range strings.Split(info, "\r\n") {
		name, rest, ok := strings.Cut(strings.TrimPrefix(line, "cmdstat_"), ":calls=")
		if !ok || !strings.HasPrefix(line, "cmdstat_") {
			continue
		}
		n, err := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
		require.NoError(t, err)
		out[name] = n
	}
	return out
}

func TestOneRoundTripPerCheckAndLocalCache(t *testing.T) {
	t.Parallel()
	srv := testenv.StartRedis(t)
	client := testenv.NewRedisClient(t, srv.Addr)
	admin := testenv.NewRedisClient(t, srv.Addr)
	s, err := redisstore.New(client, nil)
	require.NoError(t, err)
	ctx := context.Background()
	take(t, s, ratelimit.Request{Key: "warm", Limit: ratelimit.PerSecond(1)}) // loads the script
	require.NoError(t, admin.Do(ctx, admin.B().ConfigResetstat().Build()).Error())

	const n = 50
	for i := range n {
		take(t, s,
			ratelimit.Request{Key: fmt.Sprintf("ip%d", i), Limit: ratelimit.PerSecond(5)},
			ratelimit.Request{Key: "user", Limit: ratelimit.PerDay(1000)},
			ratelimit.Request{Key: "route", Limit: ratelimit.PerMinute(10000)},
		)
	}
	calls := commandCalls(t, admin)
	require.Equal(t, n, calls["evalsha"], "three policies, one EVALSHA per check")
	require.Zero(t, calls["eval"])

	// A hot abusive key: after its first rejection the limiter answers locally.
	l, err := ratelimit.New(s, &ratelimit.Config{FailClosed: true, Timeout: 10 * time.Second})
	require.NoError(t, err)
	require.NoError(t, admin.Do(ctx, admin.B().ConfigResetstat().Build()).Error())
	hot := ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 3}
	allowed := 0
	var first, local ratelimit.Result
	for i := range 200 {
		d, r, err := l.Allow(ctx, "abuser", hot)
		require.NoError(t, err)
		if d.Allowed {
			allowed++
		}
		switch i {
		case 3:
			require.False(t, d.Local, "the first rejection comes from Redis")
			first = r
		case 199:
			require.True(t, d.Local)
			local = r
		}
	}
	require.Equal(t, 3, allowed)
	// A local answer describes the same bucket as the store's: it is full again ~3h from now
	// (three units at one per hour), not when the next unit fits.
	require.InDelta(t, first.ResetAfter.Seconds(), local.ResetAfter.Seconds(), 2, "store said %v, local cache %v", first.ResetAfter, local.ResetAfter)
	require.InDelta(t, first.RetryAfter.Seconds(), local.RetryAfter.Seconds(), 2)
	require.Greater(t, local.ResetAfter, 2*time.Hour)
	require.Equal(t, 4, commandCalls(t, admin)["evalsha"], "3 admissions + 1 rejection reached Redis; 196 were answered locally")
	st := l.Stats()
	require.Zero(t, st.StoreErrors)
	require.Equal(t, uint64(196), st.LocalRejects)
	require.Equal(t, uint64(197), st.Limited)
}

func TestRedisDown(t *testing.T) {
	t.Parallel()
	for _, failClosed := range []bool{false, true} {
		t.Run(fmt.Sprintf("failClosed=%v", failClosed), func(t *testing.T) {
			t.Parallel()
			srv := testenv.StartRedis(t)
			client := testenv.NewRedisClient(t, srv.Addr)
			s, err := redisstore.New(client, nil)
			require.NoError(t, err)
			var mu sync.Mutex
			now := time.Now()
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			var storeErrs atomic.Int64
			// A generous Timeout: on a loaded machine a live Redis may take longer than the 250ms
			// default, which would count as an outage before the one this test injects.
			l, err := ratelimit.New(s, &ratelimit.Config{FailClosed: failClosed, BreakerThreshold: 3, BreakerCooldown: time.Minute,
				Timeout: 10 * time.Second, Now: clock, OnError: func(_ context.Context, err error) { storeErrs.Add(1); t.Log(err) }})
			require.NoError(t, err)
			mw, err := l.Middleware([]ratelimit.Policy{{Name: "ip", Limit: ratelimit.PerMinute(2), Key: ratelimit.ClientIP(nil)}}, nil)
			require.NoError(t, err)
			h := mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			code := func() (int, http.Header) {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
				return w.Code, w.Header()
			}
			c, _ := code()
			require.Equal(t, 200, c)

			require.NoError(t, srv.Stop())
			want := 200
			if failClosed {
				want = http.StatusServiceUnavailable
			}
			for range 10 {
				c, hdr := code()
				require.Equal(t, want, c)
				if failClosed {
					require.NotEmpty(t, hdr.Get("Retry-After"))
				}
			}
			require.Equal(t, int64(3), storeErrs.Load(), "the breaker opened after 3 failures and spared the dead server")
			st := l.Stats()
			require.True(t, st.BreakerOpen)
			if failClosed {
				require.Equal(t, uint64(10), st.FailClosed)
			} else {
				require.Equal(t, uint64(10), st.FailOpen)
			}

			// Redis comes back (empty: it kept nothing); after the cooldown one probe closes the breaker.
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			require.NoError(t, srv.Start(ctx))
			mu.Lock()
			now = now.Add(time.Minute)
			mu.Unlock()
			var codes []int
			for range 3 {
				c, _ := code()
				codes = append(codes, c)
			}
			require.Equal(t, []int{200, 200, 429}, codes, "limits apply again once Redis is back")
			require.False(t, l.Stats().BreakerOpen)
		})
	}
}

func TestIPv6SharesSlash64(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, false)
	l, err := ratelimit.New(s, nil)
	require.NoError(t, err)
	mw, err := l.Middleware([]ratelimit.Policy{{Name: "ip", Limit: ratelimit.PerMinute(1), Key: ratelimit.ClientIP(nil)}}, nil)
	require.NoError(t, err)
	h := mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	code := func(remote string) int {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	require.Equal(t, 200, code("[2001:db8:aa:bb::1]:1"))
	require.Equal(t, 429, code("[2001:db8:aa:bb:1234:5678:9abc:def0]:2"), "same /64")
	require.Equal(t, 200, code("[2001:db8:aa:bc::1]:1"), "another /64")
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	_, err := redisstore.New(nil, nil)
	require.ErrorIs(t, err, ratelimit.ErrInvalidConfig)
	s, _ := setup(t, false)
	res := make([]ratelimit.Result, 1)
	for _, r := range []ratelimit.Request{
		{Key: "", Limit: ratelimit.PerSecond(1)},
		{Key: "k", Limit: ratelimit.Limit{Rate: 1, Period: time.Second, Burst: 0}},
		{Key: "k", Limit: ratelimit.PerSecond(0)},
		{Key: "k", Limit: ratelimit.Limit{Rate: -1, Period: time.Second, Burst: 1}},
	} {
		_, err := s.Take(context.Background(), []ratelimit.Request{r}, res)
		require.Error(t, err)
	}
}
