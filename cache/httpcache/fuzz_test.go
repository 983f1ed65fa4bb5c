package httpcache

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzRequestKey: the key builder never panics; a key holds no control character or space
// (besides the one after the method), and rebuilding the key from the canonical URL it holds
// gives the same key (canonical form is a fixed point).
func FuzzRequestKey(f *testing.F) {
	f.Add("example.com", "/a/b", "b=2&a=1")
	f.Add("EXAMPLE.com:80", "/%7euser", "q=a+b&q=%20c")
	f.Add("[::1]:8080", "/a%2Fb", "x&&y=&z")
	f.Add("exa mple.com", "/\x00", "a=%00")
	f.Add("a..b", "/a?b", "a=1;b=2")
	f.Add("shop.example.org.", "/ü/ß", "ключ=значение")
	f.Add("x", "", strings.Repeat("a=1&", 70))
	f.Fuzz(func(t *testing.T, host, path, query string) {
		r := &http.Request{Method: "GET", Host: host, URL: &url.URL{Path: path, RawQuery: query}}
		key, err := RequestKey(r, nil)
		if err != nil {
			if key != "" {
				t.Fatalf("key %q with error %v", key, err)
			}
			return
		}
		rest, ok := strings.CutPrefix(key, "page:GET http://")
		if !ok {
			t.Fatalf("key %q lacks its prefix", key)
		}
		for i := 0; i < len(rest); i++ {
			if c := rest[i]; c <= ' ' || c == 0x7f {
				t.Fatalf("key %q holds byte %#x", key, c)
			}
		}
		u, err := url.Parse("http://" + rest)
		if err != nil {
			t.Fatalf("key %q is not a URL: %v", key, err)
		}
		r2 := &http.Request{Method: "HEAD", Host: u.Host, URL: &url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}}
		key2, err := RequestKey(r2, nil)
		if err != nil || key2 != key {
			t.Fatalf("not a fixed point: %q -> %q (%v)", key, key2, err)
		}
	})
}

// FuzzIfNoneMatch: the parser never panics, and a header made of the tag itself matches.
func FuzzIfNoneMatch(f *testing.F) {
	f.Add(`"abc"`, `"abc"`)
	f.Add(`W/"abc", "d"`, `"d"`)
	f.Add(`*`, `"x"`)
	f.Add(`"unterminated`, `"x"`)
	f.Add("\"a\x00\"", "\"a\x00\"")
	f.Add(`,,,W/`, `W/"x"`)
	f.Fuzz(func(t *testing.T, header, etag string) {
		if etagMatches(header, etag) && !strings.Contains(header, "*") && !strings.Contains(header, `"`) {
			t.Fatalf("%q matched %q without a quoted tag or *", header, etag)
		}
		if op, ok := opaqueTag(etag); ok && !strings.ContainsAny(op, "\" \t\x7f") && !hasCTL(op) {
			if !etagMatches(etag, etag) || !etagMatches(`"zz", `+etag, etag) {
				t.Fatalf("%q does not match itself", etag)
			}
		}
	})
}

func hasCTL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			return true
		}
	}
	return false
}

// FuzzEntry: decoding arbitrary bytes as an entry never panics, and an entry that decodes
// serves without panicking.
func FuzzEntry(f *testing.F) {
	h := http.Header{"Content-Type": {"text/html"}, "Etag": {`"e"`}, "X-Multi": {"a", "b"}}
	nv := &variantData{varyValues: appendVaryValues(nil, []string{"Accept"}, http.Header{"Accept": {"a"}}),
		stored: 1, expires: 1 << 62, status: 200, header: h, tags: []string{"t"}, body: []byte("body")}
	good, _ := buildEntry([]string{"Accept"}, nv, nil, 0, 8)
	f.Add(good)
	f.Add(good[:len(good)-3])
	f.Add([]byte("HC\x01"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var v variantView
		fwd, corrupt := findVariant(b, http.Header{"Accept": {"a"}}, 0, &v)
		if fwd == "" && !corrupt {
			hdr := http.Header{}
			writeHeaderBlock(hdr, v.header)
			p := &Pages{cfg: &config{name: "t", now: time.Now}}
			w := &recorderResult{header: http.Header{}}
			p.serve(w, &http.Request{Method: "GET", Header: http.Header{}}, &v, "t; hit", 0)
		}
		buildEntry([]string{"Accept"}, nv, b, 0, 8)
	})
}
