package jobs_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/buttress-go/buttress/jobs"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"
)

type limitedArgs struct {
	N int `json:"n"`
}

func (limitedArgs) Kind() string { return "limited" }

// starts records job start times (as seen by the workers) per fixed window.
type starts struct {
	mu sync.Mutex
	at []time.Time
}

func (s *starts) add() {
	s.mu.Lock()
	s.at = append(s.at, time.Now())
	s.mu.Unlock()
}

func (s *starts) perWindow(per time.Duration) map[time.Time]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[time.Time]int{}
	for _, t := range s.at {
		m[t.Truncate(per)]++
	}
	return m
}

func TestRateLimitGlobal3Clients(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const (
		limit = 20
		per   = time.Second
		total = 70
	)
	rec := &starts{}
	kinds := map[string]jobs.KindPolicy{"limited": {RateLimit: &jobs.RateLimit{Limit: limit, Per: per, Global: true}}}
	mk := func() *river.Workers {
		w := river.NewWorkers()
		river.AddWorker(w, river.WorkFunc(func(ctx context.Context, job *river.Job[limitedArgs]) error {
			rec.add()
			return nil
		}))
		return w
	}
	c0, b := setupPG(t, &jobs.Config{Workers: mk(), Kinds: kinds})
	clients := []*jobs.Client{c0,
		newPGClient(t, b.schema, &jobs.Config{Workers: mk(), Kinds: kinds}, nil),
		newPGClient(t, b.schema, &jobs.Config{Workers: mk(), Kinds: kinds}, nil)}
	params := make([]river.InsertManyParams, total)
	for i := range params {
		params[i] = river.InsertManyParams{Args: limitedArgs{N: i}}
	}
	_, err := c0.EnqueueMany(ctx, params)
	require.NoError(t, err)
	for _, c := range clients {
		start(t, c)
	}
	require.Eventually(t, func() bool {
		res, err := c0.River().JobList(ctx, river.NewJobListParams().Kinds("limited").States(rivertype.JobStateCompleted).First(1000))
		require.NoError(t, err)
		return len(res.Jobs) == total
	}, 30*time.Second, 50*time.Millisecond)

	windows := rec.perWindow(per)
	maxAllowed := int(float64(limit) * 1.05)
	for w, n := range windows {
		require.LessOrEqual(t, n, maxAllowed, "window %s", w.Format(time.StampMilli))
	}
	t.Logf("starts per %v window (limit %d): %v", per, limit, fmt.Sprint(windows))
	require.GreaterOrEqual(t, len(windows), total/limit, "the limit spread the work over windows")

	res, err := c0.River().JobList(ctx, river.NewJobListParams().Kinds("limited").First(1000))
	require.NoError(t, err)
	for _, j := range res.Jobs {
		require.Equal(t, 1, j.Attempt, "snoozing for the limit must not burn attempts (job %d)", j.ID)
	}
	var limited int64
	for _, c := range clients {
		for _, s := range c.Stats().Jobs {
			if s.Outcome == jobs.OutcomeRateLimited {
				limited += s.Count
			}
		}
	}
	require.Positive(t, limited)
}

func TestRateLimitLocal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const (
		limit = 5
		per   = 200 * time.Millisecond
	)
	rec := &starts{}
	w := river.NewWorkers()
	river.AddWorker(w, river.WorkFunc(func(ctx context.Context, job *river.Job[limitedArgs]) error {
		rec.add()
		return nil
	}))
	c, _ := setupPG(t, &jobs.Config{Workers: w, Kinds: map[string]jobs.KindPolicy{
		"limited": {RateLimit: &jobs.RateLimit{Limit: limit, Per: per}},
	}})
	params := make([]river.InsertManyParams, 15)
	for i := range params {
		params[i] = river.InsertManyParams{Args: limitedArgs{N: i}}
	}
	_, err := c.EnqueueMany(ctx, params)
	require.NoError(t, err)
	start(t, c)
	require.Eventually(t, func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return len(rec.at) == 15
	}, 30*time.Second, 20*time.Millisecond)
	for w, n := range rec.perWindow(per) {
		require.LessOrEqual(t, n, limit+1, "window %s", w.Format(time.StampMilli))
	}
}
