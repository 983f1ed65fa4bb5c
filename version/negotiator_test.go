package version

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	deprecatedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sunsetAt     = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
)

// bundle is a Negotiator behind a ServeMux that echoes the path it routed and the version.
type bundle struct {
	n       *Negotiator
	handler http.Handler
	now     time.Time
}

func setup(t *testing.T, cfg *Config) *bundle {
	t.Helper()
	b := &bundle{now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	if cfg == nil {
		cfg = &Config{}
	}
	if cfg.Readers == nil {
		cfg.Readers = []Reader{Path("/api"), Header("Api-Version"), MediaType("acme"), Query("version"), Host("api.example.com")}
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return b.now }
	}
	n, err := New([]Spec{
		{Version: "1", Deprecated: deprecatedAt, Sunset: sunsetAt,
			DeprecationLink: "https://example.com/docs/v1-deprecation", SunsetLink: "https://example.com/docs/v1-sunset"},
		{Version: "2"},
		{Version: "3"},
	}, cfg)
	require.NoError(t, err)
	b.n = n
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/products", func(w http.ResponseWriter, r *http.Request) {
		v, ok := FromContext(r.Context())
		if !ok {
			http.Error(w, "no version", 500)
			return
		}
		_, _ = io.WriteString(w, r.URL.Path+" "+v.String())
	})
	b.handler = n.Middleware(mux)
	return b
}

func (b *bundle) do(t *testing.T, target string, kv ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := withHeader(target, kv...)
	if r.Host == "example.com" {
		r.Host = "api.example.com"
	}
	w := httptest.NewRecorder()
	b.handler.ServeHTTP(w, r)
	return w
}

// problemOf decodes a problem+json answer and checks its required members.
func problemOf(t *testing.T, w *httptest.ResponseRecorder, status int) map[string]any {
	t.Helper()
	require.Equal(t, status, w.Code, w.Body.String())
	require.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	var p map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &p), w.Body.String())
	require.Equal(t, float64(status), p["status"])
	require.NotEmpty(t, p["type"])
	require.NotEmpty(t, p["title"])
	require.NotEmpty(t, p["detail"])
	require.Contains(t, p, "supported_versions")
	return p
}

func TestDesignVectors(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)

	t.Run("path v9 is 404", func(t *testing.T) {
		p := problemOf(t, b.do(t, "/api/v9/products"), 404)
		require.Equal(t, ProblemUnsupported, p["type"])
		require.Equal(t, []any{"1", "2", "3"}, p["supported_versions"])
		require.Equal(t, "v9", p["requested_version"])
		require.Equal(t, "path", p["version_source"])
		require.Contains(t, p["detail"], `"v9" in the path is not supported; supported versions: 1, 2, 3`)
	})
	t.Run("header 9 is 400", func(t *testing.T) {
		p := problemOf(t, b.do(t, "/api/products", "Api-Version", "9"), 400)
		require.Equal(t, ProblemUnsupported, p["type"])
		require.Equal(t, "header Api-Version", p["version_source"])
	})
	t.Run("accept version=9 is 406", func(t *testing.T) {
		p := problemOf(t, b.do(t, "/api/products", "Accept", "application/json; version=9"), 406)
		require.Equal(t, ProblemUnsupported, p["type"])
	})
	t.Run("vendor v9 is 406", func(t *testing.T) {
		problemOf(t, b.do(t, "/api/products", "Accept", "application/vnd.acme.v9+json"), 406)
	})
	t.Run("query 9 is 400", func(t *testing.T) {
		problemOf(t, b.do(t, "/api/products?version=9"), 400)
	})
	t.Run("host v9 is 404", func(t *testing.T) {
		problemOf(t, b.do(t, "http://v9.api.example.com/api/products"), 404)
	})
	t.Run("readers that disagree are 400", func(t *testing.T) {
		p := problemOf(t, b.do(t, "/api/v2/products", "Api-Version", "3"), 400)
		require.Equal(t, ProblemAmbiguous, p["type"])
		require.Contains(t, p["detail"], `"v2" in the path and "3" in the header Api-Version`)
		problemOf(t, b.do(t, "/api/products?version=1", "Accept", "application/vnd.acme.v2+json"), 400)
		problemOf(t, b.do(t, "http://v1.api.example.com/api/v2/products"), 400)
		// a disagreeing unsupported version is still ambiguous, not a silent pick
		problemOf(t, b.do(t, "/api/v2/products", "Api-Version", "9"), 400)
	})
	t.Run("readers that agree are fine", func(t *testing.T) {
		w := b.do(t, "http://v2.api.example.com/api/v2/products?version=2.0", "Api-Version", "2", "Accept", "application/vnd.acme.v2+json; version=v2")
		require.Equal(t, 200, w.Code, w.Body.String())
		require.Equal(t, "/api/products 2", w.Body.String())
	})
	t.Run("deprecated version carries Deprecation, Sunset and Link", func(t *testing.T) {
		w := b.do(t, "/api/v1/products")
		require.Equal(t, 200, w.Code)
		require.Equal(t, "/api/products 1", w.Body.String())
		require.Equal(t, "@1767225600", w.Header().Get("Deprecation"))
		require.Equal(t, "Fri, 01 Jan 2027 00:00:00 GMT", w.Header().Get("Sunset"))
		require.Equal(t, []string{
			`<https://example.com/docs/v1-deprecation>; rel="deprecation"; type="text/html"`,
			`<https://example.com/docs/v1-sunset>; rel="sunset"`,
		}, w.Header().Values("Link"))
		require.Equal(t, "2, 3", w.Header().Get("Api-Supported-Versions"))
		require.Equal(t, "1", w.Header().Get("Api-Deprecated-Versions"))
	})
	t.Run("current version carries no deprecation", func(t *testing.T) {
		w := b.do(t, "/api/v3/products")
		require.Equal(t, 200, w.Code)
		require.Empty(t, w.Header().Get("Deprecation"))
		require.Empty(t, w.Header().Get("Sunset"))
		require.Empty(t, w.Header().Values("Link"))
		require.Equal(t, "2, 3", w.Header().Get("Api-Supported-Versions"))
	})
	t.Run("Vary on every header reader, errors included", func(t *testing.T) {
		for _, w := range []*httptest.ResponseRecorder{
			b.do(t, "/api/v2/products"), b.do(t, "/api/v9/products"), b.do(t, "/api/products", "Api-Version", "x"),
		} {
			require.Equal(t, []string{"Api-Version, Accept"}, w.Header().Values("Vary"))
		}
	})
	t.Run("default is the newest", func(t *testing.T) {
		w := b.do(t, "/api/products")
		require.Equal(t, 200, w.Code)
		require.Equal(t, "/api/products 3", w.Body.String())
	})
}

