package version

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type readCase struct {
	name string
	req  *http.Request
	raw  string
	err  error
}

func checkReader(t *testing.T, rd Reader, cases []readCase) {
	t.Helper()
	for _, tc := range cases {
		raw, err := rd.Read(tc.req)
		if tc.err != nil {
			require.ErrorIs(t, err, tc.err, tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.raw, raw, tc.name)
	}
}

func withHeader(target string, kv ...string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(kv); i += 2 {
		r.Header.Add(kv[i], kv[i+1])
	}
	return r
}

func TestHeaderReader(t *testing.T) {
	t.Parallel()
	rd := Header("api-version")
	require.Equal(t, Source{Kind: SourceHeader, Name: "Api-Version"}, rd.Source())
	require.Equal(t, "Api-Version", rd.Source().Vary())
	require.Equal(t, "Api-Version", Header("").Source().Name)
	require.Equal(t, "Api-Version", (&HeaderReader{}).Source().Name)
	checkReader(t, &HeaderReader{}, []readCase{{"zero value", withHeader("/", "Api-Version", "3"), "3", nil}})
	checkReader(t, rd, []readCase{
		{"absent", withHeader("/"), "", nil},
		{"plain", withHeader("/", "Api-Version", "2"), "2", nil},
		{"ows", withHeader("/", "Api-Version", " \tv2 "), "v2", nil},
		{"same twice", withHeader("/", "Api-Version", "2", "Api-Version", "v2"), "2", nil},
		{"list same", withHeader("/", "Api-Version", "2, 2.0"), "2", nil},
		{"two lines differ", withHeader("/", "Api-Version", "1", "Api-Version", "2"), "", ErrAmbiguous},
		{"list differs", withHeader("/", "Api-Version", "1,2"), "", ErrAmbiguous},
		{"garbage kept", withHeader("/", "Api-Version", "banana"), "banana", nil},
		{"garbage then good", withHeader("/", "Api-Version", "banana, 2"), "banana", nil},
		{"good then garbage", withHeader("/", "Api-Version", "2, banana"), "banana", nil},
		{"empty", withHeader("/", "Api-Version", ""), "", ErrMalformed},
		{"trailing comma", withHeader("/", "Api-Version", "2,"), "", ErrMalformed},
		{"other header", withHeader("/", "X-Api-Version", "2"), "", nil},
	})
}

func TestPathReader(t *testing.T) {
	t.Parallel()
	api := Path("/api/")
	require.Equal(t, "/api", api.Prefix())
	require.Equal(t, "/api", Path("api").Prefix())
	require.Equal(t, "", Path("/").Prefix())
	require.Equal(t, Source{Kind: SourcePath}, api.Source())
	require.Equal(t, "", api.Source().Vary())
	req := func(p string) *http.Request { return httptest.NewRequest(http.MethodGet, p, nil) }
	checkReader(t, api, []readCase{
		{"versioned", req("/api/v2/products"), "v2", nil},
		{"bare number", req("/api/2/products"), "2", nil},
		{"date", req("/api/2024-06-01/products"), "2024-06-01", nil},
		{"end", req("/api/v2"), "v2", nil},
		{"trailing slash", req("/api/v2/"), "v2", nil},
		{"unversioned", req("/api/products"), "", nil},
		{"vanilla is a word", req("/api/vanilla"), "", nil},
		{"malformed kept", req("/api/v2x/products"), "v2x", nil},
		{"bad date kept", req("/api/2024-13-01/products"), "2024-13-01", nil},
		{"leading zero kept", req("/api/01/products"), "01", nil},
		{"digit-led word", req("/api/2fa/setup"), "", nil},
		{"digit-led slug", req("/api/3d-models"), "", nil},
		{"other prefix", req("/apiv/v2/products"), "", nil},
		{"outside", req("/static/v2/app.js"), "", nil},
		{"prefix only", req("/api"), "", nil},
		{"prefix slash", req("/api/"), "", nil},
	})
	checkReader(t, Path(""), []readCase{
		{"root", req("/v3/x"), "v3", nil},
		{"root only", req("/v3"), "v3", nil},
		{"none", req("/x/v3"), "", nil},
	})
}

func TestPathStrip(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"/api/v2/products":     "/api/products",
		"/api/v2/products/7":   "/api/products/7",
		"/api/v2":              "/api",
		"/api/v2/":             "/api/",
		"/api/products":        "/api/products",
		"/api/2024-06-01/a/b/": "/api/a/b/",
	}
	for in, want := range cases {
		got, _ := Path("/api").strip(in)
		require.Equal(t, want, got, in)
	}
	got, ok := Path("").strip("/v2")
	require.True(t, ok)
	require.Equal(t, "/", got)

	r := httptest.NewRequest(http.MethodGet, "/api/v2/a%2Fb?x=1", nil)
	require.Equal(t, "/api/v2/a%2Fb", r.URL.EscapedPath())
	u := Path("/api").rewriteURL(r.URL)
	require.Equal(t, "/api/a/b", u.Path)
	require.Equal(t, "/api/a%2Fb", u.EscapedPath())
	require.Equal(t, "x=1", u.RawQuery)
	require.Equal(t, "/api/v2/a/b", r.URL.Path, "the original URL is untouched")
	require.Nil(t, Path("/api").rewriteURL(httptest.NewRequest(http.MethodGet, "/api/x", nil).URL))
}

