package httpcache

import (
	"crypto/tls"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func keyOf(t *testing.T, cfg *Config, host, target string) (string, error) {
	t.Helper()
	r := &http.Request{Method: "GET", Host: host, URL: &url.URL{}}
	path, query, _ := strings.Cut(target, "?")
	r.URL.RawQuery = query
	r.URL.Path = path
	if p, err := url.PathUnescape(path); err == nil {
		r.URL.Path = p
		r.URL.RawPath = path
	}
	return RequestKey(r, cfg)
}

func TestRequestKeyCanonical(t *testing.T) {
	t.Parallel()
	same := [][2]string{
		{"example.com/a?b=2&a=1", "example.com/a?a=1&b=2"},
		{"EXAMPLE.com:80/a", "example.com/a"},
		{"example.com./a", "example.com/a"},
		{"example.com/%7euser/%61", "example.com/~user/a"},
		{"example.com/a%2fb", "example.com/a%2Fb"},
		{"example.com/?q=a+b", "example.com/?q=a%20b"},
		{"example.com/?a=1&&a=2&", "example.com/?a=1&a=2"},
		{"example.com/?x", "example.com/?x="},
		{"example.com/?utm_source=mail&id=3", "example.com/?id=3"},
		{"[0:0::1]:8080/", "[::1]:8080/"},
	}
	cfg := &Config{IgnoreQueryParams: []string{"utm_source"}}
	for _, pair := range same {
		h1, t1, _ := strings.Cut(pair[0], "/")
		h2, t2, _ := strings.Cut(pair[1], "/")
		k1, err := keyOf(t, cfg, h1, "/"+t1)
		require.NoError(t, err, pair[0])
		k2, err := keyOf(t, cfg, h2, "/"+t2)
		require.NoError(t, err, pair[1])
		require.Equal(t, k2, k1, "%s vs %s", pair[0], pair[1])
	}
	different := [][2]string{
		{"example.com/a?a=1&a=2", "example.com/a?a=2&a=1"},
		{"example.com/a%2Fb", "example.com/a/b"},
		{"example.com:8080/", "example.com/"},
		{"example.com/a", "example.org/a"},
		{"example.com/a?b", "example.com/a%3Fb"},
	}
	for _, pair := range different {
		h1, t1, _ := strings.Cut(pair[0], "/")
		h2, t2, _ := strings.Cut(pair[1], "/")
		k1, err := keyOf(t, nil, h1, "/"+t1)
		require.NoError(t, err, pair[0])
		k2, err := keyOf(t, nil, h2, "/"+t2)
		require.NoError(t, err, pair[1])
		require.NotEqual(t, k2, k1, "%s vs %s", pair[0], pair[1])
	}
	k, err := keyOf(t, nil, "Shop.Example.com", "/p/1?b=x y&a=1")
	require.NoError(t, err)
	require.Equal(t, "page:GET http://shop.example.com/p/1?a=1&b=x+y", k)

	r := httptestRequest("HEAD", "/x")
	r.TLS = &tls.ConnectionState{}
	r.Host = "example.com:443"
	k, err = RequestKey(r, nil)
	require.NoError(t, err)
	require.Equal(t, "page:GET https://example.com/x", k, "HEAD is keyed as GET; :443 dropped for https")
}

func TestRequestKeyRejects(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 3000)
	many := strings.Repeat("a=1&", 65)
	for _, tc := range []struct {
		host, target string
		err          error
	}{
		{"", "/", ErrBadHost},
		{"exa mple.com", "/", ErrBadHost},
		{"example.com\x00", "/", ErrBadHost},
		{"a..b", "/", ErrBadHost},
		{"-a.com", "/", ErrBadHost},
		{"a-.com", "/", ErrBadHost},
		{"example.com:http", "/", ErrBadHost},
		{"example.com:123456", "/", ErrBadHost},
		{"[::1", "/", ErrBadHost},
		{"[fe80::1%25eth0]", "/", ErrBadHost},
		{"[1.2.3.4]", "/", ErrBadHost},
		{"evil.com", "/", ErrBadHost}, // not in Hosts
		{strings.Repeat("a.", 200) + "com", "/", ErrBadHost},
		{"example.com", "/a%00b", ErrBadPath},
		{"example.com", "/a%0d%0aSet-Cookie:x", ErrBadPath},
		{"example.com", "/" + long, ErrBadPath},
		{"example.com", "/?" + long, ErrQueryTooLarge},
		{"example.com", "/?" + many, ErrQueryTooLarge},
		{"example.com", "/?a=%", ErrBadQuery},
		{"example.com", "/?a=%0a", ErrBadQuery},
		{"example.com", "/?a=1;b=2", ErrBadQuery},
		{"example.com", "/?a=\x01", ErrBadQuery},
	} {
		_, err := keyOf(t, &Config{Hosts: []string{"example.com", ".example.org", "[::1]", "a..b", "-a.com", "a-.com", "[1.2.3.4]", "[fe80::1%25eth0]", "exa mple.com", "example.com\x00", strings.Repeat("a.", 200) + "com"}}, tc.host, tc.target)
		require.ErrorIs(t, err, tc.err, "%q %q", tc.host, tc.target)
		var ke *KeyError
		require.ErrorAs(t, err, &ke)
	}
	for _, host := range []string{"example.com", "shop.example.org", "example.org", "[::1]:80"} {
		_, err := keyOf(t, &Config{Hosts: []string{"example.com", ".example.org", "[::1]"}}, host, "/")
		require.NoError(t, err, host)
	}
}