func TestSunsetGone(t *testing.T) {
	t.Parallel()
	b := setup(t, &Config{GoneAfterSunset: true, Readers: []Reader{Path("/api")}})
	w := b.do(t, "/api/v1/products")
	require.Equal(t, 200, w.Code, "before the sunset the version works")
	require.Empty(t, w.Header().Values("Vary"), "no header reader, no Vary")

	b.now = sunsetAt // set before any parallel use of b
	w = b.do(t, "/api/v1/products")
	p := problemOf(t, w, 410)
	require.Equal(t, ProblemSunset, p["type"])
	require.Equal(t, []any{"2", "3"}, p["supported_versions"])
	require.Equal(t, "Fri, 01 Jan 2027 00:00:00 GMT", w.Header().Get("Sunset"))
	require.Equal(t, "@1767225600", w.Header().Get("Deprecation"))
	require.Len(t, w.Header().Values("Link"), 2)
	require.Contains(t, p["detail"], "retired on Fri, 01 Jan 2027")

	require.Equal(t, 200, b.do(t, "/api/v2/products").Code)

	// Without GoneAfterSunset the version keeps working after its sunset.
	b2 := setup(t, &Config{Readers: []Reader{Path("/api")}})
	b2.now = sunsetAt.Add(time.Hour)
	require.Equal(t, 200, b2.do(t, "/api/v1/products").Code)
}

func TestRequiredAndDefault(t *testing.T) {
	t.Parallel()
	req := setup(t, &Config{Required: true, Readers: []Reader{Header(""), Query("")}})
	p := problemOf(t, req.do(t, "/api/products"), 400)
	require.Equal(t, ProblemRequired, p["type"])
	require.Contains(t, p["detail"], "name an API version in the header Api-Version or the query parameter version")
	require.True(t, req.n.Default().IsZero())
	require.Equal(t, 200, req.do(t, "/api/products?version=2").Code)

	pre := httptest.NewRequest(http.MethodOptions, "/api/products", nil)
	pre.Header.Set("Access-Control-Request-Method", "GET")
	w := httptest.NewRecorder()
	req.n.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, ok := FromContext(r.Context())
		require.False(t, ok)
		w.WriteHeader(http.StatusNoContent)
	})).ServeHTTP(w, pre)
	require.Equal(t, http.StatusNoContent, w.Code, "CORS preflights pass without a version")
	pre.Header.Set("Api-Version", "9")
	w = httptest.NewRecorder()
	req.n.Middleware(http.NotFoundHandler()).ServeHTTP(w, pre)
	require.Equal(t, http.StatusBadRequest, w.Code, "a preflight naming a bad version is still rejected")

	def := setup(t, &Config{Default: "v2", Readers: []Reader{Header("")}})
	require.Equal(t, "/api/products 2", def.do(t, "/api/products").Body.String())
	require.Equal(t, MustParse("2"), def.n.Default())
	require.Equal(t, MustParse("3"), def.n.Latest())
	require.Equal(t, []Version{Int(1), Int(2), Int(3)}, def.n.Versions())
}