func TestQueryReader(t *testing.T) {
	t.Parallel()
	rd := Query("")
	require.Equal(t, Source{Kind: SourceQuery, Name: "version"}, rd.Source())
	require.Equal(t, "", rd.Source().Vary())
	req := func(q string) *http.Request { return httptest.NewRequest(http.MethodGet, "/p?"+q, nil) }
	checkReader(t, rd, []readCase{
		{"absent", req("a=1"), "", nil},
		{"plain", req("version=2"), "2", nil},
		{"among others", req("a=1&version=v2&b=2"), "v2", nil},
		{"repeated same", req("version=2&version=2.0"), "2", nil},
		{"repeated differs", req("version=1&version=2"), "", ErrAmbiguous},
		{"escaped value", req("version=%32"), "2", nil},
		{"escaped key", req("vers%69on=2"), "2", nil},
		{"plus in value", req("version=2+"), "2 ", nil},
		{"bad escape kept", req("version=%zz"), "%zz", nil},
		{"empty", req("version="), "", ErrMalformed},
		{"no equals", req("version"), "", ErrMalformed},
		{"prefix key", req("versions=2"), "", nil},
	})
	checkReader(t, Query("api-version"), []readCase{{"custom", req("api-version=3"), "3", nil}})
	checkReader(t, &QueryReader{}, []readCase{{"zero value", req("version=3"), "3", nil}})
	require.Equal(t, "version", (&QueryReader{}).Source().Name)
}

func TestHostReader(t *testing.T) {
	t.Parallel()
	rd := Host(".API.example.com.")
	require.Equal(t, Source{Kind: SourceHost}, rd.Source())
	host := func(h string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Host = h
		return r
	}
	checkReader(t, rd, []readCase{
		{"versioned", host("v2.api.example.com"), "v2", nil},
		{"port", host("v2.api.example.com:8443"), "v2", nil},
		{"case", host("V2.Api.Example.COM"), "V2", nil},
		{"fqdn dot", host("v2.api.example.com."), "v2", nil},
		{"deeper label", host("eu.v2.api.example.com"), "v2", nil},
		{"bare", host("api.example.com"), "", nil},
		{"word", host("www.api.example.com"), "", nil},
		{"other domain", host("v2.api.example.org"), "", nil},
		{"suffix glued", host("v2api.example.com"), "", nil},
		{"malformed kept", host("v2x.api.example.com"), "v2x", nil},
		{"ipv6", host("[::1]:80"), "", nil},
		{"empty", host(""), "", nil},
	})
	checkReader(t, Host(""), []readCase{
		{"first label", host("v3.example.com"), "v3", nil},
		{"ipv4 is not a version", host("127.0.0.1:8080"), "", nil},
		{"single label", host("v3"), "v3", nil},
		{"word", host("localhost:80"), "", nil},
	})
}

func TestMediaTypeReader(t *testing.T) {
	t.Parallel()
	rd := MediaType("acme")
	require.Equal(t, Source{Kind: SourceMediaType, Name: "Accept"}, rd.Source())
	require.Equal(t, "Accept", rd.Source().Vary())
	acc := func(vals ...string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, v := range vals {
			r.Header.Add("Accept", v)
		}
		return r
	}
	checkReader(t, rd, []readCase{
		{"absent", acc(), "", nil},
		{"no version", acc("application/json"), "", nil},
		{"param", acc("application/json; version=2"), "2", nil},
		{"param case", acc("application/json;VERSION=2;q=0.9"), "2", nil},
		{"quoted", acc(`application/json; version="2.1"`), "2.1", nil},
		{"quoted comma", acc(`application/json; x="a,b"; version=2`), "2", nil},
		{"vendor", acc("application/vnd.acme.v2+json"), "v2", nil},
		{"vendor no suffix", acc("application/vnd.acme.v2"), "v2", nil},
		{"vendor case", acc("Application/VND.Acme.v2+json"), "v2", nil},
		{"vendor plus param agree", acc("application/vnd.acme.v2+json; version=2"), "v2", nil},
		{"vendor plus param differ", acc("application/vnd.acme.v2+json; version=3"), "", ErrAmbiguous},
		{"other vendor", acc("application/vnd.other.v2+json"), "", nil},
		{"vendor without version", acc("application/vnd.acme+json"), "", nil},
		{"ranges agree", acc("application/json;version=2, text/html;version=v2"), "2", nil},
		{"ranges differ", acc("application/json;version=1, application/json;version=2"), "", ErrAmbiguous},
		{"lines differ", acc("application/json;version=1", "application/json;version=2"), "", ErrAmbiguous},
		{"garbage kept", acc("application/json; version=latest"), "latest", nil},
		{"empty param", acc("application/json; version="), "", ErrMalformed},
		{"vendor resource, no version", acc("application/vnd.acme.product+json"), "", nil},
		{"vendor garbage", acc("application/vnd.acme.v2x+json"), "v2x", nil},
		{"vendor bad date", acc("application/vnd.acme.2024-13-01+json"), "2024-13-01", nil},
		{"wildcard", acc("*/*"), "", nil},
	})
	custom := &MediaTypeReader{Param: "v"}
	checkReader(t, custom, []readCase{
		{"custom param", acc("application/json; v=3"), "3", nil},
		{"vendor off", acc("application/vnd.acme.v2+json"), "", nil},
	})
}

