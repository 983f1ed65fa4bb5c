package httpcache_test

import (
	"context"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/cache"
	"github.com/buttress-go/buttress/cache/httpcache"
	"github.com/buttress-go/buttress/cache/rediscache"
	"github.com/buttress-go/buttress/internal/testenv"
)

// instance is one app process: its own rueidis client, store and page cache.
type instance struct {
	pages *httpcache.Pages
	frags *httpcache.Fragments
	h     http.Handler
	calls atomic.Int64
	store *rediscache.Store
}

func newInstance(t *testing.T, addr, prefix string, body *atomic.Value) *instance {
	t.Helper()
	store, err := rediscache.New(testenv.NewRedisClient(t, addr), &rediscache.Config{Prefix: prefix})
	require.NoError(t, err)
	in := &instance{store: store}
	in.pages, err = httpcache.NewPages(store, nil)
	require.NoError(t, err)
	in.frags, err = httpcache.NewFragments(store, nil)
	require.NoError(t, err)
	tmpl := template.Must(template.New("").Parse(`{{define "card"}}<b>{{.}}</b>{{end}}`))
	in.h = in.pages.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.calls.Add(1)
		httpcache.AddTags(r.Context(), "product:1")
		card, err := in.frags.Render(r.Context(), tmpl, "card", body.Load(), &httpcache.Fragment{Vary: []any{1}, Tags: []string{"product:1"}})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Vary", "Accept-Language")
		fmt.Fprintf(w, "%s %s", r.Header.Get("Accept-Language"), card)
	}))
	return in
}

func send(h http.Handler, lang string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "/product/1", nil)
	r.Header.Set("Accept-Language", lang)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// Two app instances share pages and fragments through the real Redis store; an invalidation
// made by one drops the page and the fragment for both.
func TestRedisEndToEnd(t *testing.T) {
	t.Parallel()
	_, prefix := testenv.Redis(t)
	addr := testenv.RedisAddr(t)
	var body atomic.Value
	body.Store("tea")
	a := newInstance(t, addr, prefix, &body)
	b := newInstance(t, addr, prefix, &body)

	w := send(a.h, "en")
	require.Equal(t, "en <b>tea</b>", w.Body.String())
	require.Equal(t, "buttress; fwd=uri-miss; stored", w.Header().Get("Cache-Status"))
	etag := w.Header().Get("ETag")
	w = send(b.h, "en")
	require.Equal(t, "en <b>tea</b>", w.Body.String())
	require.Equal(t, "buttress; hit", w.Header().Get("Cache-Status"), "instance b reads a's page")
	require.Equal(t, etag, w.Header().Get("ETag"))
	require.Equal(t, "fr <b>tea</b>", send(b.h, "fr").Body.String())
	require.Equal(t, "buttress; hit", send(a.h, "fr").Header().Get("Cache-Status"), "both variants in one entry")
	require.Equal(t, int64(1), a.calls.Load())
	require.Equal(t, int64(1), b.calls.Load())

	body.Store("green tea")
	require.NoError(t, b.pages.InvalidateTags(context.Background(), "product:1"))
	// Instance a learns of the invalidation by a Redis push: bounded wait, no fixed sleep.
	require.Eventually(t, func() bool {
		return send(a.h, "en").Body.String() == "en <b>green tea</b>"
	}, 5*time.Second, 2*time.Millisecond)
	w = send(b.h, "en")
	require.Equal(t, "en <b>green tea</b>", w.Body.String())
	require.Equal(t, "buttress; hit", w.Header().Get("Cache-Status"))
}

// With Redis gone, pages are still served (through the handler); when it returns, caching
// resumes.
func TestRedisDownServesUncached(t *testing.T) {
	t.Parallel()
	srv := testenv.StartRedis(t)
	var body atomic.Value
	body.Store("tea")
	var errs atomic.Int64
	// As for any fail-open Redis use: bounded dials and writes, no endless retries.
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
	pages, err := httpcache.NewPages(store, &httpcache.Config{
		OnError: func(context.Context, error) { errs.Add(1) },
		Cache:   &cache.Config{BreakerCooldown: 100 * time.Millisecond},
	})
	require.NoError(t, err)
	var calls atomic.Int64
	h := pages.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		httpcache.AddTags(r.Context(), "t")
		fmt.Fprint(w, body.Load())
	}))
	require.Equal(t, "tea", send(h, "en").Body.String())
	require.Equal(t, "buttress; hit", send(h, "en").Header().Get("Cache-Status"))

	require.NoError(t, srv.Stop())
	body.Store("cake")
	for range 3 {
		r := httptest.NewRequest("GET", "/other", nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		require.Equal(t, 200, w.Code)
		require.Equal(t, "cake", w.Body.String())
	}
	require.Positive(t, errs.Load())

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, srv.Start(ctx))
	require.Eventually(t, func() bool {
		r := httptest.NewRequest("GET", "/again", nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Header().Get("Cache-Status") == "buttress; hit"
	}, 10*time.Second, 20*time.Millisecond)
}

func TestRedisUntaggedPage(t *testing.T) {
	t.Parallel()
	client, prefix := testenv.Redis(t)
	store, err := rediscache.New(client, &rediscache.Config{Prefix: prefix})
	require.NoError(t, err)
	pages, err := httpcache.NewPages(store, nil)
	require.NoError(t, err)
	var calls atomic.Int64
	h := pages.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		fmt.Fprint(w, "plain")
	}))
	for _, want := range []string{"buttress; fwd=uri-miss; stored", "buttress; hit", "buttress; hit"} {
		w := send(h, "")
		require.Equal(t, "plain", w.Body.String())
		require.Equal(t, want, w.Header().Get("Cache-Status"))
	}
	require.Equal(t, int64(1), calls.Load())
}