func TestNoSilentFallback(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	cases := []struct {
		name   string
		target string
		kv     []string
		status int
		typ    string
	}{
		{"garbage header", "/api/products", []string{"Api-Version", "latest"}, 400, ProblemMalformed},
		{"empty header", "/api/products", []string{"Api-Version", ""}, 400, ProblemMalformed},
		{"over-long header", "/api/products", []string{"Api-Version", strings.Repeat("1", 5000)}, 400, ProblemMalformed},
		{"multiple headers", "/api/products", []string{"Api-Version", "1", "Api-Version", "2"}, 400, ProblemAmbiguous},
		{"malformed date header", "/api/products", []string{"Api-Version", "2024-02-30"}, 400, ProblemMalformed},
		{"garbage path", "/api/v2x/products", nil, 404, ProblemMalformed},
		{"leading zero path", "/api/v02/products", nil, 404, ProblemMalformed},
		{"garbage accept", "/api/products", []string{"Accept", "application/json; version=newest"}, 406, ProblemMalformed},
		{"empty accept param", "/api/products", []string{"Accept", "application/json; version="}, 406, ProblemMalformed},
		{"multiple accept", "/api/products", []string{"Accept", "application/json;version=1,application/json;version=2"}, 400, ProblemAmbiguous},
		{"garbage query", "/api/products?version=two", nil, 400, ProblemMalformed},
		{"empty query", "/api/products?version=", nil, 400, ProblemMalformed},
		{"multiple query", "/api/products?version=1&version=3", nil, 400, ProblemAmbiguous},
		{"garbage host", "http://v2x.api.example.com/api/products", nil, 404, ProblemMalformed},
		{"outside set", "/api/products", []string{"Api-Version", "2.1"}, 400, ProblemUnsupported},
		{"date for numbers", "/api/products", []string{"Api-Version", "2024-06-01"}, 400, ProblemUnsupported},
	}
	for _, tc := range cases {
		w := b.do(t, tc.target, tc.kv...)
		p := problemOf(t, w, tc.status)
		require.Equal(t, tc.typ, p["type"], tc.name)
		if rv, ok := p["requested_version"].(string); ok {
			require.LessOrEqual(t, len(rv), MaxLen+11, "echo is clipped")
		}
	}
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	_, err := b.n.Resolve(withHeader("/api/v9/x"))
	var ve *Error
	require.True(t, errors.As(err, &ve))
	require.ErrorIs(t, err, ErrUnsupported)
	require.Equal(t, 404, ve.Status)
	require.Equal(t, SourcePath, ve.Source.Kind)
	require.Equal(t, "v9", ve.Value)
	require.Equal(t, []Version{Int(1), Int(2), Int(3)}, ve.Supported)
	require.Contains(t, err.Error(), "version: unsupported API version: ")

	_, err = b.n.Resolve(withHeader("/", "Api-Version", "x"))
	require.ErrorIs(t, err, ErrMalformed)
	_, err = b.n.Resolve(withHeader("/", "Api-Version", "1", "Api-Version", "2"))
	require.ErrorIs(t, err, ErrAmbiguous)
	v, err := b.n.Resolve(withHeader("/", "Api-Version", "2.0"))
	require.NoError(t, err)
	require.Equal(t, Int(2), v, "2.0 resolves to the declared 2")
}

func TestHeadAndHideHeaders(t *testing.T) {
	t.Parallel()
	b := setup(t, &Config{HideVersionHeaders: true})
	r := httptest.NewRequest(http.MethodHead, "/api/v9/products", nil)
	w := httptest.NewRecorder()
	b.handler.ServeHTTP(w, r)
	require.Equal(t, 404, w.Code)
	require.Empty(t, w.Body.Bytes(), "HEAD has no body")
	require.NotEmpty(t, w.Header().Get("Content-Length"))
	require.Empty(t, w.Header().Get("Api-Supported-Versions"))
}

