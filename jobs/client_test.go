package jobs_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buttress-go/buttress/jobs"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

type seen struct {
	RequestID   string
	Traceparent string
	JobID       int64
}

func TestTxRollbackAndCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	got := make(chan seen, 4)
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[noteArgs]) error {
		zerolog.Ctx(ctx).Info().Str("note", job.Args.Note).Msg("working on note")
		got <- seen{jobs.RequestID(ctx), jobs.Traceparent(ctx), job.ID}
		return nil
	}))
	c, b := setupPG(t, &jobs.Config{Workers: workers})
	start(t, c)

	// Rollback: the job never existed.
	tx, err := c.DB().BeginTxx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, `CREATE TABLE orders (id int)`)
	require.NoError(t, err)
	_, err = c.EnqueueTx(ctx, tx, noteArgs{Note: "rolled back"}, nil)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())
	require.Equal(t, 0, countJobs(t, c, "note"))

	// Commit: the job runs, with the request's context.
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	rctx := jobs.WithTraceparent(jobs.WithRequestID(ctx, "req-7f3a"), tp)
	tx, err = c.DB().BeginTxx(rctx, nil)
	require.NoError(t, err)
	res, err := c.EnqueueTx(rctx, tx, noteArgs{Note: "committed"}, nil)
	require.NoError(t, err)
	require.NoError(t, tx.Commit())

	select {
	case s := <-got:
		require.Equal(t, seen{"req-7f3a", tp, res.Job.ID}, s)
	case <-time.After(15 * time.Second):
		t.Fatal("committed job never ran")
	}
	waitState(t, c, res.Job.ID, rivertype.JobStateCompleted)
	require.Equal(t, 1, countJobs(t, c, "note"))

	var line string
	for _, l := range strings.Split(b.logs.String(), "\n") {
		if strings.Contains(l, "working on note") {
			line = l
		}
	}
	require.NotEmpty(t, line, "worker log line missing; logs:\n%s", b.logs.String())
	require.Contains(t, line, `"request_id":"req-7f3a"`)
	require.Contains(t, line, `"job_kind":"note"`)
	require.Contains(t, line, `"queue":"default"`)
	require.Contains(t, line, `"attempt":1`)
	require.Contains(t, line, `"job_id":`)
}

func TestPermanentOneAttempt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var calls atomic.Int32
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[failArgs]) error {
		calls.Add(1)
		return jobs.Permanent(errors.New("card declined"))
	}))
	c, _ := setupPG(t, &jobs.Config{Workers: workers, Kinds: map[string]jobs.KindPolicy{
		"fail": {Retry: jobs.RetryPolicy{Base: 10 * time.Millisecond}},
	}})
	start(t, c)
	res, err := c.Enqueue(ctx, failArgs{Fail: 99}, &river.InsertOpts{MaxAttempts: 5})
	require.NoError(t, err)
	job := waitState(t, c, res.Job.ID, rivertype.JobStateCancelled, rivertype.JobStateDiscarded, rivertype.JobStateCompleted)
	require.Equal(t, rivertype.JobStateCancelled, job.State)
	require.Equal(t, 1, job.Attempt)
	require.Len(t, job.Errors, 1)
	require.Contains(t, job.Errors[0].Error, "card declined")
	require.Equal(t, int32(1), calls.Load())

	var pe *jobs.PermanentError
	require.ErrorAs(t, jobs.Permanent(errors.New("x")), &pe)
}

func TestRetryPolicyPerKind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[failArgs]) error {
		if job.Attempt <= job.Args.Fail {
			return errors.New("flaky")
		}
		return nil
	}))
	c, _ := setupPG(t, &jobs.Config{Workers: workers, Kinds: map[string]jobs.KindPolicy{
		"fail": {Retry: jobs.RetryPolicy{Base: 20 * time.Millisecond, Max: 100 * time.Millisecond, Jitter: 0.1}, MaxAttempts: 3},
	}})
	start(t, c)
	ok, err := c.Enqueue(ctx, failArgs{Fail: 2}, nil)
	require.NoError(t, err)
	require.Equal(t, 3, ok.Job.MaxAttempts, "kind MaxAttempts applied")
	bad, err := c.Enqueue(ctx, failArgs{Fail: 5}, nil)
	require.NoError(t, err)

	job := waitState(t, c, ok.Job.ID, rivertype.JobStateCompleted)
	require.Equal(t, 3, job.Attempt)
	require.Len(t, job.Errors, 2)
	// With River's default policy the second retry alone would wait ~16s.
	require.Less(t, job.Errors[1].At.Sub(job.Errors[0].At), 5*time.Second)

	job = waitState(t, c, bad.Job.ID, rivertype.JobStateDiscarded)
	require.Equal(t, 3, job.Attempt)

	dead, err := c.DeadLetters(ctx, &jobs.DeadLetterQuery{Kinds: []string{"fail"}})
	require.NoError(t, err)
	require.Len(t, dead, 1)
	require.Equal(t, bad.Job.ID, dead[0].ID)
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var ran atomic.Int32
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[noteArgs]) error {
		ran.Add(1)
		return nil
	}))
	c, _ := setupPG(t, &jobs.Config{Workers: workers, Kinds: map[string]jobs.KindPolicy{
		"note": {Expiry: 100 * time.Millisecond},
	}})
	// Inserted while no worker runs: both expire before a worker starts.
	byKind, err := c.Enqueue(ctx, noteArgs{Note: "kind expiry"}, nil)
	require.NoError(t, err)
	byJob, err := c.Enqueue(ctx, noteArgs{Note: "job deadline"}, jobs.ExpireAt(nil, time.Now().Add(50*time.Millisecond)))
	require.NoError(t, err)
	// A later deadline is honoured: this one runs.
	fresh, err := c.Enqueue(ctx, noteArgs{Note: "fresh"}, jobs.ExpireAt(&river.InsertOpts{Tags: []string{"urgent"}}, time.Now().Add(time.Hour)))
	require.NoError(t, err)
	time.Sleep(200 * time.Millisecond)
	start(t, c)

	for _, id := range []int64{byKind.Job.ID, byJob.Job.ID} {
		job := waitState(t, c, id, rivertype.JobStateCancelled, rivertype.JobStateCompleted)
		require.Equal(t, rivertype.JobStateCancelled, job.State)
		require.Contains(t, job.Errors[0].Error, jobs.ErrExpired.Error())
	}
	waitState(t, c, fresh.Job.ID, rivertype.JobStateCompleted)
	require.Equal(t, int32(1), ran.Load(), "expired jobs must not run")
	var expired int64
	for _, s := range c.Stats().Jobs {
		if s.Outcome == jobs.OutcomeExpired {
			expired += s.Count
		}
	}
	require.Equal(t, int64(2), expired)
}
