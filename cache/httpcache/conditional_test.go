package httpcache

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEtagMatches(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		header, etag string
		want         bool
	}{
		{`"abc"`, `"abc"`, true},
		{`W/"abc"`, `"abc"`, true},
		{`"abc"`, `W/"abc"`, true},
		{`"x", "abc"`, `"abc"`, true},
		{` "x" ,W/"abc" `, `"abc"`, true},
		{`*`, `"abc"`, true},
		{` * `, `"abc"`, true},
		{`"abd"`, `"abc"`, false},
		{`abc`, `"abc"`, false},
		{`"abc`, `"abc"`, false},
		{`W/`, `"abc"`, false},
		{`,,,`, `"abc"`, false},
		{``, `"abc"`, false},
		{`"x" garbage, "abc"`, `"abc"`, false},
		{`"a bc"`, `"a bc"`, false},
		{"\"ab\x00c\"", "\"ab\x00c\"", false},
		{`*x`, `"abc"`, false},
		{`"abc"`, ``, false},
		{`"abc"`, `abc`, false},
	} {
		require.Equal(t, tc.want, etagMatches(tc.header, tc.etag), "%q vs %q", tc.header, tc.etag)
	}
}

func TestConditionalRequests(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	h := p.Middleware(b.counting(hello))
	first := get(h, "GET", "/")
	etag := first.Header().Get("ETag")
	lastMod := first.Header().Get("Last-Modified")
	require.NotEmpty(t, etag)
	require.Equal(t, b.clock.Now().Format(http.TimeFormat), lastMod)
	before := b.clock.Now().Add(-time.Hour).Format(http.TimeFormat)
	after := b.clock.Now().Add(time.Hour).Format(http.TimeFormat)

	for _, tc := range []struct {
		name    string
		headers []string
		code    int
	}{
		{"matching etag", []string{"If-None-Match: " + etag}, 304},
		{"weak form matches", []string{"If-None-Match: W/" + etag}, 304},
		{"in a list", []string{`If-None-Match: "old", ` + etag}, 304},
		{"star", []string{"If-None-Match: *"}, 304},
		{"other etag", []string{`If-None-Match: "old"`}, 200},
		{"malformed", []string{`If-None-Match: "unterminated`}, 200},
		{"malformed junk", []string{"If-None-Match: \x01\x02 W/ ,,"}, 200},
		{"not modified since", []string{"If-Modified-Since: " + after}, 304},
		{"exactly then", []string{"If-Modified-Since: " + lastMod}, 304},
		{"modified since", []string{"If-Modified-Since: " + before}, 200},
		{"bad date", []string{"If-Modified-Since: yesterday"}, 200},
		{"If-None-Match decides", []string{`If-None-Match: "old"`, "If-Modified-Since: " + after}, 200},
	} {
		w := get(h, "GET", "/", tc.headers...)
		require.Equal(t, tc.code, w.Code, tc.name)
		requireStatus(t, w, "buttress; hit")
		require.Equal(t, etag, w.Header().Get("ETag"), tc.name)
		if tc.code == 304 {
			require.Empty(t, w.Body.String(), tc.name)
			require.Empty(t, w.Header().Get("Content-Type"), tc.name)
			require.Empty(t, w.Header().Get("Content-Length"), tc.name)
		} else {
			require.Equal(t, "hello ", w.Body.String(), tc.name)
		}
	}
	require.Equal(t, int64(1), b.calls.Load())
}

func TestHandlerValidatorsAreKept(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `W/"v7"`)
		w.Header().Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		_, _ = w.Write([]byte("v7"))
	}))
	// The miss itself answers a conditional request.
	w := get(h, "GET", "/", `If-None-Match: "v7"`)
	require.Equal(t, 304, w.Code)
	requireStatus(t, w, "buttress; fwd=uri-miss; stored")
	w = get(h, "GET", "/")
	require.Equal(t, `W/"v7"`, w.Header().Get("ETag"))
	require.Equal(t, "Mon, 02 Jan 2006 15:04:05 GMT", w.Header().Get("Last-Modified"))
	require.Equal(t, 304, get(h, "HEAD", "/", `If-None-Match: W/"v7"`).Code)
	require.Equal(t, 304, get(h, "GET", "/", "If-Modified-Since: Tue, 03 Jan 2006 00:00:00 GMT").Code)
}

func TestStrongETagDependsOnBody(t *testing.T) {
	t.Parallel()
	require.Equal(t, strongETag([]byte("a")), strongETag([]byte("a")))
	require.NotEqual(t, strongETag([]byte("a")), strongETag([]byte("b")))
}

// On a miss the handler gets no conditional or Range headers, so it produces the full page to
// store; the middleware answers the condition from it.
func TestMissStripsConditionalHeaders(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	mod := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"doc-1"`)
		http.ServeContent(w, r, "doc.txt", mod, strings.NewReader("0123456789"))
	}))
	w := get(h, "GET", "/doc", `If-None-Match: "doc-1"`, "Range: bytes=0-3")
	require.Equal(t, 304, w.Code)
	requireStatus(t, w, "buttress; fwd=uri-miss; stored")
	w = get(h, "GET", "/doc", "Range: bytes=0-3")
	require.Equal(t, 200, w.Code, "Range is ignored: the full representation is served")
	require.Equal(t, "0123456789", w.Body.String())
	requireStatus(t, w, "buttress; hit")
	w = get(h, "GET", "/doc", "If-Modified-Since: "+mod.Format(http.TimeFormat))
	require.Equal(t, 304, w.Code)
	require.Equal(t, int64(1), b.calls.Load())
}
