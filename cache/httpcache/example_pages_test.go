package httpcache_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/buttress-go/buttress/cache"
	"github.com/buttress-go/buttress/cache/httpcache"
)

func ExampleNewPages() {
	store, _ := cache.NewMemoryStore(nil)
	pages, err := httpcache.NewPages(store, &httpcache.Config{SessionCookies: []string{"session"}})
	if err != nil {
		panic(err)
	}
	product := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpcache.AddTags(r.Context(), "product:42") // before reading product 42
		w.Header().Set("Cache-Control", "max-age=60")
		fmt.Fprint(w, "<h1>Tea</h1>")
	})
	h := pages.Middleware(product)

	for range 2 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/products/42", nil))
		fmt.Println(w.Code, w.Header().Get("Cache-Status"), w.Body.String())
	}
	// A logged-in request is never served from, nor stored in, the cache.
	r := httptest.NewRequest("GET", "/products/42", nil)
	r.AddCookie(&http.Cookie{Name: "session", Value: "s3cr3t"})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Cache-Status"))
	// Output:
	// 200 buttress; fwd=uri-miss; stored <h1>Tea</h1>
	// 200 buttress; hit <h1>Tea</h1>
	// 200 buttress; fwd=bypass; detail=session-cookie
}

func ExampleAddTags() {
	store, _ := cache.NewMemoryStore(nil)
	pages, _ := httpcache.NewPages(store, nil)
	price := 3
	h := pages.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpcache.AddTags(r.Context(), "product:42")
		fmt.Fprintf(w, "price %d", price)
	}))
	show := func() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/products/42", nil))
		fmt.Println(w.Body.String(), "|", w.Header().Get("Cache-Status"))
	}
	show()
	show()
	// The product changes: any cache.Cache over the same store can invalidate its tag.
	products, _ := cache.New[string](store, &cache.Config{Prefix: "products"})
	price = 4
	_ = products.InvalidateTags(context.Background(), "product:42")
	show()
	// Output:
	// price 3 | buttress; fwd=uri-miss; stored
	// price 3 | buttress; hit
	// price 4 | buttress; fwd=uri-miss; stored
}

func ExampleAddResponseTags() {
	store, _ := cache.NewMemoryStore(nil)
	pages, _ := httpcache.NewPages(store, nil)
	h := pages.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("tagged:", httpcache.AddResponseTags(w, "catalog"))
		fmt.Fprint(w, "catalog")
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/catalog", nil))
	_ = pages.InvalidateTags(context.Background(), "catalog")
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/catalog", nil))
	// Output:
	// tagged: true
	// tagged: true
}

func ExamplePages_Middleware_conditional() {
	store, _ := cache.NewMemoryStore(nil)
	pages, _ := httpcache.NewPages(store, nil)
	h := pages.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "a large page")
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	etag := w.Header().Get("ETag") // generated: a digest of the body

	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("If-None-Match", etag)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Body.Len())
	// Output:
	// 304 0
}

func ExampleRequestKey() {
	r := httptest.NewRequest("HEAD", "http://Shop.Example.com:80/p/%7e1?utm_source=mail&b=2&a=1", nil)
	key, _ := httpcache.RequestKey(r, &httpcache.Config{IgnoreQueryParams: []string{"utm_source"}})
	fmt.Println(key)
	r = httptest.NewRequest("GET", "http://shop.example.com/p?q=%00", nil)
	_, err := httpcache.RequestKey(r, nil)
	fmt.Println(err)
	// Output:
	// page:GET http://shop.example.com/p/~1?a=1&b=2
	// httpcache: query string is malformed (query)
}
