package ratelimit_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/buttress-go/buttress/ratelimit"
	"github.com/stretchr/testify/require"
)

type bundle struct {
	clock   *fakeClock
	store   *ratelimit.MemoryStore
	limiter *ratelimit.Limiter
	handler http.Handler
	mu      sync.Mutex
	rejects []ratelimit.Rejection
}

// setup builds a limiter over a memory store with a fake clock and wraps an "ok" handler in
// middleware with the given policies.
func setup(t *testing.T, cfg *ratelimit.Config, mcfg *ratelimit.MiddlewareConfig, policies ...ratelimit.Policy) *bundle {
	t.Helper()
	b := &bundle{clock: newFakeClock()}
	b.store = newMemory(t, &ratelimit.MemoryConfig{Now: b.clock.Now})
	var c ratelimit.Config
	if cfg != nil {
		c = *cfg
	}
	c.Now = b.clock.Now
	c.OnReject = func(_ context.Context, rej ratelimit.Rejection) {
		b.mu.Lock()
		b.rejects = append(b.rejects, rej)
		b.mu.Unlock()
	}
	var err error
	b.limiter, err = ratelimit.New(b.store, &c)
	require.NoError(t, err)
	mw, err := b.limiter.Middleware(policies, mcfg)
	require.NoError(t, err)
	b.handler = mw(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	return b
}

func (b *bundle) do(remote string, mod ...func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "/items", nil)
	r.RemoteAddr = remote
	for _, m := range mod {
		m(r)
	}
	w := httptest.NewRecorder()
	b.handler.ServeHTTP(w, r)
	return w
}

func ipPolicy(l ratelimit.Limit) ratelimit.Policy {
	return ratelimit.Policy{Name: "ip", Limit: l, Key: ratelimit.ClientIP(nil)}
}

func TestMiddlewareExactUnderConcurrency(t *testing.T) {
	t.Parallel()
	b := setup(t, nil, nil, ipPolicy(ratelimit.PerMinute(10)))
	codes := make(chan int, 64)
	got := concurrentTakes(t, 64, func() bool {
		w := b.do("192.0.2.1:1234")
		codes <- w.Code
		return w.Code == http.StatusOK
	})
	close(codes)
	require.Equal(t, 10, got)
	for c := range codes {
		require.Contains(t, []int{200, 429}, c)
	}
	st := b.limiter.Stats()
	require.Equal(t, uint64(64), st.Checks)
	require.Equal(t, uint64(10), st.Allowed)
	require.Equal(t, uint64(54), st.Limited)
}

func TestMiddlewareHeadersAndProblem(t *testing.T) {
	t.Parallel()
	l := ratelimit.Limit{Rate: 2, Period: 3 * time.Second, Burst: 2} // one every 1.5s
	b := setup(t, nil, &ratelimit.MiddlewareConfig{LegacyHeaders: true}, ipPolicy(l))

	w := b.do("192.0.2.1:1")
	require.Equal(t, 200, w.Code)
	require.Equal(t, `"ip";q=2;w=3`, w.Header().Get("RateLimit-Policy"))
	require.Equal(t, `"ip";r=1;t=2`, w.Header().Get("RateLimit"), "t rounds 1.5s up")
	require.Equal(t, "2", w.Header().Get("X-RateLimit-Limit"))
	require.Equal(t, "1", w.Header().Get("X-RateLimit-Remaining"))
	require.Empty(t, w.Header().Get("Retry-After"))

	require.Equal(t, 200, b.do("192.0.2.1:1").Code)
	w = b.do("192.0.2.1:1")
	require.Equal(t, http.StatusTooManyRequests, w.Code)
	require.Equal(t, "2", w.Header().Get("Retry-After"), "1.5s rounds up to 2, never earlier")
	require.Equal(t, `"ip";r=0;t=3`, w.Header().Get("RateLimit"))
	require.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	var p map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &p))
	require.Equal(t, ratelimit.ProblemTypeQuotaExceeded, p["type"])
	require.Equal(t, float64(429), p["status"])
	require.Equal(t, []any{"ip"}, p["violated-policies"])

	b.clock.Advance(500 * time.Millisecond) // 1s left
	require.Equal(t, "1", b.do("192.0.2.1:1").Header().Get("Retry-After"))
	b.clock.Advance(999 * time.Millisecond) // 1ms left: still a whole second, never 0
	require.Equal(t, "1", b.do("192.0.2.1:1").Header().Get("Retry-After"))
	b.clock.Advance(time.Millisecond)
	require.Equal(t, 200, b.do("192.0.2.1:1").Code)

	b.mu.Lock()
	defer b.mu.Unlock()
	require.Len(t, b.rejects, 3)
	require.False(t, b.rejects[0].Shadow)
}

