package httpcache

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/buttress-go/buttress/cache"
	"github.com/stretchr/testify/require"
)

type ctxT = context.Context

func hello(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "hello %s", r.URL.Query().Get("name"))
}

func TestMissThenHit(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	h := p.Middleware(b.counting(hello))

	w := get(h, "GET", "/greet?name=ann")
	require.Equal(t, 200, w.Code)
	require.Equal(t, "hello ann", w.Body.String())
	requireStatus(t, w, "buttress; fwd=uri-miss; stored")
	etag := w.Header().Get("ETag")
	require.Regexp(t, `^"[A-Za-z0-9_-]{22}"$`, etag)
	require.Equal(t, "9", w.Header().Get("Content-Length"))
	require.Equal(t, "text/plain; charset=utf-8", w.Header().Get("Content-Type"))

	b.clock.Advance(7 * time.Second)
	w = get(h, "GET", "/greet?name=ann")
	require.Equal(t, 200, w.Code)
	require.Equal(t, "hello ann", w.Body.String())
	requireStatus(t, w, "buttress; hit")
	require.Equal(t, "7", w.Header().Get("Age"))
	require.Equal(t, etag, w.Header().Get("ETag"))
	require.Equal(t, "text/plain; charset=utf-8", w.Header().Get("Content-Type"))
	require.Equal(t, int64(1), b.calls.Load())

	// Another query string is another page.
	w = get(h, "GET", "/greet?name=bob")
	require.Equal(t, "hello bob", w.Body.String())
	require.Equal(t, int64(2), b.calls.Load())

	st := p.Stats()
	require.Equal(t, Stats{Hits: 1, Misses: 2, Stored: 2}, st)
}

func TestTTL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, cc string
		ttl      time.Duration
	}{
		{"config default", "", time.Minute},
		{"max-age", "public, max-age=30", 30 * time.Second},
		{"s-maxage wins", "max-age=30, s-maxage=90", 90 * time.Second},
		{"capped by MaxTTL", "max-age=99999999999", 2 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, b := setup(t, &Config{TTL: time.Minute, MaxTTL: 2 * time.Minute})
			h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
				if tc.cc != "" {
					w.Header().Set("Cache-Control", tc.cc)
				}
				_, _ = w.Write([]byte("x"))
			}))
			get(h, "GET", "/")
			b.clock.Advance(tc.ttl - time.Second)
			requireStatus(t, get(h, "GET", "/"), "buttress; hit")
			b.clock.Advance(time.Second)
			w := get(h, "GET", "/")
			require.Contains(t, w.Header().Get("Cache-Status"), "fwd=")
			require.Equal(t, int64(2), b.calls.Load())
		})
	}
}

// Every refusal rule: the response is served as the handler wrote it, not stored, and the
// handler runs again on the next request.
func TestRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		detail  string
		code    int
	}{
		{"set-cookie", func(w http.ResponseWriter, r *http.Request) {
			http.SetCookie(w, &http.Cookie{Name: "a", Value: "b"})
			_, _ = w.Write([]byte("body"))
		}, "set-cookie", 200},
		{"private", ccHandler("private, max-age=60"), "private", 200},
		{"private with fields", ccHandler(`private="X-Thing"`), "private", 200},
		{"no-store", ccHandler("no-store"), "no-store", 200},
		{"no-cache", ccHandler("no-cache"), "no-cache", 200},
		{"NO-CACHE upper case", ccHandler("NO-CACHE"), "no-cache", 200},
		{"max-age=0", ccHandler("max-age=0"), "max-age-0", 200},
		{"s-maxage=0", ccHandler("max-age=60, s-maxage=0"), "max-age-0", 200},
		{"max-age malformed", ccHandler("max-age=soon"), "bad-cache-control", 200},
		{"vary star", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Vary", "Accept, *")
			_, _ = w.Write([]byte("body"))
		}, "vary-star", 200},
		{"not found", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "nope", http.StatusNotFound)
		}, "status", 404},
		{"server error", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}, "status", 500},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}, "status", 302},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, b := setup(t, nil)
			h := p.Middleware(b.counting(tc.handler))
			for range 2 {
				w := get(h, "GET", "/page")
				require.Equal(t, tc.code, w.Code)
				requireStatus(t, w, "buttress; fwd=uri-miss; detail="+tc.detail)
				require.NotEmpty(t, w.Body.String())
				require.Empty(t, w.Header().Get("Age"))
			}
			require.Equal(t, int64(2), b.calls.Load())
			require.Equal(t, uint64(0), p.Stats().Stored)
			require.Equal(t, uint64(2), p.Stats().NotStored)
		})
	}
}