func FuzzHeaderReader(f *testing.F) {
	for _, s := range []string{"2", "v2, 2.0", "1,2", "", " , ", "banana", "2024-06-01", strings.Repeat("9", 100)} {
		f.Add(s, "v2")
	}
	rd := Header("Api-Version")
	f.Fuzz(func(t *testing.T, a, b string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header["Api-Version"] = []string{a, b}
		raw, err := rd.Read(r)
		checkRead(t, raw, err, a+","+b)
	})
}

func FuzzMediaTypeReader(f *testing.F) {
	for _, s := range []string{
		"application/json; version=2", "application/vnd.acme.v2+json", `a/b; version="2,"`, `a/b; x="\"; version=3`,
		"application/json;version=1, application/json;version=2", "application/vnd.acme.", ";;;,,,", `"`, "application/vnd.acme.v1+json; version=1",
	} {
		f.Add(s)
	}
	rd := MediaType("acme")
	f.Fuzz(func(t *testing.T, accept string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header["Accept"] = []string{accept}
		raw, err := rd.Read(r)
		checkRead(t, raw, err, accept)
	})
}

func FuzzQueryReader(f *testing.F) {
	for _, s := range []string{"version=2", "version=1&version=2", "version=%zz", "vers%69on=2", "version", "&&&", "version=2+", "version=%32%2E1"} {
		f.Add(s)
	}
	rd := Query("version")
	f.Fuzz(func(t *testing.T, q string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.RawQuery = q
		raw, err := rd.Read(r)
		if err != nil && !isReadSentinel(err) {
			t.Fatalf("unexpected error %v", err)
		}
		_ = raw // unescaping means raw need not be a substring
	})
}

func FuzzPathReader(f *testing.F) {
	for _, s := range []string{"/api/v2/products", "/api/v2", "/api/", "/api", "/api/v2x", "//api/v2", "/api/v/x", "/api/2024-06-01/"} {
		f.Add(s)
	}
	rd := Path("/api")
	f.Fuzz(func(t *testing.T, p string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.Path = p
		raw, err := rd.Read(r)
		checkRead(t, raw, err, p)
		stripped, ok := rd.strip(p)
		if ok != (raw != "") {
			t.Fatalf("strip(%q) ok=%v but Read=%q", p, ok, raw)
		}
		if ok && len(stripped) >= len(p) && p != "/"+raw {
			t.Fatalf("strip(%q) = %q did not shorten", p, stripped)
		}
		if ok && !strings.HasPrefix(stripped, "/") {
			t.Fatalf("strip(%q) = %q is not absolute", p, stripped)
		}
		if u := rd.rewriteURL(r.URL); (u != nil) != ok {
			t.Fatalf("rewriteURL disagrees with strip for %q", p)
		}
	})
}

func FuzzHostReader(f *testing.F) {
	for _, s := range []string{"v2.api.example.com", "v2.api.example.com:80", "[::1]:80", "api.example.com", ".api.example.com", "v2..api.example.com", "1.2.3.4"} {
		f.Add(s)
	}
	rd, anyHost := Host("api.example.com"), Host("")
	f.Fuzz(func(t *testing.T, h string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Host = h
		raw, err := rd.Read(r)
		checkRead(t, raw, err, h)
		raw, err = anyHost.Read(r)
		checkRead(t, raw, err, h)
	})
}

func isReadSentinel(err error) bool { return err == ErrAmbiguous || err == ErrMalformed }

// checkRead: readers return a piece of their input or a sentinel, never anything else.
func checkRead(t *testing.T, raw string, err error, input string) {
	t.Helper()
	if err != nil {
		if !isReadSentinel(err) {
			t.Fatalf("unexpected error %v for %q", err, input)
		}
		if raw != "" {
			t.Fatalf("raw %q returned with error %v", raw, err)
		}
		return
	}
	if !strings.Contains(input, raw) {
		t.Fatalf("raw %q is not part of %q", raw, input)
	}
}