func TestOnError(t *testing.T) {
	t.Parallel()
	var got *Error
	b := setup(t, &Config{OnError: func(w http.ResponseWriter, r *http.Request, err *Error) {
		got = err
		w.WriteHeader(418)
	}})
	require.Equal(t, 418, b.do(t, "/api/v7/products").Code)
	require.ErrorIs(t, got, ErrUnsupported)
	require.Equal(t, 404, got.Status)
}

func TestNewValidation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		specs []Spec
		cfg   *Config
		want  string
	}{
		{nil, nil, "at least one Spec"},
		{[]Spec{{Version: "x"}}, nil, "versions[0].Version"},
		{[]Spec{{Version: "1"}, {Version: "1.0"}}, nil, "same version"},
		{[]Spec{{Version: "1"}, {Version: "2024-01-01"}}, nil, "mix numbers and dates"},
		{[]Spec{{Version: "1", Deprecated: sunsetAt, Sunset: deprecatedAt}}, nil, "Sunset is before Deprecated"},
		{[]Spec{{Version: "1"}}, &Config{Default: "2"}, "Config.Default: 2 is not one of the versions"},
		{[]Spec{{Version: "1"}}, &Config{Default: "two"}, "Config.Default"},
		{[]Spec{{Version: "1"}}, &Config{Default: "1", Required: true}, "must be empty when Config.Required"},
		{[]Spec{{Version: "1"}}, &Config{MaxBodyBytes: -1}, "Config.MaxBodyBytes"},
		{[]Spec{{Version: "1"}}, &Config{Readers: []Reader{nil}}, "Config.Readers[0] is nil"},
		{[]Spec{{Version: "1", Changes: []Change{{Description: "x", Response: noopResp}}}}, nil, "oldest version 1 has Changes"},
		{[]Spec{{Version: "1"}, {Version: "2", Changes: []Change{{Response: noopResp}}}}, nil, "Changes[0]: the Description is empty"},
		{[]Spec{{Version: "1"}, {Version: "2", Changes: []Change{{Description: "x"}}}}, nil, "neither Request nor Response"},
		{[]Spec{{Version: "1"}, {Version: "2", Changes: []Change{{Description: "x", Response: noopResp, Routes: []string{"GET /a", "GET /a"}}}}}, nil, "bad Routes:"},
		{[]Spec{{Version: "1"}, {Version: "2", Changes: []Change{{Description: "x", Response: noopResp, Routes: []string{"BAD PATTERN x"}}}}}, nil, "bad Routes:"},
	}
	for _, tc := range cases {
		_, err := New(tc.specs, tc.cfg)
		require.ErrorContains(t, err, tc.want)
		require.True(t, strings.HasPrefix(err.Error(), "version: "), err.Error())
	}
	n, err := New([]Spec{{Version: "2024-06-01"}, {Version: "2023-01-01"}}, nil)
	require.NoError(t, err)
	require.Equal(t, "2024-06-01", n.Latest().String(), "specs are sorted")
	_, err = n.Resolve(withHeader("/", "Api-Version", "2023-01-01"))
	require.NoError(t, err, "default reader is the Api-Version header")
}

func noopResp(_ *http.Request, _ int, body any) (any, error) { return body, nil }

// TestRealServer runs the negotiator behind a real loopback HTTP server with ServeMux patterns.
func TestRealServer(t *testing.T) {
	t.Parallel()
	b := setup(t, &Config{Readers: []Reader{Path("/api"), Header("")}})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.PathValue("id")+"@"+Get(r.Context()).String()+" "+r.URL.Path)
	})
	srv := httptest.NewServer(b.n.Middleware(mux))
	t.Cleanup(srv.Close)
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"))

	get := func(path string, hdr ...string) (*http.Response, string) {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		require.NoError(t, err)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		return resp, string(body)
	}
	resp, body := get("/api/v2/products/7")
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "7@2 /api/products/7", body)
	resp, body = get("/api/products/8", "Api-Version", "1")
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "8@1 /api/products/8", body)
	require.Equal(t, "@1767225600", resp.Header.Get("Deprecation"))
	resp, body = get("/api/v4/products/8")
	require.Equal(t, 404, resp.StatusCode)
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	require.Contains(t, body, `"supported_versions":["1","2","3"]`)
	require.Equal(t, "Api-Version", resp.Header.Get("Vary"))
}