func ccHandler(cc string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", cc)
		_, _ = w.Write([]byte("body"))
	}
}

func TestStreamedIsNotStored(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte("data: 1\n\n"))
		require.NoError(t, http.NewResponseController(w).Flush())
		_, _ = w.Write([]byte("data: 2\n\n"))
	}))
	for range 2 {
		w := get(h, "GET", "/events")
		require.Equal(t, "data: 1\n\ndata: 2\n\n", w.Body.String())
		require.True(t, w.Flushed)
		require.Equal(t, "text/event-stream", w.Header().Get("Content-Type"))
		requireStatus(t, w, "buttress; fwd=uri-miss; detail=streamed")
	}
	require.Equal(t, int64(2), b.calls.Load())
}

func TestTooLargeIsNotStored(t *testing.T) {
	t.Parallel()
	p, b := setup(t, &Config{MaxBodyBytes: 10})
	big := strings.Repeat("x", 25)
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(big[:8]))
		_, _ = w.Write([]byte(big[8:]))
	}))
	for range 2 {
		w := get(h, "GET", "/big")
		require.Equal(t, big, w.Body.String())
		requireStatus(t, w, "buttress; fwd=uri-miss; detail=too-large")
	}
	require.Equal(t, int64(2), b.calls.Load())
	// A HEAD that streams a large GET response sends no body.
	w := get(h, "HEAD", "/big")
	require.Empty(t, w.Body.String())
}

func TestConfiguredStatuses(t *testing.T) {
	t.Parallel()
	p, b := setup(t, &Config{CacheableStatus: []int{200, 404}})
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }))
	require.Equal(t, 404, get(h, "GET", "/gone").Code)
	w := get(h, "GET", "/gone")
	require.Equal(t, 404, w.Code)
	requireStatus(t, w, "buttress; hit")
	require.Equal(t, "404 page not found\n", w.Body.String())
	require.Equal(t, int64(1), b.calls.Load())
}

func TestBypass(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, method string
		headers      []string
		detail       string
	}{
		{"post", "POST", nil, "method"},
		{"authorization", "GET", []string{"Authorization: Bearer x"}, "authorization"},
		{"session cookie", "GET", []string{"Cookie: theme=dark; sid=abc"}, "session-cookie"},
		{"session cookie alone", "GET", []string{"Cookie: sid=abc"}, "session-cookie"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, b := setup(t, &Config{SessionCookies: []string{"sid"}})
			h := p.Middleware(b.counting(hello))
			for range 2 {
				w := get(h, tc.method, "/", tc.headers...)
				require.Equal(t, "hello ", w.Body.String())
				requireStatus(t, w, "buttress; fwd=bypass; detail="+tc.detail)
			}
			require.Equal(t, int64(2), b.calls.Load())
			require.Equal(t, uint64(2), p.Stats().Bypassed)
		})
	}
	t.Run("other cookies are fine", func(t *testing.T) {
		t.Parallel()
		p, b := setup(t, &Config{SessionCookies: []string{"sid"}})
		h := p.Middleware(b.counting(hello))
		get(h, "GET", "/", "Cookie: sidebar=open")
		requireStatus(t, get(h, "GET", "/", "Cookie: sidebar=open"), "buttress; hit")
	})
	t.Run("CachePrivateRequests", func(t *testing.T) {
		t.Parallel()
		p, b := setup(t, &Config{SessionCookies: []string{"sid"}, CachePrivateRequests: true})
		h := p.Middleware(b.counting(hello))
		get(h, "GET", "/", "Authorization: Bearer x")
		requireStatus(t, get(h, "GET", "/", "Cookie: sid=1"), "buttress; hit")
		require.Equal(t, int64(1), b.calls.Load())
	})
}

