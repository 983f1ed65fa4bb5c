package logging

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// fakeClock advances by step on every call.
type fakeClock struct {
	t    time.Time
	step time.Duration
}

func (c *fakeClock) Now() time.Time { c.t = c.t.Add(c.step); return c.t }

func chain(t *testing.T, out io.Writer, acfg *AccessLogConfig, h http.Handler) http.Handler {
	t.Helper()
	l := zerolog.New(out)
	rid, err := RequestIDMiddleware(l, nil)
	require.NoError(t, err)
	acc, err := AccessLog(l, acfg)
	require.NoError(t, err)
	return rid(acc(h))
}

func TestAccessLogCompactFields(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "hello")
	})
	clock := &fakeClock{step: 1500 * time.Microsecond}
	h := chain(t, &buf, &AccessLogConfig{Now: clock.Now}, mux)

	req := httptest.NewRequest(http.MethodGet, "/items/42", nil)
	req.RemoteAddr = "[::ffff:192.0.2.7]:51234"
	req.Header.Set("User-Agent", "curl/8.0\n{\"forged\":1}")
	req.Header.Set("X-Request-ID", "abcdefghij0123456789")
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.ServeHTTP(httptest.NewRecorder(), req)

	m := oneLine(t, buf.String())
	require.Equal(t, map[string]any{
		"level":       "info",
		"message":     "request",
		"method":      "GET",
		"route":       "GET /items/{id}",
		"path":        "/items/42",
		"status":      float64(201),
		"bytes":       float64(5),
		"duration_ms": 1.5,
		"ip":          "192.0.2.7",
		"user_agent":  "curl/8.0\n{\"forged\":1}",
		"request_id":  "abcdefghij0123456789",
		"trace.id":    "4bf92f3577b34da6a3ce929d0e0e4736",
		"span.id":     "00f067aa0ba902b7",
	}, m)
	require.Equal(t, 1, strings.Count(buf.String(), "\n"), "the user agent's newline stays escaped")
}

func TestAccessLogECSFields(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	clock := &fakeClock{step: 2 * time.Millisecond}
	h := chain(t, &buf, &AccessLogConfig{Schema: SchemaECS, Now: clock.Now,
		ClientIP: func(*http.Request) (netip.Addr, error) { return netip.MustParseAddr("203.0.113.9"), nil }},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("abc")) }))
	req := httptest.NewRequest(http.MethodPost, "/x", nil)
	req.Header.Set("User-Agent", "ua")
	h.ServeHTTP(httptest.NewRecorder(), req)
	m := oneLine(t, buf.String())
	require.Equal(t, "POST", m["http.request.method"])
	require.Equal(t, "/x", m["url.path"])
	require.Equal(t, float64(200), m["http.response.status_code"])
	require.Equal(t, float64(3), m["http.response.body.bytes"])
	require.Equal(t, float64(2*time.Millisecond), m["event.duration"], "ECS event.duration is in nanoseconds")
	require.Equal(t, "203.0.113.9", m["client.ip"])
	require.Equal(t, "ua", m["user_agent.original"])
	require.Len(t, m["http.request.id"], 26)
	require.NotContains(t, m, "http.route", "no pattern without a ServeMux")
}

func TestAccessLogLevelByStatus(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]string{
		200: "info", 204: "info", 301: "info", 304: "info",
		400: "warn", 401: "warn", 404: "warn", 499: "warn",
		429: "info",
		500: "error", 502: "error", 503: "error",
	} {
		require.Equal(t, want, LevelForStatus(status).String(), "%d", status)
		var buf bytes.Buffer
		h := chain(t, &buf, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
		m := oneLine(t, buf.String())
		require.Equal(t, want, m["level"], "%d", status)
		require.Equal(t, float64(status), m["status"])
	}

	// A handler that writes nothing is a 200.
	var buf bytes.Buffer
	chain(t, &buf, nil, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, float64(200), oneLine(t, buf.String())["status"])

	// A custom mapping.
	buf.Reset()
	chain(t, &buf, &AccessLogConfig{Level: func(int) zerolog.Level { return zerolog.DebugLevel }},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, "debug", oneLine(t, buf.String())["level"])
}

func TestAccessLogSkipRules(t *testing.T) {
	t.Parallel()
	status := http.StatusOK
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) })
	var buf bytes.Buffer
	clock := &fakeClock{step: time.Millisecond}
	h := chain(t, &buf, &AccessLogConfig{
		SkipPaths:     []string{"/healthz"},
		Skip:          func(r *http.Request, status int) bool { return r.Method == http.MethodOptions && status < 500 },
		SlowThreshold: time.Second,
		Now:           clock.Now,
	}, handler)
	do := func(method, path string) {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, path, nil))
	}

	do(http.MethodGet, "/healthz")
	do(http.MethodOptions, "/x")
	require.Empty(t, buf.String(), "successful health checks and OPTIONS are skipped")

	do(http.MethodGet, "/healthz/deep") // exact paths only
	require.Len(t, lines(t, buf.String()), 1)

	status = http.StatusServiceUnavailable
	do(http.MethodGet, "/healthz")
	do(http.MethodOptions, "/x")
	ls := lines(t, buf.String())
	require.Len(t, ls, 3, "failing health checks and 5xx OPTIONS are logged")
	require.Equal(t, "/healthz", ls[1]["path"])

	// A slow health check is logged, at warn.
	status = http.StatusOK
	buf.Reset()
	clock.step = 2 * time.Second
	do(http.MethodGet, "/healthz")
	m := oneLine(t, buf.String())
	require.Equal(t, "warn", m["level"])
	require.Equal(t, true, m["slow"])
}

