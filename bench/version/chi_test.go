package version

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/buttress-go/buttress/version"
	"github.com/go-chi/chi/v5"
)

// TestChiSeesUnversionedPath: behind the Negotiator, a chi router matches "/api/products/{id}"
// for every version, including an escaped path (chi routes on RawPath when it is set). Plain
// testing here keeps the bench module free of testify's dependencies.
func TestChiSeesUnversionedPath(t *testing.T) {
	t.Parallel()
	n, err := version.New([]version.Spec{{Version: "1"}, {Version: "2"}}, &version.Config{
		Readers: []version.Reader{version.Path("/api")},
	})
	if err != nil {
		t.Fatal(err)
	}
	rt := chi.NewRouter()
	rt.Get("/api/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, chi.URLParam(r, "id")+"@"+version.Get(r.Context()).String())
	})
	srv := httptest.NewServer(n.Middleware(rt))
	t.Cleanup(srv.Close)
	for path, want := range map[string]string{
		"/api/v1/products/7":     "7@1",
		"/api/v2/products/7":     "7@2",
		"/api/products/7":        "7@2",
		"/api/v1/products/a%2Fb": "a%2Fb@1",
	} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || string(body) != want {
			t.Fatalf("%s: got %d %q, want 200 %q", path, resp.StatusCode, body, want)
		}
	}
}
