package dbrouter_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/dbrouter"
)

var mwKey = []byte("test-key-0123456789abcdef")

// TestMiddlewareCarriesTheTokenAcrossRequests: a user's write in one request is visible in their
// next request, even while replay is paused and the request carries nothing but the cookie; a
// forged cookie reads from the primary; an expired one is dropped.
func TestMiddlewareCarriesTheTokenAcrossRequests(t *testing.T) {
	r, b := setupPG(t, true, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := b.primary.ExecContext(ctx, `INSERT INTO items VALUES (1, 1)`)
	require.NoError(t, err)
	b.schema.WaitOnReplica(t)

	var rejected []error
	var mu sync.Mutex
	mw, err := dbrouter.Middleware(mwKey, &dbrouter.MiddlewareConfig{Insecure: true, OnReject: func(_ *http.Request, err error) {
		mu.Lock()
		rejected = append(rejected, err)
		mu.Unlock()
	}})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /items/{v}", func(w http.ResponseWriter, req *http.Request) {
		_, err := r.ExecContext(req.Context(), `UPDATE items SET v = $1 WHERE id = 1`, req.PathValue("v"))
		if err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, req *http.Request) {
		var v int64
		if err := r.GetContext(req.Context(), &v, `SELECT v FROM items WHERE id = 1`); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprint(w, v)
	})
	srv := httptest.NewServer(mw(mux))
	defer srv.Close()

	do := func(method, path string, cookie *http.Cookie) (*http.Response, string) {
		req, err := http.NewRequestWithContext(ctx, method, srv.URL+path, nil)
		require.NoError(t, err)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode, string(body))
		return resp, string(body)
	}

	// A read-only request sets no cookie.
	resp, body := do("GET", "/items", nil)
	require.Empty(t, resp.Cookies())
	require.Equal(t, "1", body)

	require.NoError(t, b.faults.PauseReplay(ctx))
	resp, _ = do("POST", "/items/2", nil)
	require.Len(t, resp.Cookies(), 1)
	cookie := resp.Cookies()[0]
	require.Equal(t, "dbr_rw", cookie.Name)
	require.True(t, cookie.HttpOnly)

	_, body = do("GET", "/items", cookie)
	require.Equal(t, "2", body, "the user's next request sees the write")
	untilOnReplica(t, b.reads.replicaRead(func() error { _, body = do("GET", "/items", nil); return nil }))
	require.Equal(t, "1", body, "another user reads the (paused) replica")

	forged := &http.Cookie{Name: "dbr_rw", Value: strings.Repeat("A", dbrouter.TokenMaxLen)}
	_, body = do("GET", "/items", forged)
	require.Equal(t, "2", body, "a forged token reads from the primary")

	expired := &http.Cookie{Name: "dbr_rw", Value: dbrouter.EncodeToken(mwKey, dbrouter.Token{LSN: 1 << 62}, time.Now().Add(-time.Second))}
	untilOnReplica(t, b.reads.replicaRead(func() error { _, body = do("GET", "/items", expired); return nil }))
	require.Equal(t, "1", body, "an expired token is dropped")

	mu.Lock()
	require.GreaterOrEqual(t, len(rejected), 2, "the forged token, then the expired one (once per try)")
	require.ErrorIs(t, rejected[0], dbrouter.ErrTokenInvalid)
	for _, err := range rejected[1:] {
		require.ErrorIs(t, err, dbrouter.ErrTokenExpired)
	}
	mu.Unlock()
	require.NoError(t, b.faults.ResumeReplay(ctx))

	// Header mode.
	hmw, err := dbrouter.Middleware(mwKey, &dbrouter.MiddlewareConfig{Header: "X-DB-Session"})
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	hmw(mux).ServeHTTP(rec, httptest.NewRequestWithContext(ctx, "POST", "/items/3", nil))
	require.Len(t, rec.Header().Get("X-DB-Session"), dbrouter.TokenMaxLen)

	_, err = dbrouter.Middleware([]byte("short"), nil)
	require.ErrorIs(t, err, dbrouter.ErrBadConfig)
}

// TestSelectAnyOnPostgres: the batch helper sends one array parameter through pgx.
func TestSelectAnyOnPostgres(t *testing.T) {
	t.Parallel()
	r, b := setupPG(t, false, nil)
	ctx := context.Background()
	_, err := b.primary.ExecContext(ctx, `INSERT INTO items SELECT g, g * 10 FROM generate_series(1, 5) g`)
	require.NoError(t, err)
	ctx, counter := dbrouter.WithQueryCounter(dbrouter.WithPrimary(ctx))
	got, err := dbrouter.SelectAny[int64](ctx, r, `SELECT v FROM items WHERE id = ANY($1) ORDER BY id`, []int64{2, 4, 9})
	require.NoError(t, err)
	require.Equal(t, []int64{20, 40}, got)
	require.Equal(t, 1, counter.Count())
}