func TestAccessLogSlowRequest(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	clock := &fakeClock{step: 300 * time.Millisecond}
	status := 200
	h := chain(t, &buf, &AccessLogConfig{SlowThreshold: 250 * time.Millisecond, Now: clock.Now},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	m := oneLine(t, buf.String())
	require.Equal(t, "warn", m["level"])
	require.Equal(t, true, m["slow"])

	buf.Reset()
	status = 500 // error stays error
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, "error", oneLine(t, buf.String())["level"])

	buf.Reset()
	status = 200
	clock.step = 100 * time.Millisecond
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	m = oneLine(t, buf.String())
	require.Equal(t, "info", m["level"])
	require.NotContains(t, m, "slow")
}

func TestAccessLogWithoutRequestIDMiddleware(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	acc, err := AccessLog(zerolog.New(&buf), &AccessLogConfig{Route: func(*http.Request) string { return "custom" }})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req = req.WithContext(WithRequestID(req.Context(), "from-a-job-0123456789"))
	acc(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})).ServeHTTP(httptest.NewRecorder(), req)
	m := oneLine(t, buf.String())
	require.Equal(t, "from-a-job-0123456789", m["request_id"])
	require.Equal(t, "custom", m["route"])

	// A failing resolver falls back to RemoteAddr.
	buf.Reset()
	acc, err = AccessLog(zerolog.New(&buf), &AccessLogConfig{ClientIP: func(*http.Request) (netip.Addr, error) { return netip.Addr{}, errors.New("no") }})
	require.NoError(t, err)
	acc(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, "192.0.2.1", oneLine(t, buf.String())["ip"])
}

func TestAccessLogPanicThrough(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h := chain(t, &buf, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) }))
	require.PanicsWithValue(t, http.ErrAbortHandler, func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	})
	m := oneLine(t, buf.String())
	require.Equal(t, true, m["aborted"])
	require.Equal(t, "error", m["level"])
}

func TestAccessLogInvalidConfig(t *testing.T) {
	t.Parallel()
	_, err := AccessLog(zerolog.Nop(), &AccessLogConfig{Schema: 3})
	require.ErrorIs(t, err, ErrInvalidConfig)
	require.ErrorContains(t, err, "AccessLogConfig.Schema")
	_, err = AccessLog(zerolog.Nop(), &AccessLogConfig{SlowThreshold: -1})
	require.ErrorContains(t, err, "AccessLogConfig.SlowThreshold")
}

func TestResponseWriterInterfaces(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	srv := httptest.NewServer(chain(t, &buf, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusEarlyHints) // 1xx is not the status
		_, _ = w.(io.ReaderFrom).ReadFrom(strings.NewReader("0123456789"))
		w.(http.Flusher).Flush()
		_ = http.NewResponseController(w).Flush()
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, "0123456789", string(body))
	require.Equal(t, 200, resp.StatusCode)
	srv.Close() // the line is written before the handler returns
	m := oneLine(t, buf.String())
	require.Equal(t, float64(200), m["status"])
	require.Equal(t, float64(10), m["bytes"])
	require.Equal(t, "127.0.0.1", m["ip"])

	// Hijack through the wrapper.
	rec := httptest.NewRecorder()
	rw := &responseWriter{w: rec}
	_, _, err = rw.Hijack()
	require.ErrorIs(t, err, http.ErrNotSupported)
}

func TestRemoteHost(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"192.0.2.1:1234":           "192.0.2.1",
		"[2001:db8::1]:443":        "2001:db8::1",
		"[fe80::1%eth0]:443":       "fe80::1%eth0",
		"[::ffff:192.0.2.7]:51234": "192.0.2.7",
		"2001:db8::1":              "2001:db8::1",
		"192.0.2.1":                "192.0.2.1",
		"@":                        "@",
		"":                         "",
		"unix:/tmp/sock":           "unix",
	} {
		require.Equal(t, want, remoteHost(in), "%q", in)
	}
}

func TestAccessLogHijackedConnection(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	srv := httptest.NewServer(chain(t, &buf, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.NotNil(t, w.(interface{ Unwrap() http.ResponseWriter }).Unwrap())
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer conn.Close()
		_, _ = rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
		_ = rw.Flush()
	})))
	defer srv.Close()
	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "echo")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	srv.Close()
	require.Equal(t, float64(101), oneLine(t, buf.String())["status"])
}
