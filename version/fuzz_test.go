package version

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzNegotiator drives the whole middleware with arbitrary path, header, Accept, query and host:
// it never panics, answers 200 only with a supported version on the context, and answers every
// rejection with the status of its source as problem+json listing the supported versions.
func FuzzNegotiator(f *testing.F) {
	f.Add("/api/v2/products", "2", "application/json; version=2", "version=2", "v2.api.example.com")
	f.Add("/api/v9/products", "", "", "", "")
	f.Add("/api/products", "9", "", "", "")
	f.Add("/api/products", "", "application/vnd.acme.v9+json", "", "")
	f.Add("/api/products", "1, 2", "", "version=1&version=", "v1x.api.example.com")
	f.Add("/api/2024-02-30/x", "", "a/b;version=\"", "%zz", "[::1]:80")
	n, err := New([]Spec{{Version: "1", Deprecated: deprecatedAt}, {Version: "2"}, {Version: "2.5"}}, &Config{
		Readers: []Reader{Path("/api"), Header(""), MediaType("acme"), Query(""), Host("api.example.com")},
	})
	if err != nil {
		f.Fatal(err)
	}
	h := n.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, ok := FromContext(r.Context())
		if !ok || n.lookup(v) == nil {
			t := "version on context is not supported: " + v.String()
			panic(t)
		}
		w.WriteHeader(299)
	}))
	f.Fuzz(func(t *testing.T, path, hdr, accept, query, host string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		r.URL.Path, r.URL.RawQuery, r.Host = path, query, host
		if hdr != "" { // "" stands for no header: a present empty one is malformed
			r.Header["Api-Version"] = []string{hdr}
		}
		if accept != "" {
			r.Header["Accept"] = []string{accept}
		}
		_, rerr := n.Resolve(r)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := w.Header().Get("Vary"); got != "Api-Version, Accept" {
			t.Fatalf("Vary = %q", got)
		}
		switch w.Code {
		case 299:
			return
		case 400, 404, 406:
		default:
			t.Fatalf("status %d", w.Code)
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("Content-Type %q", ct)
		}
		var p struct {
			Type      string   `json:"type"`
			Status    int      `json:"status"`
			Supported []string `json:"supported_versions"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			t.Fatalf("body is not JSON: %v: %s", err, w.Body.String())
		}
		if p.Status != w.Code || p.Type == "" || len(p.Supported) != 3 {
			t.Fatalf("bad problem %s", w.Body.String())
		}
		// The status is the one of the source that was refused: 404 for the path and the host
		// (the resource does not exist in that version), 406 for Accept, 400 for a header, a
		// query parameter, disagreeing readers or a missing version.
		var ve *Error
		if !errors.As(rerr, &ve) {
			t.Fatalf("middleware answered %d but Resolve says %v", w.Code, rerr)
		}
		want := http.StatusBadRequest
		if errors.Is(ve, ErrUnsupported) || errors.Is(ve, ErrMalformed) {
			want = map[SourceKind]int{SourcePath: 404, SourceHost: 404, SourceMediaType: 406, SourceHeader: 400, SourceQuery: 400}[ve.Source.Kind]
		}
		if w.Code != want || ve.Status != want {
			t.Fatalf("%v from %v: status %d (error says %d), want %d", ve.Err, ve.Source, w.Code, ve.Status, want)
		}
	})
}
