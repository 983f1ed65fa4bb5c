package logging

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

func TestValidRequestID(t *testing.T) {
	t.Parallel()
	ok := []string{
		"01HZX3K8J9Q7W5E2R4T6Y8U0IP",
		strings.Repeat("a", 20),
		strings.Repeat("Z", 200),
		"abcDEF0123456789+/=-abc",
		"dGhpcyBpcyBhIGJhc2U2NCBpZA==",
		"123e4567-e89b-12d3-a456-426614174000",
	}
	bad := []string{
		"",
		strings.Repeat("a", 19),
		strings.Repeat("a", 201),
		"abcdefghijklmnopqrst\n{\"level\":\"error\"}", // log injection with newline
		"abcdefghijklmnopqrst\r\nX-Admin: true",       // header/log injection with CRLF
		`abcdefghij","admin":true,"x":"klmnopqrst`,    // JSON quote breakout
		"abcdefghijklmnop'; DROP TABLE users;--",      // quotes and spaces
		"abcdefghijklmnopqrst\x00",                    // NUL
		"abcdefghijklmnopqrst\x1b[31m",                // terminal escape
		"abcdefghij klmnopqrst",                       // space
		"abcdefghijklmnopqrst_",                       // underscore is outside the set
		"abcdefghijklmnopqrsté",                       // non-ASCII
		"abcdefghij<script>klmnopqrst",                // markup
		"abcdefghij\\u000aklmnopqrst",                 // backslash escape
		"abcdefghijklmnopqrst\t",                      // tab
	}
	for _, id := range ok {
		require.True(t, ValidRequestID(id), "%q", id)
	}
	for _, id := range bad {
		require.False(t, ValidRequestID(id), "%q", id)
	}
}

func TestNewRequestID(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	prev := ""
	for range 1000 {
		id := NewRequestID()
		require.Len(t, id, 26)
		require.True(t, ValidRequestID(id), id)
		require.False(t, seen[id])
		seen[id] = true
		require.GreaterOrEqual(t, id[:10], prev, "time prefix sorts") // same or later millisecond
		prev = id[:10]
	}
}

func serveRID(t *testing.T, cfg *RequestIDConfig, req *http.Request, h http.HandlerFunc) (*httptest.ResponseRecorder, string) {
	t.Helper()
	var buf bytes.Buffer
	mw, err := RequestIDMiddleware(zerolog.New(&buf), cfg)
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	mw(h).ServeHTTP(rec, req)
	return rec, buf.String()
}

func TestRequestIDMiddlewareKeepsValidIncoming(t *testing.T) {
	t.Parallel()
	const in = "req-0123456789abcdefXYZ"
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Request-ID", in)
	var got string
	rec, out := serveRID(t, nil, req, func(w http.ResponseWriter, r *http.Request) {
		got = RequestID(r.Context())
		Ctx(r.Context()).Info().Msg("in handler")
	})
	require.Equal(t, in, got)
	require.Equal(t, in, rec.Header().Get("X-Request-ID"))
	require.Equal(t, in, oneLine(t, out)["request_id"])
}

func TestRequestIDMiddlewareReplacesInvalidIncoming(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"short",
		"abcdefghijklmnopqrst\n{\"level\":\"error\",\"message\":\"forged\"}",
		`abcdefghij","admin":true,"x":"klmnopqrst`,
		strings.Repeat("a", 201),
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header["X-Request-Id"] = []string{in}
		var got string
		rec, out := serveRID(t, nil, req, func(w http.ResponseWriter, r *http.Request) {
			got = RequestID(r.Context())
			zerolog.Ctx(r.Context()).Info().Msg("x")
		})
		require.NotEqual(t, in, got)
		require.Len(t, got, 26)
		require.Equal(t, got, rec.Header().Get("X-Request-ID"))
		m := oneLine(t, out) // a forged line would make this two lines
		require.Equal(t, got, m["request_id"])
		require.NotContains(t, out, "forged")
		require.NotContains(t, out, "admin")
	}

	// Two incoming values are ambiguous: replaced too.
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header["X-Request-Id"] = []string{"aaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbb"}
	rec, _ := serveRID(t, nil, req, func(http.ResponseWriter, *http.Request) {})
	require.Len(t, rec.Header().Get("X-Request-ID"), 26)
}