func TestMiddlewareSeveralPolicies(t *testing.T) {
	t.Parallel()
	type userKey struct{}
	user := ratelimit.FromContext(func(ctx context.Context) (string, bool) {
		u, ok := ctx.Value(userKey{}).(string)
		return u, ok
	})
	b := setup(t, nil, nil,
		ipPolicy(ratelimit.PerSecond(3)),
		ratelimit.Policy{Name: "user-daily", Limit: ratelimit.PerDay(4), Key: user},
		ratelimit.Policy{Name: "route", Limit: ratelimit.PerSecond(100), Key: ratelimit.Join(ratelimit.Route(), ratelimit.ClientIP(nil))},
	)
	as := func(u string) func(*http.Request) {
		return func(r *http.Request) { *r = *r.WithContext(context.WithValue(r.Context(), userKey{}, u)) }
	}
	// Anonymous: the user policy is skipped, the others apply.
	w := b.do("192.0.2.7:1")
	require.Equal(t, 200, w.Code)
	require.Equal(t, `"ip";q=3;w=1, "route";q=100;w=1`, w.Header().Get("RateLimit-Policy"))

	// Alice from three addresses: the IP burst is per address, her daily quota is shared.
	for i, ip := range []string{"198.51.100.1:1", "198.51.100.2:1", "198.51.100.3:1", "198.51.100.4:1"} {
		w := b.do(ip, as("alice"))
		require.Equal(t, 200, w.Code, "request %d", i)
	}
	w = b.do("198.51.100.5:1", as("alice"))
	require.Equal(t, 429, w.Code)
	require.Contains(t, w.Body.String(), `"violated-policies":["user-daily"]`)
	require.Equal(t, `"ip";q=3;w=1, "user-daily";q=4;w=86400, "route";q=100;w=1`, w.Header().Get("RateLimit-Policy"))
	require.Contains(t, w.Header().Get("RateLimit"), `"user-daily";r=0;t=86400`)
	require.Equal(t, "21600", w.Header().Get("Retry-After"), "one day / 4")
}

func TestMiddlewareIPv6SharesSlash64(t *testing.T) {
	t.Parallel()
	b := setup(t, nil, nil, ipPolicy(ratelimit.PerMinute(2)))
	require.Equal(t, 200, b.do("[2001:db8:1:2::1]:443").Code)
	require.Equal(t, 200, b.do("[2001:db8:1:2:ffff:ffff:ffff:fffe]:443").Code)
	require.Equal(t, 429, b.do("[2001:db8:1:2:aaaa::9]:443").Code, "same /64, same bucket")
	require.Equal(t, 200, b.do("[2001:db8:1:3::1]:443").Code, "next /64, own bucket")
	// IPv4-mapped IPv6 and plain IPv4 are one client
	require.Equal(t, 200, b.do("192.0.2.9:1").Code)
	require.Equal(t, 200, b.do("[::ffff:192.0.2.9]:1").Code)
	require.Equal(t, 429, b.do("192.0.2.9:2").Code)
}

func TestMiddlewareResolver(t *testing.T) {
	t.Parallel()
	resolver := func(r *http.Request) (netipAddr, error) { return parseXFF(r) }
	b := setup(t, nil, nil, ratelimit.Policy{Name: "ip", Limit: ratelimit.PerMinute(1), Key: ratelimit.ClientIP(resolver)})
	xff := func(v string) func(*http.Request) { return func(r *http.Request) { r.Header.Set("X-Client", v) } }
	require.Equal(t, 200, b.do("10.0.0.1:1", xff("203.0.113.5")).Code)
	require.Equal(t, 200, b.do("10.0.0.1:1", xff("203.0.113.6")).Code, "keyed by the resolved IP, not the proxy")
	require.Equal(t, 429, b.do("10.0.0.2:1", xff("203.0.113.5")).Code)
}

