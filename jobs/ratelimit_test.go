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

// starts records when attempts that went on to run began, as the middleware saw it (the time the
// limiter judged), per fixed window: a loaded machine may delay the worker itself past the
// window's end.
type starts struct {
	mu sync.Mutex
	at []time.Time
}

func (s *starts) hook(ctx context.Context, ev jobs.JobDone) {
	if ev.Outcome != jobs.OutcomeCompleted {
		return
	}
	s.mu.Lock()
	s.at = append(s.at, ev.Started)
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
		river.AddWorker(w, river.WorkFunc(func(ctx context.Context, job *river.Job[limitedArgs]) error { return nil }))
		return w
	}
	c0, b := setupPG(t, &jobs.Config{Workers: mk(), Kinds: kinds, OnJobDone: rec.hook})
	clients := []*jobs.Client{c0,
		newPGClient(t, b.schema, &jobs.Config{Workers: mk(), Kinds: kinds, OnJobDone: rec.hook}, nil),
		newPGClient(t, b.schema, &jobs.Config{Workers: mk(), Kinds: kinds, OnJobDone: rec.hook}, nil)}
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
	maxAllowed := int(float64(limit) * 1.05) // the acceptance bound; the counter makes it exactly limit
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
	river.AddWorker(w, river.WorkFunc(func(ctx context.Context, job *river.Job[limitedArgs]) error { return nil }))
	c, _ := setupPG(t, &jobs.Config{Workers: w, OnJobDone: rec.hook, Kinds: map[string]jobs.KindPolicy{
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
		require.LessOrEqual(t, n, limit, "window %s", w.Format(time.StampMilli))
	}
}