func TestRequestIDMiddlewareOptions(t *testing.T) {
	t.Parallel()
	const in = "req-0123456789abcdefXYZ"
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Correlation-ID", in)
	rec, out := serveRID(t, &RequestIDConfig{Header: "x-correlation-id", Schema: SchemaECS}, req, func(w http.ResponseWriter, r *http.Request) {
		Ctx(r.Context()).Info().Msg("x")
	})
	require.Equal(t, in, rec.Header().Get("X-Correlation-ID"))
	require.Empty(t, rec.Header().Get("X-Request-ID"))
	require.Equal(t, in, oneLine(t, out)["http.request.id"])

	rec, _ = serveRID(t, &RequestIDConfig{Header: "x-correlation-id", IgnoreIncoming: true}, req, func(http.ResponseWriter, *http.Request) {})
	require.NotEqual(t, in, rec.Header().Get("X-Correlation-ID"))

	_, err := RequestIDMiddleware(zerolog.Nop(), &RequestIDConfig{Header: "X Request"})
	require.ErrorIs(t, err, ErrInvalidConfig)
	require.ErrorContains(t, err, "RequestIDConfig.Header")
	_, err = RequestIDMiddleware(zerolog.Nop(), &RequestIDConfig{Schema: 7})
	require.ErrorContains(t, err, "RequestIDConfig.Schema")
}

func TestRequestIDTraceparent(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	var tp Traceparent
	var ok bool
	_, out := serveRID(t, nil, req, func(w http.ResponseWriter, r *http.Request) {
		tp, ok = TraceFromContext(r.Context())
		Ctx(r.Context()).Info().Msg("x")
	})
	require.True(t, ok)
	require.True(t, tp.Sampled())
	m := oneLine(t, out)
	require.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", m["trace.id"])
	require.Equal(t, "00f067aa0ba902b7", m["span.id"])

	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n{}")
	_, out = serveRID(t, nil, req, func(w http.ResponseWriter, r *http.Request) {
		_, ok = TraceFromContext(r.Context())
		Ctx(r.Context()).Info().Msg("x")
	})
	require.False(t, ok)
	require.NotContains(t, oneLine(t, out), "trace.id")

	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	_, out = serveRID(t, &RequestIDConfig{IgnoreTraceparent: true}, req, func(w http.ResponseWriter, r *http.Request) {
		Ctx(r.Context()).Info().Msg("x")
	})
	require.NotContains(t, oneLine(t, out), "trace.id")
}

func TestContextAccessors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, ok := RequestIDFromContext(ctx)
	require.False(t, ok)
	require.Empty(t, RequestID(ctx))
	var nilCtx context.Context // a nil ctx is handled, not a panic
	require.Empty(t, RequestID(nilCtx))
	require.NotNil(t, Ctx(ctx))
	require.NotNil(t, Ctx(nilCtx))
	require.Equal(t, zerolog.Disabled, Ctx(ctx).GetLevel())

	ctx = WithRequestID(ctx, "job-continues-req-0001")
	id, ok := RequestIDFromContext(ctx)
	require.True(t, ok)
	require.Equal(t, "job-continues-req-0001", id)

	// Ctx and zerolog.Ctx agree, for loggers attached by zerolog itself...
	var buf bytes.Buffer
	l := zerolog.New(&buf)
	ctx = l.WithContext(ctx)
	require.Same(t, zerolog.Ctx(ctx), Ctx(ctx))

	// ...and for the request logger, which is built once.
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	serveRID(t, nil, req, func(w http.ResponseWriter, r *http.Request) {
		require.Same(t, zerolog.Ctx(r.Context()), Ctx(r.Context()))
		require.Same(t, Ctx(r.Context()), Ctx(r.Context()))
		// WithRequestID on top of the request context wins.
		require.Equal(t, "override-0123456789ab", RequestID(WithRequestID(r.Context(), "override-0123456789ab")))
		// Derived contexts still see the request's values.
		c, cancel := context.WithCancel(r.Context())
		defer cancel()
		require.Equal(t, RequestID(r.Context()), RequestID(c))
		require.Same(t, Ctx(r.Context()), Ctx(c))
	})
}

func TestZerologKeyDiscovered(t *testing.T) {
	t.Parallel()
	l := zerolog.New(nil)
	ctx := l.WithContext(context.Background())
	require.NotNil(t, zerologKey)
	require.Same(t, ctx.Value(zerologKey), zerolog.Ctx(ctx))
}

func TestRequestLoggerConcurrentFirstUse(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	mw, err := RequestIDMiddleware(zerolog.New(&buf), nil)
	require.NoError(t, err)
	srv := httptest.NewServer(mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		done := make(chan *zerolog.Logger, 8)
		for range 8 {
			go func() { l := Ctx(r.Context()); l.Info().Msg("worker"); done <- l }()
		}
		first := <-done
		for range 7 {
			if l := <-done; l != first {
				http.Error(w, "different loggers", http.StatusInternalServerError)
				return
			}
		}
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	id := resp.Header.Get("X-Request-ID")
	ls := lines(t, buf.String())
	require.Len(t, ls, 8)
	for _, m := range ls {
		require.Equal(t, id, m["request_id"])
	}
}
