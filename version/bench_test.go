package version

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type resolveCase struct {
	name   string
	reader Reader
	req    func() *http.Request
}

func resolveCases() []resolveCase {
	get := func(target string, kv ...string) func() *http.Request {
		return func() *http.Request {
			r := withHeader(target, kv...)
			r.Host = "v2.api.example.com"
			return r
		}
	}
	return []resolveCase{
		{"path", Path("/api"), get("/api/v2/products/7")},
		{"header", Header("Api-Version"), get("/products", "Api-Version", "2")},
		{"mediatype-param", MediaType(""), get("/products", "Accept", "application/json; version=2")},
		{"mediatype-vendor", MediaType("acme"), get("/products", "Accept", "text/html;q=0.9, application/vnd.acme.v2+json")},
		{"query", Query("version"), get("/products?page=2&version=2")},
		{"host", Host("api.example.com"), get("/products")},
		{"date-header", Header("Api-Version"), get("/products", "Api-Version", "2024-06-01")},
	}
}

func negotiatorFor(tb testing.TB, rd Reader, date bool) *Negotiator {
	specs := []Spec{{Version: "1"}, {Version: "2"}, {Version: "3"}}
	if date {
		specs = []Spec{{Version: "2024-01-01"}, {Version: "2024-06-01"}, {Version: "2025-01-01"}}
	}
	n, err := New(specs, &Config{Readers: []Reader{rd}})
	require.NoError(tb, err)
	return n
}

// TestResolveAllocations pins the figure of the design note: resolving from any reader does not
// allocate (the note requires it for the header and path readers).
func TestResolveAllocations(t *testing.T) {
	for _, tc := range resolveCases() {
		n := negotiatorFor(t, tc.reader, strings.HasPrefix(tc.name, "date"))
		r := tc.req()
		v, err := n.Resolve(r)
		require.NoError(t, err, tc.name)
		require.False(t, v.IsZero())
		allocs := testing.AllocsPerRun(200, func() { _, _ = n.Resolve(r) })
		require.Zero(t, allocs, tc.name)
	}
}

func BenchmarkResolve(b *testing.B) {
	for _, tc := range resolveCases() {
		b.Run(tc.name, func(b *testing.B) {
			n := negotiatorFor(b, tc.reader, strings.HasPrefix(tc.name, "date"))
			r := tc.req()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := n.Resolve(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("five-readers", func(b *testing.B) {
		n, err := New([]Spec{{Version: "1"}, {Version: "2"}}, &Config{Readers: []Reader{
			Path("/api"), Header(""), MediaType("acme"), Query(""), Host("api.example.com"),
		}})
		require.NoError(b, err)
		r := withHeader("/api/v2/products?version=2", "Api-Version", "2", "Accept", "application/vnd.acme.v2+json")
		r.Host = "v2.api.example.com"
		b.ReportAllocs()
		for b.Loop() {
			if _, err := n.Resolve(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unsupported-header", func(b *testing.B) {
		n := negotiatorFor(b, Header(""), false)
		r := withHeader("/", "Api-Version", "9")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := n.Resolve(r); err == nil {
				b.Fatal("resolved")
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for _, s := range []string{"v2", "2.1", "2024-06-01"} {
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// nopWriter is a ResponseWriter that keeps nothing, so the benchmark measures the middleware.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(int)             {}

func BenchmarkMiddleware(b *testing.B) {
	n, err := New([]Spec{
		{Version: "1", Deprecated: deprecatedAt, Sunset: sunsetAt, DeprecationLink: "https://example.com/d"},
		{Version: "2", Changes: []Change{{Description: "rename", Routes: []string{"GET /api/products/{id}"},
			Response: func(_ *http.Request, _ int, body any) (any, error) {
				return body, EachObject(body, func(p map[string]any) error { rename(p, "title", "name"); return nil })
			}}}},
	}, &Config{Readers: []Reader{Path("/api"), Header("")}})
	require.NoError(b, err)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":7,"title":"Lamp","price":{"amount":"12.50","currency":"EUR"}}`)
	})
	h := n.Middleware(mux)
	for _, tc := range []struct{ name, path string }{
		{"newest", "/api/v2/products/7"},
		{"deprecated-converted", "/api/v1/products/7"},
		{"unsupported", "/api/v9/products/7"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodGet, tc.path, nil)
			w := &nopWriter{h: make(http.Header, 8)}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, r)
			}
		})
	}
}