// Hostile requests are served by the handler, never stored, and never disturb the entry of
// the clean URL.
func TestHostileRequestsBypass(t *testing.T) {
	t.Parallel()
	p, b := setup(t, &Config{Hosts: []string{"example.com"}})
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("path=" + r.URL.Path))
	}))
	get(h, "GET", "/a")
	for _, target := range []string{
		"/a?" + strings.Repeat("x=1&", 1000),
		"/a?q=%00",
		"/a?q=%zz",
		"/a%0d%0a",
		"/a?x;y",
	} {
		for range 2 {
			w := get(h, "GET", target)
			require.Equal(t, 200, w.Code, target)
			requireStatus(t, w, "buttress; fwd=bypass; detail=bad-request-key")
		}
	}
	r := httptestRequest("GET", "/a")
	r.Host = "evil.com"
	requireStatus(t, httptestRecorder(h, r), "buttress; fwd=bypass; detail=bad-request-key")
	w := get(h, "GET", "/a")
	require.Equal(t, "path=/a", w.Body.String())
	requireStatus(t, w, "buttress; hit")
}

func httptestRecorder(h http.Handler, r *http.Request) *recorderResult {
	w := &recorderResult{header: http.Header{}}
	h.ServeHTTP(w, r)
	return w
}

// recorderResult is a minimal ResponseWriter (it has no Flush, unlike httptest's).
type recorderResult struct {
	header http.Header
	code   int
	body   strings.Builder
}

func (w *recorderResult) Header() http.Header { return w.header }
func (w *recorderResult) WriteHeader(c int) {
	if w.code == 0 {
		w.code = c
	}
}
func (w *recorderResult) Write(p []byte) (int, error) {
	w.WriteHeader(200)
	return w.body.Write(p)
}

// Request header values with control characters are only ever compared, length-prefixed, as
// Vary values: each gets its own variant and none can pose as another.
func TestVaryValuesWithControlCharacters(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Vary", "X-A, X-B")
		_, _ = w.Write([]byte(url.QueryEscape(r.Header.Get("X-A") + "|" + r.Header.Get("X-B"))))
	}))
	values := [][2]string{{"a\x00", "b"}, {"a", "\x00b"}, {"a\r\nX-B: b", ""}, {"a", "b"}, {"", ""}}
	for range 2 {
		for _, v := range values {
			r := httptestRequest("GET", "/")
			r.Header["X-A"] = []string{v[0]}
			r.Header["X-B"] = []string{v[1]}
			w := httptestRecorder(h, r)
			require.Equal(t, 200, w.code)
			require.Equal(t, url.QueryEscape(v[0]+"|"+v[1]), w.body.String())
		}
	}
	require.Equal(t, int64(len(values)), b.calls.Load())
}
