package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buttress-go/buttress/internal/testenv"
	"github.com/buttress-go/buttress/jobs"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"
)

type blockArgs struct{}

func (blockArgs) Kind() string { return "block" }

func TestShutdownInterrupts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var running atomic.Int32
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[blockArgs]) error {
		running.Add(1)
		<-ctx.Done() // a long job that honours cancellation
		return ctx.Err()
	}))
	c, b := setupPG(t, &jobs.Config{Workers: workers, HardStopTimeout: 5 * time.Second})
	start(t, c)
	var ids []int64
	for range 3 {
		res, err := c.Enqueue(ctx, blockArgs{}, nil)
		require.NoError(t, err)
		ids = append(ids, res.Job.ID)
	}
	require.Eventually(t, func() bool { return running.Load() == 3 }, 15*time.Second, 5*time.Millisecond)

	sctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	began := time.Now()
	err := c.Shutdown(sctx)
	require.ErrorIs(t, err, context.DeadlineExceeded, "shutdown had to escalate")
	t.Logf("shutdown took %v (soft timeout 200ms)", time.Since(began))

	other := newPGClient(t, b.schema, nil, nil)
	for _, id := range ids {
		job, err := other.River().JobGet(ctx, id)
		require.NoError(t, err)
		require.Equal(t, rivertype.JobStateAvailable, job.State, "job %d", id)
		require.Equal(t, 0, job.Attempt, "attempt unchanged by the interruption")
		require.Empty(t, job.Errors)
	}
	require.ErrorIs(t, c.Health(ctx), jobs.ErrStopped)
	// River's own slog output reached the zerolog logger.
	require.Contains(t, b.logs.String(), `"logger":"river"`)
	require.Contains(t, b.logs.String(), "client shutdown")
	testenv.RequireNoRepeatedKeys(t, b.logs.String())
}

func TestShutdownSoft(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	release := make(chan struct{})
	var running atomic.Int32
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[blockArgs]) error {
		running.Add(1)
		<-release
		return nil
	}))
	c, _ := setupPG(t, &jobs.Config{Workers: workers})
	start(t, c)
	res, err := c.Enqueue(ctx, blockArgs{}, nil)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return running.Load() == 1 }, 15*time.Second, 5*time.Millisecond)
	time.AfterFunc(100*time.Millisecond, func() { close(release) })
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, c.Shutdown(sctx))
	job, err := c.River().JobGet(ctx, res.Job.ID)
	require.NoError(t, err)
	require.Equal(t, rivertype.JobStateCompleted, job.State)
}

func TestHealth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[noteArgs]) error { return nil }))
	c, _ := setupPG(t, &jobs.Config{Workers: workers})

	fresh := newPGClient(t, testenv.NewSchema(t), nil, nil)
	require.ErrorIs(t, fresh.Health(ctx), jobs.ErrNotMigrated)

	require.NoError(t, c.Health(ctx), "migrated, not started")
	start(t, c)
	require.Eventually(t, func() bool { return c.Health(ctx) == nil }, 15*time.Second, 20*time.Millisecond)
	require.NoError(t, c.Shutdown(ctx))
	require.ErrorIs(t, c.Health(ctx), jobs.ErrStopped)
}

// TestHealthGlobalLimitTable: River's tables alone (migrated by River's own
// tooling, say) are not enough when a kind has a global rate limit, which would otherwise let
// every job through.
func TestHealthGlobalLimitTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[noteArgs]) error { return nil }))
	c, b := setupPG(t, &jobs.Config{Workers: workers, Kinds: map[string]jobs.KindPolicy{
		"note": {RateLimit: &jobs.RateLimit{Limit: 5, Per: time.Second, Global: true}},
	}})
	require.NoError(t, c.Health(ctx))
	_, err := c.DB().ExecContext(ctx, `DROP TABLE `+b.schema.Name+`.buttress_job_rate`)
	require.NoError(t, err)
	err = c.Health(ctx)
	require.ErrorIs(t, err, jobs.ErrNotMigrated)
	require.Contains(t, err.Error(), "buttress_job_rate")
}

func TestAwait(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	type result struct {
		Upper string `json:"upper"`
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[noteArgs]) error {
		return river.RecordOutput(ctx, result{Upper: job.Args.Note + "!"})
	}))
	var attempts atomic.Int32
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[failArgs]) error {
		if attempts.Add(1) <= int32(job.Args.Fail) {
			return errors.New("boom")
		}
		return nil
	}))
	c, _ := setupPG(t, &jobs.Config{Workers: workers})
	start(t, c)
	res, err := c.Enqueue(ctx, noteArgs{Note: "hi"}, nil)
	require.NoError(t, err)
	actx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	out, err := jobs.AwaitAs[result](actx, c, res.Job.ID)
	require.NoError(t, err)
	require.Equal(t, "hi!", out.Upper)

	// A job that fails its only attempt: Await reports it, the dead-letter view lists it, and
	// Retry brings it back.
	bad, err := c.Enqueue(ctx, failArgs{Fail: 1}, &river.InsertOpts{MaxAttempts: 1})
	require.NoError(t, err)
	_, err = c.Await(actx, bad.Job.ID)
	require.ErrorIs(t, err, jobs.ErrJobFailed)
	require.Contains(t, err.Error(), "boom")
	dead, err := c.DeadLetters(ctx, nil)
	require.NoError(t, err)
	require.Len(t, dead, 1)
	_, err = c.Retry(ctx, dead[0].ID)
	require.NoError(t, err)
	_, err = c.Await(actx, bad.Job.ID)
	require.NoError(t, err)
	dead, err = c.DeadLetters(ctx, nil)
	require.NoError(t, err)
	require.Empty(t, dead)

	short, cancel2 := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel2()
	blocked, err := c.Enqueue(ctx, noteArgs{}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	_, err = c.Await(short, blocked.Job.ID)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestStatsAndHooks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var done atomic.Int32
	var sampled atomic.Int32
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[noteArgs]) error { return nil }))
	c, _ := setupPG(t, &jobs.Config{
		Workers:       workers,
		StatsInterval: 50 * time.Millisecond,
		OnJobDone: func(ctx context.Context, ev jobs.JobDone) {
			if ev.Outcome == jobs.OutcomeCompleted && ev.Kind == "note" {
				done.Add(1)
			}
		},
		OnQueueSample: func(ctx context.Context, s []jobs.QueueSample) { sampled.Add(1) },
	})
	// Before starting, the queue has depth.
	for range 3 {
		_, err := c.Enqueue(ctx, noteArgs{}, nil)
		require.NoError(t, err)
	}
	samples, err := c.SampleQueues(ctx)
	require.NoError(t, err)
	require.Len(t, samples, 1)
	require.Equal(t, jobs.QueueSample{Queue: "default", Available: 3, OldestAvailableAge: samples[0].OldestAvailableAge}, samples[0])
	require.Positive(t, samples[0].OldestAvailableAge)

	start(t, c)
	require.Eventually(t, func() bool { return done.Load() == 3 }, 15*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return sampled.Load() >= 2 }, 15*time.Second, 5*time.Millisecond)
	st := c.Stats()
	require.Len(t, st.Jobs, 1)
	require.Equal(t, "note", st.Jobs[0].Kind)
	require.Equal(t, jobs.OutcomeCompleted, st.Jobs[0].Outcome)
	require.Equal(t, int64(3), st.Jobs[0].Count)
	require.False(t, st.SampledAt.IsZero())
}
