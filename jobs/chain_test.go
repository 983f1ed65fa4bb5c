package jobs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buttress-go/buttress/jobs"
	"github.com/jmoiron/sqlx"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"
)

type stepArgs struct {
	Step string `json:"step"`
}

func (stepArgs) Kind() string { return "step" }

func TestChainCrashBeforeCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var mu sync.Mutex
	var order []string
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[stepArgs]) error {
		mu.Lock()
		order = append(order, job.Args.Step)
		mu.Unlock()
		return nil
	}))
	c, _ := setupPG(t, &jobs.Config{Workers: workers, Kinds: map[string]jobs.KindPolicy{
		"step": {Retry: jobs.RetryPolicy{Base: 10 * time.Millisecond}},
	}})
	// The first hand-off of step "a" loses its connection between the work and the commit: the
	// database kills the session, as a crash or network cut would.
	var crashed atomic.Bool
	c.SetBeforeChainCommit(func(ctx context.Context, tx *sqlx.Tx, job *rivertype.JobRow) error {
		if crashed.CompareAndSwap(false, true) {
			_, err := tx.ExecContext(ctx, `SELECT pg_terminate_backend(pg_backend_pid())`)
			if err == nil {
				return errors.New("expected the session to die")
			}
			return err
		}
		return nil
	})
	start(t, c)
	rows, err := c.EnqueueChain(ctx,
		jobs.Step{Args: stepArgs{"a"}},
		jobs.Step{Args: stepArgs{"b"}, Opts: &river.InsertOpts{Priority: 2}},
		jobs.Step{Args: stepArgs{"c"}})
	require.NoError(t, err)
	require.Len(t, rows, 3)
	require.Equal(t, rivertype.JobStateAvailable, rows[0].State)
	require.Equal(t, rivertype.JobStatePending, rows[1].State)
	require.Equal(t, rivertype.JobStatePending, rows[2].State)

	last := waitState(t, c, rows[2].ID, rivertype.JobStateCompleted)
	require.Equal(t, 1, last.Attempt)
	a := waitState(t, c, rows[0].ID, rivertype.JobStateCompleted)
	require.Equal(t, 2, a.Attempt, "the crashed hand-off made step a run again")
	b := waitState(t, c, rows[1].ID, rivertype.JobStateCompleted)
	require.Equal(t, 1, b.Attempt)
	require.Equal(t, 2, b.Priority)
	require.True(t, crashed.Load())
	mu.Lock()
	require.Equal(t, []string{"a", "a", "b", "c"}, order, "no step lost, none duplicated, in order")
	mu.Unlock()
	require.Equal(t, 3, countJobs(t, c, "step"))
}

func TestChainFailureCancelsRest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[stepArgs]) error {
		if job.Args.Step == "bad" {
			return jobs.Permanent(errors.New("no"))
		}
		return nil
	}))
	c, _ := setupPG(t, &jobs.Config{Workers: workers})
	start(t, c)
	rows, err := c.EnqueueChain(ctx, jobs.Step{Args: stepArgs{"bad"}}, jobs.Step{Args: stepArgs{"never"}})
	require.NoError(t, err)
	waitState(t, c, rows[0].ID, rivertype.JobStateCancelled)
	job := waitState(t, c, rows[1].ID, rivertype.JobStateCancelled)
	require.Equal(t, 0, job.Attempt)
}

// TestChainDeadStepCancelsRest: a step that expires unstarted, panics on its last
// attempt or runs past JobTimeout on its last attempt never completes, so the steps waiting on
// it are cancelled instead of staying pending for ever.
func TestChainDeadStepCancelsRest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[stepArgs]) error {
		switch job.Args.Step {
		case "panic":
			panic("step panicked")
		case "slow":
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}))
	c, _ := setupPG(t, &jobs.Config{Workers: workers, JobTimeout: 200 * time.Millisecond})
	start(t, c)
	last := &river.InsertOpts{MaxAttempts: 1}
	for _, first := range []jobs.Step{
		{Args: stepArgs{"panic"}, Opts: last},
		{Args: stepArgs{"slow"}, Opts: last},
		{Args: stepArgs{"expired"}, Opts: jobs.ExpireAt(nil, time.Now().Add(-time.Second))},
	} {
		t.Run(first.Args.(stepArgs).Step, func(t *testing.T) {
			rows, err := c.EnqueueChain(ctx, first, jobs.Step{Args: stepArgs{"never"}}, jobs.Step{Args: stepArgs{"never2"}})
			require.NoError(t, err)
			for _, r := range rows[1:] {
				job := waitState(t, c, r.ID, rivertype.JobStateCancelled)
				require.Equal(t, 0, job.Attempt, "a later step never ran")
			}
		})
	}
	outcomes := map[jobs.Outcome]int64{}
	for _, ks := range c.Stats().Jobs {
		outcomes[ks.Outcome] += ks.Count
	}
	require.Equal(t, int64(1), outcomes[jobs.OutcomeDiscarded], "the timeout on the last attempt is a discard: %v", outcomes)
	require.Equal(t, int64(1), outcomes[jobs.OutcomePanicked], "%v", outcomes)
	require.Equal(t, int64(1), outcomes[jobs.OutcomeExpired], "%v", outcomes)
	require.Zero(t, outcomes[jobs.OutcomeInterrupted], "%v", outcomes)
}
