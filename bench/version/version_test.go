package version

import (
	"context"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/buttress-go/buttress/version"
	"github.com/go-chi/chi/v5"
)

var supported = map[string]bool{"1": true, "2": true, "3": true}

type ctxKey struct{}

func newNegotiator(b *testing.B, rd version.Reader) *version.Negotiator {
	n, err := version.New([]version.Spec{{Version: "1"}, {Version: "2"}, {Version: "3"}}, &version.Config{Readers: []version.Reader{rd}})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// nopWriter keeps nothing, so the benchmarks measure routing and negotiation.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(int)             {}

func serve(b *testing.B, h http.Handler, r *http.Request) {
	w := &nopWriter{h: make(http.Header, 4)}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
}

// BenchmarkPathVersioning: GET /api/v2/products/7 through the whole router, the handler reading
// the version and the product id.
func BenchmarkPathVersioning(b *testing.B) {
	r := httptest.NewRequest(http.MethodGet, "/api/v2/products/7", nil)
	b.Run("buttress", func(b *testing.B) {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /api/products/{id}", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, version.Get(r.Context()).String()+r.PathValue("id"))
		})
		serve(b, newNegotiator(b, version.Path("/api")).Middleware(mux), r)
	})
	b.Run("chi", func(b *testing.B) {
		rt := chi.NewRouter()
		rt.Route("/api/v{version}", func(rt chi.Router) {
			rt.Use(func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					v := chi.URLParam(r, "version")
					if !supported[v] {
						http.Error(w, "unsupported version", http.StatusNotFound)
						return
					}
					next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, v)))
				})
			})
			rt.Get("/products/{id}", func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, r.Context().Value(ctxKey{}).(string)+chi.URLParam(r, "id"))
			})
		})
		serve(b, rt, r)
	})
}

// BenchmarkAcceptVersion: the version parameter of a two-range Accept header.
func BenchmarkAcceptVersion(b *testing.B) {
	r := httptest.NewRequest(http.MethodGet, "/products", nil)
	r.Header.Set("Accept", "text/html;q=0.9, application/json; version=2")
	b.Run("buttress", func(b *testing.B) {
		n := newNegotiator(b, version.MediaType(""))
		b.ReportAllocs()
		for b.Loop() {
			if v, err := n.Resolve(r); err != nil || v.Major() != 2 {
				b.Fatal(v, err)
			}
		}
	})
	b.Run("stdlib-mime", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			found := ""
			for _, rng := range strings.Split(r.Header.Get("Accept"), ",") {
				_, params, err := mime.ParseMediaType(rng)
				if err == nil && params["version"] != "" {
					found = params["version"]
				}
			}
			if !supported[found] || found != "2" {
				b.Fatal(found)
			}
		}
	})
}

// BenchmarkQueryVersion: ?page=2&version=2.
func BenchmarkQueryVersion(b *testing.B) {
	r := httptest.NewRequest(http.MethodGet, "/products?page=2&sort=name&version=2", nil)
	b.Run("buttress", func(b *testing.B) {
		n := newNegotiator(b, version.Query("version"))
		b.ReportAllocs()
		for b.Loop() {
			if v, err := n.Resolve(r); err != nil || v.Major() != 2 {
				b.Fatal(v, err)
			}
		}
	})
	b.Run("stdlib-url", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if v := r.URL.Query()["version"]; len(v) != 1 || !supported[v[0]] {
				b.Fatal(v)
			}
		}
	})
}

// BenchmarkHeaderVersion: Api-Version: 2.
func BenchmarkHeaderVersion(b *testing.B) {
	r := httptest.NewRequest(http.MethodGet, "/products", nil)
	r.Header.Set("Api-Version", "2")
	b.Run("buttress", func(b *testing.B) {
		n := newNegotiator(b, version.Header("Api-Version"))
		b.ReportAllocs()
		for b.Loop() {
			if v, err := n.Resolve(r); err != nil || v.Major() != 2 {
				b.Fatal(v, err)
			}
		}
	})
	b.Run("stdlib-header", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if v := r.Header.Values("api-version"); len(v) != 1 || !supported[strings.TrimPrefix(v[0], "v")] {
				b.Fatal(v)
			}
		}
	})
}