func TestMiddlewareKeyErrors(t *testing.T) {
	t.Parallel()
	var keyErrs []error
	var mu sync.Mutex
	onKeyErr := func(_ *http.Request, _ string, err error) { mu.Lock(); keyErrs = append(keyErrs, err); mu.Unlock() }

	// Default: 400, never unlimited.
	b := setup(t, nil, &ratelimit.MiddlewareConfig{OnKeyError: onKeyErr}, ipPolicy(ratelimit.PerMinute(1)))
	for _, bad := range []string{"garbage", "", "@", "999.1.1.1:80", "[::1"} {
		w := b.do(bad)
		require.Equal(t, http.StatusBadRequest, w.Code, "remote %q", bad)
		require.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	}
	mu.Lock()
	require.Len(t, keyErrs, 5)
	require.ErrorIs(t, keyErrs[0], ratelimit.ErrNoClientIP)
	mu.Unlock()
	require.Equal(t, 200, b.do("[::1]:5").Code)

	// With a fallback key, all unattributable requests share one bucket.
	b = setup(t, nil, &ratelimit.MiddlewareConfig{KeyErrorFallback: "unknown"}, ipPolicy(ratelimit.PerMinute(2)))
	require.Equal(t, 200, b.do("garbage").Code)
	require.Equal(t, 200, b.do("junk").Code)
	require.Equal(t, 429, b.do("").Code)

	// An empty key from a KeyFunc is an error, not a skip.
	empty := func(*http.Request) (string, error) { return "", nil }
	b = setup(t, nil, nil, ratelimit.Policy{Name: "e", Limit: ratelimit.PerMinute(1), Key: empty})
	require.Equal(t, http.StatusBadRequest, b.do("192.0.2.1:1").Code)
}

func TestMiddlewareShadow(t *testing.T) {
	t.Parallel()
	b := setup(t, &ratelimit.Config{Shadow: true}, nil, ipPolicy(ratelimit.PerMinute(2)))
	for range 5 {
		w := b.do("192.0.2.1:1")
		require.Equal(t, 200, w.Code)
		require.Empty(t, w.Header().Get("RateLimit"), "a shadow policy is not advertised")
	}
	st := b.limiter.Stats()
	require.Equal(t, uint64(3), st.Limited)
	require.Equal(t, uint64(3), st.ShadowAllowed)
	require.Equal(t, uint64(5), st.Allowed)
	b.mu.Lock()
	defer b.mu.Unlock()
	require.Len(t, b.rejects, 3)
	require.True(t, b.rejects[0].Shadow)
}

