package jobs_test

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/buttress-go/buttress/jobs"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"
)

type tickArgs struct{}

func (tickArgs) Kind() string { return "tick" }

func TestPeriodicOncePerPeriod(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mk := func(id string) *jobs.Config {
		w := river.NewWorkers()
		river.AddWorker(w, river.WorkFunc(func(ctx context.Context, job *river.Job[tickArgs]) error { return nil }))
		return &jobs.Config{
			ID:      id,
			Workers: w,
			Periodic: []jobs.Periodic{{
				Cron:      "*/2 * * * * *", // every 2 seconds
				Construct: func() (river.JobArgs, *river.InsertOpts) { return tickArgs{}, nil },
			}},
		}
	}
	c0, b := setupPG(t, mk("c0"))
	clients := map[string]*jobs.Client{
		"c0": c0,
		"c1": newPGClient(t, b.schema, mk("c1"), nil),
		"c2": newPGClient(t, b.schema, mk("c2"), nil),
	}
	for _, c := range clients {
		start(t, c)
	}
	leader := func() string {
		var id string
		require.Eventually(t, func() bool {
			return c0.DB().GetContext(ctx, &id, `SELECT leader_id FROM `+b.schema.Name+`.river_leader`) == nil
		}, 15*time.Second, 10*time.Millisecond)
		return id
	}
	first := leader()
	time.Sleep(4500 * time.Millisecond)
	// Force a leader change: the leader stops (and resigns); another client takes over.
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	require.NoError(t, clients[first].Shutdown(sctx))
	var second string
	require.Eventually(t, func() bool { second = leader(); return second != first }, 15*time.Second, 20*time.Millisecond)
	time.Sleep(4500 * time.Millisecond)
	for _, c := range clients {
		require.NoError(t, c.Shutdown(sctx))
	}

	res, err := c0.River().JobList(ctx, river.NewJobListParams().Kinds("tick").First(1000))
	require.NoError(t, err)
	perFiring := map[time.Time]int{}
	for _, j := range res.Jobs {
		perFiring[j.ScheduledAt.UTC()]++
	}
	var firings []time.Time
	for f, n := range perFiring {
		require.Equal(t, 1, n, "firing %s inserted %d times", f, n)
		require.Zero(t, f.Second()%2, "firing %s off the schedule", f)
		firings = append(firings, f)
	}
	sort.Slice(firings, func(i, j int) bool { return firings[i].Before(firings[j]) })
	t.Logf("leader %s then %s; firings: %v", first, second, firings)
	require.GreaterOrEqual(t, len(firings), 4)
	for i := 1; i < len(firings); i++ {
		require.Equal(t, 2*time.Second, firings[i].Sub(firings[i-1]), "a period was skipped around %s", firings[i])
	}
}

type minutelyArgs struct{}

func (minutelyArgs) Kind() string { return "minutely" }

type yearlyArgs struct{}

func (yearlyArgs) Kind() string { return "yearly" }

type failingTickArgs struct{}

func (failingTickArgs) Kind() string { return "failing_tick" }

// TestPeriodicCatchUpHorizon: on election a leader catches up the most recent firing only while
// River still keeps finished jobs of that age (here 1 hour): a minutely job is caught up, a
// yearly one whose last firing is months old is not, since its job may have run and been
// deleted. A discarded firing still counts as inserted when leaders change: uniqueness covers
// every state.
func TestPeriodicCatchUpHorizon(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mk := func(id string) *jobs.Config {
		w := river.NewWorkers()
		river.AddWorker(w, river.WorkFunc(func(context.Context, *river.Job[minutelyArgs]) error { return nil }))
		river.AddWorker(w, river.WorkFunc(func(context.Context, *river.Job[yearlyArgs]) error { return nil }))
		river.AddWorker(w, river.WorkFunc(func(context.Context, *river.Job[failingTickArgs]) error {
			return jobs.Permanent(errors.New("always fails"))
		}))
		return &jobs.Config{
			ID:      id,
			Workers: w,
			Periodic: []jobs.Periodic{
				{Cron: "* * * * *", Construct: func() (river.JobArgs, *river.InsertOpts) { return minutelyArgs{}, nil }},
				{Cron: "0 0 1 1 *", Construct: func() (river.JobArgs, *river.InsertOpts) { return yearlyArgs{}, nil }},
				{Cron: "* * * * *", Construct: func() (river.JobArgs, *river.InsertOpts) { return failingTickArgs{}, nil }},
			},
			River: func(rc *river.Config) { rc.CompletedJobRetentionPeriod = time.Hour },
		}
	}
	c0, b := setupPG(t, mk("c0"))
	start(t, c0)
	count := func(kind string) int {
		res, err := c0.River().JobList(ctx, river.NewJobListParams().Kinds(kind).States(rivertype.JobStates()...).First(100))
		require.NoError(t, err)
		return len(res.Jobs)
	}
	require.Eventually(t, func() bool { return count("minutely") >= 1 }, 15*time.Second, 20*time.Millisecond,
		"the last minutely firing is caught up at election")
	require.Zero(t, count("yearly"), "a firing older than the retention is not caught up")
	require.Eventually(t, func() bool {
		res, err := c0.River().JobList(ctx, river.NewJobListParams().Kinds("failing_tick").States(rivertype.JobStateCancelled).First(10))
		return err == nil && len(res.Jobs) >= 1
	}, 15*time.Second, 20*time.Millisecond, "the caught-up failing firing ran and was cancelled")

	// Leader change: c1 takes over and catches up the same firing, already cancelled.
	c1 := newPGClient(t, b.schema, mk("c1"), nil)
	start(t, c1)
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	require.NoError(t, c0.Shutdown(sctx))
	require.Eventually(t, func() bool {
		var id string
		return c1.DB().GetContext(ctx, &id, `SELECT leader_id FROM `+b.schema.Name+`.river_leader`) == nil && id == "c1"
	}, 20*time.Second, 20*time.Millisecond)
	time.Sleep(time.Second) // the new leader's catch-up inserts happen right after its election
	res, err := c1.River().JobList(ctx, river.NewJobListParams().Kinds("failing_tick", "minutely").States(rivertype.JobStates()...).First(100))
	require.NoError(t, err)
	perFiring := map[string]int{}
	for _, j := range res.Jobs {
		perFiring[j.Kind+" "+j.ScheduledAt.UTC().String()]++
	}
	for f, n := range perFiring {
		require.Equal(t, 1, n, "firing %s inserted %d times", f, n)
	}
}
