package secure

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// bodyServer runs the middleware on a real loopback server so that Content-Length and chunked
// bodies arrive as browsers and proxies send them.
func bodyServer(t *testing.T, cfg *Config, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(newSecure(t, cfg).BodyLimit(h))
	t.Cleanup(srv.Close)
	return srv
}

func readAllHandler(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "bad body: "+err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("X-Content-Length", strconv.FormatInt(r.ContentLength, 10))
	_, _ = io.WriteString(w, "read "+strconv.Itoa(len(b)))
}

func TestBodyLimitContentLengthIs413BeforeHandler(t *testing.T) {
	t.Parallel()
	called := false
	srv := bodyServer(t, &Config{MaxBodyBytes: 10}, func(w http.ResponseWriter, r *http.Request) { called = true })
	resp, err := http.Post(srv.URL, "text/plain", strings.NewReader(strings.Repeat("a", 11)))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	var p problem
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&p))
	require.Equal(t, 413, p.Status)
	require.Contains(t, p.Detail, "limit of 10 bytes (Config.MaxBodyBytes)")
	require.False(t, called)
}

func TestBodyLimitChunkedReplacesHandlerResponse(t *testing.T) {
	t.Parallel()
	srv := bodyServer(t, &Config{MaxBodyBytes: 10}, readAllHandler)
	post := func(body string) *http.Response {
		// io.MultiReader hides the length: the client sends the body chunked.
		resp, err := http.Post(srv.URL, "text/plain", io.MultiReader(strings.NewReader(body)))
		require.NoError(t, err)
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	resp := post(strings.Repeat("a", 11))
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	b, _ := io.ReadAll(resp.Body)
	require.Contains(t, string(b), "Config.MaxBodyBytes")
	require.NotContains(t, string(b), "bad body")

	resp = post(strings.Repeat("a", 10))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "-1", resp.Header.Get("X-Content-Length"), "the body arrived chunked")
	b, _ = io.ReadAll(resp.Body)
	require.Equal(t, "read 10", string(b))
}

func TestBodyLimitHandlerIgnoringErrorStillGets413(t *testing.T) {
	t.Parallel()
	srv := bodyServer(t, &Config{MaxBodyBytes: 4}, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // error ignored, nothing written
	})
	resp, err := http.Post(srv.URL, "text/plain", io.MultiReader(strings.NewReader("12345")))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
}

func TestBodyLimitDisabledAndDefault(t *testing.T) {
	t.Parallel()
	srv := bodyServer(t, &Config{MaxBodyBytes: -1}, readAllHandler)
	resp, err := http.Post(srv.URL, "text/plain", strings.NewReader(strings.Repeat("a", 11<<20)))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	r := req("POST", "http://localhost/")
	r.ContentLength = DefaultMaxBodyBytes + 1
	requireProblem(t, serve(newSecure(t, nil).BodyLimit(okHandler), r), http.StatusRequestEntityTooLarge)
}

func TestBodyLimitStreamingHandlerFlushes(t *testing.T) {
	t.Parallel()
	srv := bodyServer(t, &Config{MaxBodyBytes: 100}, func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		_, _ = w.Write(b)
		require.NoError(t, http.NewResponseController(w).Flush())
		_, _ = io.WriteString(w, "!")
	})
	resp, err := http.Post(srv.URL, "text/plain", io.MultiReader(strings.NewReader("stream")))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "stream!", string(b))
}