func TestMiddlewareBadConfig(t *testing.T) {
	t.Parallel()
	l, err := ratelimit.New(newMemory(t, nil), nil)
	require.NoError(t, err)
	ok := ratelimit.ClientIP(nil)
	cases := []struct {
		p    []ratelimit.Policy
		want string
	}{
		{nil, "no policies"},
		{[]ratelimit.Policy{{Name: "", Limit: ratelimit.PerSecond(1), Key: ok}}, "Policy[0].Name"},
		{[]ratelimit.Policy{{Name: `a"b`, Limit: ratelimit.PerSecond(1), Key: ok}}, "Policy[0].Name"},
		{[]ratelimit.Policy{{Name: "a", Limit: ratelimit.PerSecond(1), Key: ok}, {Name: "a", Limit: ratelimit.PerSecond(1), Key: ok}}, "used twice"},
		{[]ratelimit.Policy{{Name: "a", Limit: ratelimit.PerSecond(0), Key: ok}}, "Limit.Rate"},
		{[]ratelimit.Policy{{Name: "a", Limit: ratelimit.Limit{Rate: 1, Period: time.Second}, Key: ok}}, "Limit.Burst"},
		{[]ratelimit.Policy{{Name: "a", Limit: ratelimit.PerSecond(1)}}, "Policy[0].Key"},
		{make([]ratelimit.Policy, 17), "at most 16"},
	}
	for _, c := range cases {
		_, err := l.Middleware(c.p, nil)
		require.ErrorContains(t, err, c.want)
	}
	ctx := context.Background()
	_, _, err = l.Allow(ctx, "", ratelimit.PerSecond(1))
	require.ErrorIs(t, err, ratelimit.ErrInvalidRequest)
	_, _, err = l.Allow(ctx, "k", ratelimit.Limit{Rate: 1, Period: time.Second})
	require.ErrorIs(t, err, ratelimit.ErrInvalidLimit)
	d, _, err := l.Allow(ctx, "k", ratelimit.PerSecond(-1))
	require.ErrorIs(t, err, ratelimit.ErrInvalidLimit)
	require.False(t, d.Allowed, "an invalid limit never admits")
	require.Zero(t, l.Stats().Checks, "invalid checks are not counted as checks")
	_, err = ratelimit.New(nil, nil)
	require.ErrorIs(t, err, ratelimit.ErrInvalidConfig)
	_, err = ratelimit.New(newMemory(t, nil), &ratelimit.Config{BreakerThreshold: -1})
	require.ErrorContains(t, err, "Config.BreakerThreshold")
	_, err = ratelimit.New(newMemory(t, nil), &ratelimit.Config{BreakerCooldown: -1})
	require.ErrorContains(t, err, "Config.BreakerCooldown")
}

// failingStore is a Store whose backend is down; the Redis-backed tests in redisstore stop a real
// server, this one exercises the breaker's state machine with a fake clock.
type failingStore struct {
	mu    sync.Mutex
	calls int
	down  bool
	inner ratelimit.Store
}

func (f *failingStore) Take(ctx context.Context, reqs []ratelimit.Request, res []ratelimit.Result) (bool, error) {
	f.mu.Lock()
	f.calls++
	down := f.down
	f.mu.Unlock()
	if down {
		return false, errors.New("connection refused")
	}
	return f.inner.Take(ctx, reqs, res)
}

func (f *failingStore) set(down bool) { f.mu.Lock(); f.down = down; f.mu.Unlock() }
func (f *failingStore) n() int        { f.mu.Lock(); defer f.mu.Unlock(); return f.calls }

func TestLimiterBreaker(t *testing.T) {
	t.Parallel()
	for _, failClosed := range []bool{false, true} {
		clock := newFakeClock()
		fs := &failingStore{inner: newMemory(t, nil), down: true}
		var errs int
		l, err := ratelimit.New(fs, &ratelimit.Config{FailClosed: failClosed, BreakerThreshold: 3, BreakerCooldown: 10 * time.Second,
			Now: clock.Now, OnError: func(context.Context, error) { errs++ }})
		require.NoError(t, err)
		mw, err := l.Middleware([]ratelimit.Policy{ipPolicy(ratelimit.PerMinute(100))}, nil)
		require.NoError(t, err)
		h := mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		code := func() int {
			r := httptest.NewRequest("GET", "/", nil)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w.Code
		}
		want := 200
		if failClosed {
			want = http.StatusServiceUnavailable
		}
		for range 10 {
			require.Equal(t, want, code())
		}
		require.Equal(t, 3, fs.n(), "the breaker opened after 3 errors and stopped calling the store")
		require.Equal(t, 3, errs)
		st := l.Stats()
		require.True(t, st.BreakerOpen)
		require.Equal(t, uint64(1), st.BreakerTrips)
		if failClosed {
			require.Equal(t, uint64(10), st.FailClosed)
		} else {
			require.Equal(t, uint64(10), st.FailOpen)
		}
		// cooldown passes, store still down: one probe, breaker reopens
		clock.Advance(10 * time.Second)
		require.Equal(t, want, code())
		require.Equal(t, want, code())
		require.Equal(t, 4, fs.n())
		require.Equal(t, uint64(2), l.Stats().BreakerTrips)
		// store back: the next probe closes the breaker
		fs.set(false)
		clock.Advance(10 * time.Second)
		require.Equal(t, 200, code())
		require.Equal(t, 200, code())
		require.Equal(t, 6, fs.n())
		require.False(t, l.Stats().BreakerOpen)
	}
}
