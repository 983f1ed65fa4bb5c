package logging

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

type ctxKey struct{}

// copying stands for middleware that hands the next handler a copy of the request, as any
// middleware adding a context value does.
func copying(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, 1)))
	})
}

func TestRoutesRecoversThePatternBehindARequestCopy(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(http.ResponseWriter, *http.Request) {})
	inner := http.NewServeMux()
	inner.HandleFunc("GET /api/orders/{id}", func(http.ResponseWriter, *http.Request) {})
	mux.Handle("/api/", copying(Routes(inner)))

	for _, tc := range []struct {
		name  string
		h     http.Handler
		path  string
		route any // nil: no route field
	}{
		{"the copy hides the pattern", copying(mux), "/items/1", nil},
		{"Routes finds it", copying(Routes(mux)), "/items/1", "GET /items/{id}"},
		{"the innermost router's pattern wins", copying(Routes(mux)), "/api/orders/7", "GET /api/orders/{id}"},
		{"no match: no route", copying(Routes(mux)), "/nope", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			chain(t, &buf, nil, tc.h).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, tc.path, nil))
			require.Equal(t, tc.route, oneLine(t, buf.String())["route"])
		})
	}
}

func TestRoutesOnAPanic(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := zerolog.New(&buf)
	rid, err := RequestIDMiddleware(l, nil)
	require.NoError(t, err)
	acc, err := AccessLog(l, nil)
	require.NoError(t, err)
	rec, err := Recover(l, nil)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	w := httptest.NewRecorder()
	rid(acc(rec(copying(Routes(mux))))).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/boom", nil))
	require.Equal(t, http.StatusInternalServerError, w.Code)
	ls := lines(t, buf.String())
	require.Len(t, ls, 2, "the recovered panic, then the access line")
	require.Equal(t, "request", ls[1]["message"])
	require.Equal(t, "GET /boom", ls[1]["route"])
	require.Equal(t, float64(500), ls[1]["status"])
}

func TestSetRouteWithoutRequestIDIsANoOp(t *testing.T) {
	t.Parallel()
	require.NotPanics(t, func() { SetRoute(context.Background(), "GET /x") })
	var buf bytes.Buffer
	acc, err := AccessLog(zerolog.New(&buf), nil)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /x", func(http.ResponseWriter, *http.Request) {})
	acc(copying(Routes(mux))).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil))
	require.NotContains(t, oneLine(t, buf.String()), "route")
}

func TestRoutesAllocatesNothing(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(http.ResponseWriter, *http.Request) {})
	rid, err := RequestIDMiddleware(zerolog.Nop(), nil)
	require.NoError(t, err)
	acc, err := AccessLog(zerolog.Nop(), nil)
	require.NoError(t, err)
	without := rid(acc(mux))
	with := rid(acc(Routes(mux)))
	req := httptest.NewRequest(http.MethodGet, "/items/1", nil)
	req.Header.Set("X-Request-ID", "abcdefghij0123456789")
	w := httptest.NewRecorder()
	base := testing.AllocsPerRun(100, func() { without.ServeHTTP(w, req) })
	require.Equal(t, base, testing.AllocsPerRun(100, func() { with.ServeHTTP(w, req) }))
}