func TestVary(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Vary", "accept-language")
		w.Header().Add("Vary", "Accept-Encoding")
		fmt.Fprintf(w, "lang=%s enc=%s", r.Header.Get("Accept-Language"), r.Header.Get("Accept-Encoding"))
	}))
	reqs := []struct {
		headers []string
		body    string
	}{
		{[]string{"Accept-Language: en"}, "lang=en enc="},
		{[]string{"Accept-Language: fr"}, "lang=fr enc="},
		{nil, "lang= enc="},
		{[]string{"Accept-Language: en", "Accept-Encoding: gzip"}, "lang=en enc=gzip"},
	}
	for _, rq := range reqs {
		w := get(h, "GET", "/", rq.headers...)
		require.Equal(t, rq.body, w.Body.String())
		require.Contains(t, w.Header().Get("Cache-Status"), "stored")
	}
	require.Equal(t, int64(4), b.calls.Load())
	for _, rq := range reqs {
		w := get(h, "GET", "/", rq.headers...)
		require.Equal(t, rq.body, w.Body.String())
		requireStatus(t, w, "buttress; hit")
		require.Equal(t, []string{"accept-language", "Accept-Encoding"}, w.Header().Values("Vary"), "stored as the handler wrote it")
	}
	require.Equal(t, int64(4), b.calls.Load(), "all four variants live in one entry")
	// An unseen value is a vary-miss.
	w := get(h, "GET", "/", "Accept-Language: de")
	requireStatus(t, w, "buttress; fwd=vary-miss; stored")
}

func TestVaryVariantsBounded(t *testing.T) {
	t.Parallel()
	p, b := setup(t, &Config{MaxVariants: 2})
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Vary", "X-V")
		fmt.Fprint(w, r.Header.Get("X-V"))
	}))
	get(h, "GET", "/", "X-V: 1")
	get(h, "GET", "/", "X-V: 2")
	get(h, "GET", "/", "X-V: 3") // keeps 3 and 2, drops 1
	requireStatus(t, get(h, "GET", "/", "X-V: 3"), "buttress; hit")
	requireStatus(t, get(h, "GET", "/", "X-V: 2"), "buttress; hit")
	requireStatus(t, get(h, "GET", "/", "X-V: 1"), "buttress; fwd=vary-miss; stored")
}

func TestVaryChangeReplacesVariants(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	vary := "X-A"
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Vary", vary)
		fmt.Fprint(w, vary, r.Header.Get(vary))
	}))
	get(h, "GET", "/", "X-A: 1", "X-B: 1")
	vary = "X-B"
	b.clock.Advance(10 * time.Minute)
	w := get(h, "GET", "/", "X-A: 1", "X-B: 1")
	require.Equal(t, "X-B1", w.Body.String())
	w = get(h, "GET", "/", "X-A: 2", "X-B: 1")
	require.Equal(t, "X-B1", w.Body.String())
	requireStatus(t, w, "buttress; hit")
}

func TestHead(t *testing.T) {
	t.Parallel()
	t.Run("served from the GET entry", func(t *testing.T) {
		t.Parallel()
		p, b := setup(t, nil)
		h := p.Middleware(b.counting(hello))
		get(h, "GET", "/?name=x")
		w := get(h, "HEAD", "/?name=x")
		require.Equal(t, 200, w.Code)
		require.Empty(t, w.Body.String())
		require.Equal(t, "7", w.Header().Get("Content-Length"))
		requireStatus(t, w, "buttress; hit")
		require.Equal(t, int64(1), b.calls.Load())
	})
	t.Run("a HEAD miss fills the GET entry", func(t *testing.T) {
		t.Parallel()
		p, b := setup(t, nil)
		var methods []string
		h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
			methods = append(methods, r.Method)
			hello(w, r)
		}))
		w := get(h, "HEAD", "/?name=x")
		require.Empty(t, w.Body.String())
		require.Equal(t, "7", w.Header().Get("Content-Length"))
		w = get(h, "GET", "/?name=x")
		require.Equal(t, "hello x", w.Body.String())
		requireStatus(t, w, "buttress; hit")
		require.Equal(t, []string{"GET"}, methods)
	})
	t.Run("uncacheable HEAD sends no body", func(t *testing.T) {
		t.Parallel()
		p, b := setup(t, nil)
		h := p.Middleware(b.counting(ccHandler("no-store")))
		w := get(h, "HEAD", "/")
		require.Empty(t, w.Body.String())
		requireStatus(t, w, "buttress; fwd=uri-miss; detail=no-store")
	})
}

