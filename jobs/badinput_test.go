package jobs_test

import (
	"context"
	"math"
	"testing"

	"github.com/buttress-go/buttress/jobs"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"
)

type unregisteredArgs struct{}

func (unregisteredArgs) Kind() string { return "nobody_works_this" }

type badJSONArgs struct {
	Ratio float64 `json:"ratio"`
}

func (badJSONArgs) Kind() string { return "note" }

type queueInArgs struct{}

func (queueInArgs) Kind() string { return "note" }
func (queueInArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: "Bad Queue"}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[noteArgs]) error { return nil }))
	c, b := setupPG(t, &jobs.Config{Workers: workers})

	cases := []struct {
		name    string
		err     error
		mention string
		do      func() error
	}{
		{"unregistered kind", jobs.ErrUnknownKind, `"nobody_works_this"`, func() error {
			_, err := c.Enqueue(ctx, unregisteredArgs{}, nil)
			return err
		}},
		{"args do not marshal", jobs.ErrInvalidArgs, `"note"`, func() error {
			_, err := c.Enqueue(ctx, badJSONArgs{Ratio: math.Inf(1)}, nil)
			return err
		}},
		{"bad queue name", jobs.ErrInvalidOpts, `"Bad Queue"`, func() error {
			_, err := c.Enqueue(ctx, noteArgs{}, &river.InsertOpts{Queue: "Bad Queue"})
			return err
		}},
		{"bad queue name from args", jobs.ErrInvalidOpts, `"Bad Queue"`, func() error {
			_, err := c.Enqueue(ctx, queueInArgs{}, nil)
			return err
		}},
		{"priority out of range", jobs.ErrInvalidOpts, "priority 5", func() error {
			_, err := c.Enqueue(ctx, noteArgs{}, &river.InsertOpts{Priority: 5})
			return err
		}},
		{"tag River rejects", jobs.ErrInvalidOpts, `tag "no spaces"`, func() error {
			_, err := c.Enqueue(ctx, noteArgs{}, &river.InsertOpts{Tags: []string{"ok-tag", "no spaces"}})
			return err
		}},
		{"many with one bad", jobs.ErrUnknownKind, `"nobody_works_this"`, func() error {
			_, err := c.EnqueueMany(ctx, []river.InsertManyParams{{Args: noteArgs{}}, {Args: unregisteredArgs{}}})
			return err
		}},
		{"chain with bad last step", jobs.ErrInvalidOpts, "priority 9", func() error {
			_, err := c.EnqueueChain(ctx, jobs.Step{Args: noteArgs{}}, jobs.Step{Args: noteArgs{}, Opts: &river.InsertOpts{Priority: 9}})
			return err
		}},
		{"chain with unregistered step", jobs.ErrUnknownKind, `"nobody_works_this"`, func() error {
			_, err := c.EnqueueChain(ctx, jobs.Step{Args: noteArgs{}}, jobs.Step{Args: unregisteredArgs{}})
			return err
		}},
	}
	for _, tc := range cases {
		err := tc.do()
		require.ErrorIs(t, err, tc.err, tc.name)
		require.Contains(t, err.Error(), tc.mention, tc.name)
	}
	require.Equal(t, 0, countJobs(t, c, "note"), "nothing half-inserted")

	// Inside an app transaction a failed chain leaves the transaction usable and empty of jobs.
	tx, err := c.DB().BeginTxx(ctx, nil)
	require.NoError(t, err)
	_, err = c.EnqueueChainTx(ctx, tx, jobs.Step{Args: noteArgs{}}, jobs.Step{Args: unregisteredArgs{}})
	require.ErrorIs(t, err, jobs.ErrUnknownKind)
	_, err = c.EnqueueTx(ctx, tx, noteArgs{Note: "kept"}, nil)
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	require.Equal(t, 1, countJobs(t, c, "note"))

	// A periodic job of a kind nobody works fails at start-up, not at its first firing.
	periodic := newPGClient(t, b.schema, &jobs.Config{Workers: workers, Periodic: []jobs.Periodic{{
		Cron:      "@daily",
		Construct: func() (river.JobArgs, *river.InsertOpts) { return unregisteredArgs{}, nil },
	}}}, nil)
	err = periodic.Start(ctx)
	require.ErrorIs(t, err, jobs.ErrUnknownKind)
	require.Contains(t, err.Error(), `"nobody_works_this"`)
	require.Contains(t, err.Error(), "Periodic[0]")
	require.Equal(t, 0, countJobs(t, c, "nobody_works_this"))
}

func TestBadConfig(t *testing.T) {
	t.Parallel()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[noteArgs]) error { return nil }))
	db, err := jobs.OpenSQLite(":memory:")
	require.NoError(t, err)
	defer db.Close()
	cases := []struct {
		cfg     jobs.Config
		mention string
	}{
		{jobs.Config{Workers: workers, Periodic: []jobs.Periodic{{Cron: "61 * * * *", Construct: func() (river.JobArgs, *river.InsertOpts) { return noteArgs{}, nil }}}}, `"61 * * * *"`},
		{jobs.Config{Workers: workers, Periodic: []jobs.Periodic{{Cron: "* * * *", Construct: func() (river.JobArgs, *river.InsertOpts) { return noteArgs{}, nil }}}}, "Periodic[0].Cron"},
		{jobs.Config{Workers: workers, Periodic: []jobs.Periodic{{Cron: "@daily"}}}, "Periodic[0].Construct"},
		{jobs.Config{Workers: workers, Queues: map[string]river.QueueConfig{"Has Space": {MaxWorkers: 1}}}, `"Has Space"`},
		{jobs.Config{Workers: workers, Kinds: map[string]jobs.KindPolicy{"note": {RateLimit: &jobs.RateLimit{Limit: 0, Per: 1}}}}, "RateLimit.Limit"},
		{jobs.Config{Workers: workers, Kinds: map[string]jobs.KindPolicy{"note": {Retry: jobs.RetryPolicy{Jitter: 2}}}}, "Retry.Jitter"},
		{jobs.Config{Workers: workers, Periodic: []jobs.Periodic{{Cron: "@daily", Construct: func() (river.JobArgs, *river.InsertOpts) {
			return noteArgs{}, &river.InsertOpts{Priority: 7}
		}}}}, "priority 7"},
	}
	for _, tc := range cases {
		cfg := tc.cfg
		_, err := jobs.NewSQLite(db, &cfg)
		require.ErrorIs(t, err, jobs.ErrConfig, tc.mention)
		require.Contains(t, err.Error(), tc.mention)
	}
}
