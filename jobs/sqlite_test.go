package jobs_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buttress-go/buttress/jobs"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

func TestSQLiteJourney(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := jobs.OpenSQLite(filepath.Join(t.TempDir(), "jobs.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	logs := &syncBuffer{}
	got := make(chan string, 4)
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[noteArgs]) error {
		zerolog.Ctx(ctx).Info().Msg("sqlite worker")
		got <- jobs.RequestID(ctx)
		return nil
	}))
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[failArgs]) error {
		return jobs.Permanent(errors.New("nope"))
	}))
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[stepArgs]) error { return nil }))
	c, err := jobs.NewSQLite(db, fastConfig(&jobs.Config{Workers: workers}, logs))
	require.NoError(t, err)
	require.NoError(t, c.Migrate(ctx))
	require.NoError(t, c.Health(ctx))

	tx, err := c.DB().BeginTxx(ctx, nil)
	require.NoError(t, err)
	_, err = c.EnqueueTx(ctx, tx, noteArgs{Note: "rolled back"}, nil)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())
	require.Equal(t, 0, countJobs(t, c, "note"))

	start(t, c)
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = c.Shutdown(sctx)
	})
	rctx := jobs.WithRequestID(ctx, "req-sqlite")
	tx, err = c.DB().BeginTxx(rctx, nil)
	require.NoError(t, err)
	res, err := c.EnqueueTx(rctx, tx, noteArgs{Note: "committed"}, nil)
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	select {
	case rid := <-got:
		require.Equal(t, "req-sqlite", rid)
	case <-time.After(15 * time.Second):
		t.Fatal("job never ran on SQLite")
	}
	waitState(t, c, res.Job.ID, rivertype.JobStateCompleted)
	require.True(t, strings.Contains(logs.String(), `"request_id":"req-sqlite"`), logs.String())

	perm, err := c.Enqueue(ctx, failArgs{}, &river.InsertOpts{MaxAttempts: 5})
	require.NoError(t, err)
	job := waitState(t, c, perm.Job.ID, rivertype.JobStateCancelled)
	require.Equal(t, 1, job.Attempt)

	rows, err := c.EnqueueChain(ctx, jobs.Step{Args: stepArgs{"one"}}, jobs.Step{Args: stepArgs{"two"}})
	require.NoError(t, err)
	waitState(t, c, rows[1].ID, rivertype.JobStateCompleted)

	_, err = c.Enqueue(ctx, unregisteredArgs{}, nil)
	require.ErrorIs(t, err, jobs.ErrUnknownKind)
}

func TestShutdownNotStarted(t *testing.T) {
	t.Parallel()
	db, err := jobs.OpenSQLite(":memory:")
	require.NoError(t, err)
	defer db.Close()
	c, err := jobs.NewSQLite(db, nil)
	require.NoError(t, err)
	require.NoError(t, c.Shutdown(context.Background()))
	require.ErrorIs(t, c.Health(context.Background()), jobs.ErrNotMigrated)
	require.NoError(t, c.Migrate(context.Background()))
	require.NoError(t, c.Health(context.Background()))
}
