package httpcache

import (
	"context"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/buttress-go/buttress/cache"
)

// discardWriter is a reusable ResponseWriter, so the benchmark measures the middleware and not
// httptest.ResponseRecorder.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkPageHit is a cached hit through the middleware on the memory store: key building,
// one store read, entry decoding, headers and body written.
func BenchmarkPageHit(b *testing.B) {
	store, err := cache.NewMemoryStore(nil)
	if err != nil {
		b.Fatal(err)
	}
	p, err := NewPages(store, nil)
	if err != nil {
		b.Fatal(err)
	}
	body := strings.Repeat("<p>product</p>", 200)
	h := p.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		AddTags(r.Context(), "product:42", "catalog")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Vary", "Accept-Encoding")
		_, _ = w.Write([]byte(body))
	}))
	r := httptest.NewRequest("GET", "/products/42?sort=price&page=2", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	h.ServeHTTP(httptest.NewRecorder(), r)
	w := &discardWriter{h: make(http.Header, 8)}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
	if w.code != 200 || p.Stats().Hits == 0 {
		b.Fatalf("not a hit: %d %+v", w.code, p.Stats())
	}
}

// BenchmarkFragmentHit renders a cached fragment.
func BenchmarkFragmentHit(b *testing.B) {
	store, err := cache.NewMemoryStore(nil)
	if err != nil {
		b.Fatal(err)
	}
	f, err := NewFragments(store, nil)
	if err != nil {
		b.Fatal(err)
	}
	tmpl := template.Must(template.New("").Parse(`{{define "card"}}<b>{{.}}</b>{{end}}`))
	ctx := context.Background()
	opts := &Fragment{Vary: []any{42}, Tags: []string{"product:42"}}
	if _, err := f.Render(ctx, tmpl, "card", "tea", opts); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Render(ctx, tmpl, "card", "tea", opts); err != nil {
			b.Fatal(err)
		}
	}
}
