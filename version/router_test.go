package version

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func say(s string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, s+" "+Get(r.Context()).String()+" "+r.PathValue("id"))
	}
}

func TestRouterInheritance(t *testing.T) {
	t.Parallel()
	n, err := New([]Spec{{Version: "1"}, {Version: "2"}, {Version: "3"}, {Version: "4"}}, &Config{Readers: []Reader{Path("/api")}})
	require.NoError(t, err)
	rt := NewRouter()
	rt.HandleFunc("1", "GET /api/orders/{id}", say("orders-v1"))
	rt.Handle("2", "GET /api/orders/{id}", say("orders-v2"))
	rt.HandleFunc("2", "GET /api/invoices", say("invoices-v2"))
	rt.HandleFunc("1", "GET /api/legacy", say("legacy"))
	rt.Remove("3", "GET /api/legacy")
	h := n.Middleware(rt)
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		return w
	}
	require.Equal(t, "orders-v1 1 7", get("/api/v1/orders/7").Body.String())
	require.Equal(t, "orders-v2 2 7", get("/api/v2/orders/7").Body.String())
	require.Equal(t, "orders-v2 3 7", get("/api/v3/orders/7").Body.String(), "v3 of an unchanged endpoint is served by v2's handler")
	require.Equal(t, "orders-v2 4 7", get("/api/orders/7").Body.String(), "default (newest) inherits too")
	require.Equal(t, "invoices-v2 3 ", get("/api/v3/invoices").Body.String())
	require.Equal(t, "legacy 2 ", get("/api/v2/legacy").Body.String())

	p := problemOf(t, get("/api/v1/invoices"), 404)
	require.Equal(t, ProblemNotAvailable, p["type"])
	require.Contains(t, p["detail"], "GET /api/invoices does not exist before API version 2")
	p = problemOf(t, get("/api/v3/legacy"), 404)
	require.Contains(t, p["detail"], "GET /api/legacy is not available in API version 3")
	require.Equal(t, []any{"1"}, p["supported_versions"])

	post := httptest.NewRecorder()
	h.ServeHTTP(post, httptest.NewRequest(http.MethodPost, "/api/v2/legacy", nil))
	require.Equal(t, http.StatusMethodNotAllowed, post.Code, "unknown methods keep ServeMux's 405")
	require.Equal(t, http.StatusNotFound, get("/api/v2/nowhere").Code)
}

func TestRouterWithoutNegotiator(t *testing.T) {
	t.Parallel()
	rt := NewRouter()
	rt.HandleFunc("1", "GET /x", say("old"))
	rt.HandleFunc("2", "GET /x", say("new"))
	w := httptest.NewRecorder()
	rt.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/x", nil))
	require.Equal(t, "new  ", w.Body.String(), "no version on the context: the newest registration")

	w = httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/x", nil)
	rt.ServeHTTP(w, r.WithContext(NewContext(r.Context(), MajorMinor(1, 5))))
	require.Equal(t, "old 1.5 ", w.Body.String())
}

func TestRouterPanicsOnProgrammerErrors(t *testing.T) {
	t.Parallel()
	rt := NewRouter()
	rt.HandleFunc("2", "GET /x", say("x"))
	require.PanicsWithValue(t, `version: Router: pattern "GET /x" already registered for version 2.0`, func() { rt.HandleFunc("2.0", "GET /x", say("x")) })
	require.Panics(t, func() { rt.HandleFunc("two", "GET /y", say("y")) })
	require.Panics(t, func() { rt.Handle("1", "GET /z", nil) })
	require.Panics(t, func() { rt.HandleFunc("1", "GET /z", nil) })
	require.Panics(t, func() { rt.HandleFunc("1", "NOT A PATTERN", say("p")) })
}

func TestContext(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	_, ok := FromContext(r.Context())
	require.False(t, ok)
	require.True(t, Get(r.Context()).IsZero())
	ctx := NewContext(r.Context(), Int(3))
	v, ok := FromContext(ctx)
	require.True(t, ok)
	require.Equal(t, Int(3), v)
}
