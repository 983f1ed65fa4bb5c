package httpcache

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/buttress-go/buttress/cache"
	"github.com/stretchr/testify/require"
)

func TestTagInvalidationDropsPages(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	version := "v1"
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ctx":
			require.True(t, AddTags(r.Context(), "product:1", "catalog"))
		case "/writer":
			require.True(t, AddResponseTags(w, "product:1"))
		case "/other":
			require.True(t, AddTags(r.Context(), "product:2"))
		}
		_, _ = w.Write([]byte(version))
	}))
	for _, path := range []string{"/ctx", "/writer", "/other"} {
		get(h, "GET", path)
		requireStatus(t, get(h, "GET", path), "buttress; hit")
	}

	// Another Cache over the same store invalidates: tags are global to a store.
	products, err := cache.New[string](b.store, &cache.Config{Prefix: "products"})
	require.NoError(t, err)
	version = "v2"
	require.NoError(t, products.InvalidateTags(context.Background(), "product:1"))

	for _, path := range []string{"/ctx", "/writer"} {
		w := get(h, "GET", path)
		require.Equal(t, "v2", w.Body.String())
		requireStatus(t, w, "buttress; fwd=uri-miss; stored")
	}
	w := get(h, "GET", "/other")
	require.Equal(t, "v1", w.Body.String())
	requireStatus(t, w, "buttress; hit")

	require.NoError(t, p.InvalidateTags(context.Background(), "catalog"))
	requireStatus(t, get(h, "GET", "/ctx"), "buttress; fwd=uri-miss; stored")
}

func TestAddTagsOutsideThePageCache(t *testing.T) {
	t.Parallel()
	require.False(t, AddTags(context.Background(), "x"))
	require.False(t, AddResponseTags(httptest.NewRecorder(), "x"))
	p, b := setup(t, nil)
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		require.False(t, AddTags(r.Context()))
		require.False(t, AddTags(r.Context(), "t"), "bypassed requests are not recorded")
	}))
	get(h, "POST", "/")
}

// An invalidation that lands while the handler runs keeps the page from being stored: it is
// served, marked detail=invalidated, and the next request runs the handler again.
func TestInvalidationDuringHandlerIsNotLost(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	first := true
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		AddTags(r.Context(), "product:1")
		if first {
			first = false
			// The product changes after this handler read it.
			require.NoError(t, p.InvalidateTags(context.Background(), "product:1"))
		}
		_, _ = w.Write([]byte("page"))
	}))
	w := get(h, "GET", "/")
	require.Equal(t, "page", w.Body.String())
	requireStatus(t, w, "buttress; fwd=uri-miss; detail=invalidated")
	requireStatus(t, get(h, "GET", "/"), "buttress; fwd=uri-miss; stored")
	requireStatus(t, get(h, "GET", "/"), "buttress; hit")
	require.Equal(t, int64(2), b.calls.Load())
}

func TestConcurrentAddTags(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() { AddTags(r.Context(), "a", "b", string(rune('c'+i))) })
		}
		wg.Wait()
		_, _ = w.Write([]byte("x"))
	}))
	get(h, "GET", "/")
	require.NoError(t, p.InvalidateTags(context.Background(), "j"))
	requireStatus(t, get(h, "GET", "/"), "buttress; fwd=uri-miss; stored")
}
