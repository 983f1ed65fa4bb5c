package jobs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/buttress-go/buttress/jobs"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"
)

func requireToken(token string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+token {
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[noteArgs]) error { return nil }))
	c, _ := setupPG(t, &jobs.Config{Workers: workers})
	_, err := c.Enqueue(ctx, noteArgs{Note: "visible"}, nil)
	require.NoError(t, err)

	_, err = c.Dashboard(ctx, "/admin/jobs", nil)
	require.ErrorIs(t, err, jobs.ErrNoAuth)
	_, err = c.Dashboard(ctx, "/admin/jobs", func(http.Handler) http.Handler { return nil })
	require.ErrorIs(t, err, jobs.ErrNoAuth)

	h, err := c.Dashboard(ctx, "/admin/jobs", requireToken("s3cret"))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()

	get := func(auth bool) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/admin/jobs/api/jobs?state=available&limit=10", nil)
		if auth {
			req.Header.Set("Authorization", "Bearer s3cret")
		}
		return http.DefaultClient.Do(req)
	}
	resp, err := get(false)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	resp, err = get(true)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var body struct {
		Data []struct {
			Kind string `json:"kind"`
		} `json:"data"`
	}
	require.NoError(t, jsonDecode(resp, &body))
	require.Len(t, body.Data, 1)
	require.Equal(t, "note", body.Data[0].Kind)
}