func TestHandlerWritesNothing(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {}))
	require.Equal(t, 200, get(h, "GET", "/").Code)
	w := get(h, "GET", "/")
	require.Equal(t, 200, w.Code)
	require.Equal(t, "0", w.Header().Get("Content-Length"))
	requireStatus(t, w, "buttress; hit")
}

func TestHopByHopAndOuterHeaders(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	inner := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		w.Header().Set("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		_, _ = w.Write([]byte("ok"))
	}))
	n := 0
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		w.Header().Set("X-Request-Id", fmt.Sprint(n))
		inner.ServeHTTP(w, r)
	})
	get(outer, "GET", "/")
	w := get(outer, "GET", "/")
	requireStatus(t, w, "buttress; hit")
	require.Empty(t, w.Header().Get("Connection"))
	require.Equal(t, []string{"a", "b"}, w.Header().Values("X-Multi"))
	require.Equal(t, "2", w.Header().Get("X-Request-Id"), "outer headers are not stored")
}

func TestPanicReleasesWaiters(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	fail := true
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		if fail {
			panic("handler bug")
		}
		_, _ = w.Write([]byte("ok"))
	}))
	require.PanicsWithValue(t, "handler bug", func() { get(h, "GET", "/") })
	fail = false
	w := get(h, "GET", "/")
	require.Equal(t, "ok", w.Body.String())
	requireStatus(t, w, "buttress; fwd=uri-miss; stored")
}

func TestCorruptEntryIsAMiss(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	h := p.Middleware(b.counting(hello))
	key, err := RequestKey(httptestRequest("GET", "/x"), nil)
	require.NoError(t, err)
	raw, err := cache.New[[]byte](b.store, &cache.Config{Prefix: "httpcache"})
	require.NoError(t, err)
	for _, garbage := range [][]byte{[]byte("garbage"), {'H', 'C', 1, 5}, {'H', 'C', 1, 0, 1, 9, 1}} {
		require.NoError(t, raw.Set(context.Background(), key, garbage, nil))
		w := get(h, "GET", "/x")
		require.Equal(t, "hello ", w.Body.String())
		requireStatus(t, w, "buttress; fwd=uri-miss; stored")
		requireStatus(t, get(h, "GET", "/x"), "buttress; hit")
	}
	require.Equal(t, int64(3), b.errors.Load())
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	store, err := cache.NewMemoryStore(nil)
	require.NoError(t, err)
	_, err = NewPages(nil, nil)
	require.ErrorContains(t, err, "store")
	for field, cfg := range map[string]*Config{
		"Config.TTL":             {TTL: -1},
		"Config.MaxTTL":          {MaxTTL: -1},
		"Config.MaxBodyBytes":    {MaxBodyBytes: -1},
		"Config.MaxVariants":     {MaxVariants: 65},
		"Config.MaxQueryBytes":   {MaxQueryBytes: -1},
		"Config.CacheableStatus": {CacheableStatus: []int{206}},
		"Config.SessionCookies":  {SessionCookies: []string{""}},
		"Config.Hosts":           {Hosts: []string{" "}},
		"must not exceed":        {TTL: time.Hour, MaxTTL: time.Minute},
	} {
		_, err := NewPages(store, cfg)
		require.ErrorContains(t, err, field)
	}
	_, err = NewPages(store, &Config{Cache: &cache.Config{Jitter: 2}})
	require.ErrorContains(t, err, "Jitter")
}

func httptestRequest(method, target string) *http.Request {
	r, err := http.NewRequest(method, "http://example.com"+target, nil)
	if err != nil {
		panic(err)
	}
	return r
}
