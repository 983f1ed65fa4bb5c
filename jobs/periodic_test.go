package jobs_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/buttress-go/buttress/jobs"
	"github.com/riverqueue/river"
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
