package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

type panicReport struct {
	ctx   context.Context
	value any
	stack []byte
}

func recoverChain(t *testing.T, out io.Writer, onPanic func(context.Context, any, []byte), h http.HandlerFunc) http.Handler {
	t.Helper()
	l := zerolog.New(out)
	rid, err := RequestIDMiddleware(l, nil)
	require.NoError(t, err)
	acc, err := AccessLog(l, nil)
	require.NoError(t, err)
	rec, err := Recover(l, &RecoverConfig{OnPanic: onPanic})
	require.NoError(t, err)
	return rid(acc(rec(h)))
}

func secretHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Content-Length", "999")
	panic(errors.New("db password is hunter2"))
}

func TestRecoverPanicBecomes500(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var got panicReport
	h := recoverChain(t, &buf, func(ctx context.Context, v any, stack []byte) { got = panicReport{ctx, v, stack} }, secretHandler)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))

	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
	require.Empty(t, rec.Header().Get("Content-Length"), "stale headers dropped")
	id := rec.Header().Get("X-Request-ID")
	require.Len(t, id, 26)
	body := rec.Body.String()
	require.NotContains(t, body, "hunter2")
	require.NotContains(t, body, "goroutine")
	require.NotContains(t, body, ".go:")
	var problem map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &problem))
	require.Equal(t, map[string]any{"type": "about:blank", "title": "Internal Server Error", "status": float64(500), "request_id": id}, problem)

	// The hook gets the value, the stack and the request context.
	require.EqualError(t, got.value.(error), "db password is hunter2")
	require.Contains(t, string(got.stack), "secretHandler")
	require.Equal(t, id, RequestID(got.ctx))

	// The log has the panic line (request logger: with the ID) and the access line at error.
	ls := lines(t, buf.String())
	require.Len(t, ls, 2)
	require.Equal(t, "panic recovered", ls[0]["message"])
	require.Equal(t, "error", ls[0]["level"])
	require.Equal(t, "db password is hunter2", ls[0]["panic"])
	require.Contains(t, ls[0]["stack"], "secretHandler")
	require.Equal(t, id, ls[0]["request_id"])
	require.Equal(t, float64(500), ls[1]["status"])
	require.Equal(t, "error", ls[1]["level"])
}

func TestRecoverReraisesErrAbortHandler(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	called := false
	h := recoverChain(t, &buf, func(context.Context, any, []byte) { called = true }, func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler)
	})
	require.PanicsWithValue(t, http.ErrAbortHandler, func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	})
	require.False(t, called)
	require.NotContains(t, buf.String(), "panic recovered")
}

// headerCounter counts WriteHeader calls reaching the real writer.
type headerCounter struct {
	http.ResponseWriter
	calls int
}

func (h *headerCounter) WriteHeader(code int) { h.calls++; h.ResponseWriter.WriteHeader(code) }

func TestRecoverAfterHeaderWrittenNoSecondHeader(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var hooked bool
	h := recoverChain(t, &buf, func(context.Context, any, []byte) { hooked = true }, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "partial")
		panic("late failure")
	})
	rec := httptest.NewRecorder()
	hc := &headerCounter{ResponseWriter: rec}
	require.PanicsWithValue(t, http.ErrAbortHandler, func() {
		h.ServeHTTP(hc, httptest.NewRequest(http.MethodGet, "/", nil))
	}, "the started response is aborted, not completed")
	require.Equal(t, 1, hc.calls)
	require.Equal(t, 200, rec.Code)
	require.Equal(t, "partial", rec.Body.String())
	require.True(t, hooked)
	ls := lines(t, buf.String())
	require.Len(t, ls, 2)
	require.Equal(t, "late failure", ls[0]["panic"])
	require.Equal(t, true, ls[0]["response_started"])
	require.Equal(t, true, ls[1]["aborted"])

	// Over a real connection, the client sees a broken body, not a complete one.
	srv := httptest.NewServer(recoverChain(t, io.Discard, nil, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = io.WriteString(w, "partial")
		panic("late failure")
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err == nil { // headers got out before the abort: the body must break
		_, err = io.ReadAll(resp.Body)
		require.NoError(t, resp.Body.Close())
	}
	require.Error(t, err)
}

func TestRecoverStandaloneAndHookPanics(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	rec, err := Recover(zerolog.New(&buf), &RecoverConfig{
		Schema:  SchemaECS,
		OnPanic: func(context.Context, any, []byte) { panic("sentry down") },
	})
	require.NoError(t, err)
	w := httptest.NewRecorder()
	rec(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(42) })).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, 500, w.Code)
	require.NotContains(t, w.Body.String(), "request_id")
	ls := lines(t, buf.String())
	require.Len(t, ls, 2)
	require.Equal(t, "42", ls[0]["error.message"])
	require.True(t, strings.Contains(ls[0]["error.stack_trace"].(string), "goroutine"))
	require.Equal(t, "sentry down", ls[1]["panic"])

	_, err = Recover(zerolog.Nop(), &RecoverConfig{Schema: 5})
	require.ErrorIs(t, err, ErrInvalidConfig)
}
