package ratelimit_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buttress-go/buttress/ratelimit"
	"github.com/stretchr/testify/require"
)

func newMemory(t testing.TB, cfg *ratelimit.MemoryConfig) *ratelimit.MemoryStore {
	t.Helper()
	s, err := ratelimit.NewMemoryStore(cfg)
	require.NoError(t, err)
	return s
}

func take1(t testing.TB, s ratelimit.Store, key string, l ratelimit.Limit) ratelimit.Result {
	t.Helper()
	var res [1]ratelimit.Result
	ok, err := s.Take(context.Background(), []ratelimit.Request{{Key: key, Limit: l}}, res[:])
	require.NoError(t, err)
	require.Equal(t, ok, res[0].Allowed)
	return res[0]
}

// concurrentTakes fires n Takes at once (released together) and counts admissions.
func concurrentTakes(t testing.TB, n int, take func() bool) int {
	t.Helper()
	var allowed atomic.Int64
	var start, done sync.WaitGroup
	start.Add(1)
	for range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			if take() {
				allowed.Add(1)
			}
		}()
	}
	start.Done()
	done.Wait()
	return int(allowed.Load())
}

func TestMemoryExactUnderConcurrency(t *testing.T) {
	t.Parallel()
	s := newMemory(t, nil)
	for round := range 20 {
		key := fmt.Sprintf("k%d", round)
		got := concurrentTakes(t, 64, func() bool {
			var res [1]ratelimit.Result
			ok, err := s.Take(context.Background(), []ratelimit.Request{{Key: key, Limit: ratelimit.PerMinute(10)}}, res[:])
			require.NoError(t, err)
			return ok
		})
		require.Equal(t, 10, got, "round %d", round)
	}
}

func TestMemoryRecoversAtRate(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := newMemory(t, &ratelimit.MemoryConfig{Now: clock.Now})
	l := ratelimit.Limit{Rate: 10, Period: time.Second, Burst: 10} // one every 100ms
	for i := range 10 {
		r := take1(t, s, "k", l)
		require.True(t, r.Allowed)
		require.Equal(t, 9-i, r.Remaining)
	}
	r := take1(t, s, "k", l)
	require.False(t, r.Allowed)
	require.Equal(t, 100*time.Millisecond, r.RetryAfter)
	require.Equal(t, time.Second, r.ResetAfter)

	clock.Advance(99 * time.Millisecond)
	r = take1(t, s, "k", l)
	require.False(t, r.Allowed)
	require.Equal(t, time.Millisecond, r.RetryAfter)

	clock.Advance(time.Millisecond)
	require.True(t, take1(t, s, "k", l).Allowed, "one request per interval comes back")
	require.False(t, take1(t, s, "k", l).Allowed)

	// 350ms later: exactly three more
	clock.Advance(350 * time.Millisecond)
	n := 0
	for take1(t, s, "k", l).Allowed {
		n++
	}
	require.Equal(t, 3, n)

	// a full period idle refills the whole burst, not more
	clock.Advance(10 * time.Second)
	n = 0
	for take1(t, s, "k", l).Allowed {
		n++
	}
	require.Equal(t, 10, n)
}

func TestMemoryMultiAllOrNothing(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := newMemory(t, &ratelimit.MemoryConfig{Now: clock.Now})
	burst := ratelimit.Limit{Rate: 1, Period: time.Second, Burst: 2}
	daily := ratelimit.PerDay(5)
	reqs := []ratelimit.Request{{Key: "ip:1", Limit: burst}, {Key: "user:1", Limit: daily}}
	res := make([]ratelimit.Result, 2)
	for range 2 {
		ok, err := s.Take(context.Background(), reqs, res)
		require.NoError(t, err)
		require.True(t, ok)
	}
	require.Equal(t, 3, res[1].Remaining)
	// burst full: the daily quota must not be charged by the rejected request
	ok, err := s.Take(context.Background(), reqs, res)
	require.NoError(t, err)
	require.False(t, ok)
	require.False(t, res[0].Allowed)
	require.True(t, res[1].Allowed)
	require.Equal(t, 3, res[1].Remaining, "rejected request left the daily quota untouched")
	clock.Advance(time.Second)
	ok, err = s.Take(context.Background(), reqs, res)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 2, res[1].Remaining)
}

func TestMemoryMultiExactUnderConcurrency(t *testing.T) {
	t.Parallel()
	s := newMemory(t, &ratelimit.MemoryConfig{Shards: 4})
	// Two policies on different keys; the tighter one (7) decides; nothing is over-charged.
	got := concurrentTakes(t, 64, func() bool {
		res := make([]ratelimit.Result, 3)
		ok, err := s.Take(context.Background(), []ratelimit.Request{
			{Key: "a", Limit: ratelimit.PerMinute(10)},
			{Key: "b", Limit: ratelimit.PerMinute(7)},
			{Key: "c", Limit: ratelimit.PerHour(100)},
		}, res)
		require.NoError(t, err)
		return ok
	})
	require.Equal(t, 7, got)
	require.Equal(t, 3, take1(t, s, "a", ratelimit.PerMinute(10)).Remaining+1)
}

func TestMemoryBoundedKeys(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := newMemory(t, &ratelimit.MemoryConfig{Shards: 4, MaxKeys: 1024, Now: clock.Now})
	l := ratelimit.PerSecond(1)
	for i := range 20_000 {
		take1(t, s, fmt.Sprintf("k%d", i), l)
	}
	require.LessOrEqual(t, s.Len(), 1024, "MaxKeys bounds memory even when every bucket is live")

	// Idle buckets are swept as new keys arrive.
	s2 := newMemory(t, &ratelimit.MemoryConfig{Shards: 1, Now: clock.Now})
	for i := range 5000 {
		take1(t, s2, fmt.Sprintf("old%d", i), l)
	}
	require.Equal(t, 5000, s2.Len())
	clock.Advance(2 * time.Second) // every old bucket is full again
	// A shard sweeps when it has doubled since its last sweep (amortised O(1) per insert), so
	// memory stays within about twice the live buckets.
	for i := range 3300 {
		take1(t, s2, fmt.Sprintf("new%d", i), l)
	}
	require.Equal(t, 3300, s2.Len(), "only the live new buckets are left")
}

func TestMemoryBadInput(t *testing.T) {
	t.Parallel()
	_, err := ratelimit.NewMemoryStore(&ratelimit.MemoryConfig{Shards: -1})
	require.ErrorIs(t, err, ratelimit.ErrInvalidConfig)
	require.ErrorContains(t, err, "MemoryConfig.Shards")
	_, err = ratelimit.NewMemoryStore(&ratelimit.MemoryConfig{MaxKeys: -1})
	require.ErrorContains(t, err, "MemoryConfig.MaxKeys")

	s := newMemory(t, nil)
	ctx := context.Background()
	res := make([]ratelimit.Result, 2)
	cases := []struct {
		reqs []ratelimit.Request
		want error
	}{
		{nil, ratelimit.ErrInvalidRequest},
		{[]ratelimit.Request{{Key: "", Limit: ratelimit.PerSecond(1)}}, ratelimit.ErrInvalidRequest},
		{[]ratelimit.Request{{Key: "k"}}, ratelimit.ErrInvalidLimit},
		{[]ratelimit.Request{{Key: "k", Limit: ratelimit.Limit{Rate: 1, Period: time.Second}}}, ratelimit.ErrInvalidLimit},
		{[]ratelimit.Request{{Key: "k", Limit: ratelimit.PerSecond(-3)}}, ratelimit.ErrInvalidLimit},
		{[]ratelimit.Request{{Key: "k", Limit: ratelimit.PerSecond(1), Cost: -1}}, ratelimit.ErrInvalidRequest},
		{[]ratelimit.Request{{Key: "k", Limit: ratelimit.PerSecond(1), Cost: 2}}, ratelimit.ErrInvalidRequest},
		{[]ratelimit.Request{{Key: "k", Limit: ratelimit.PerSecond(1)}, {Key: "k", Limit: ratelimit.PerSecond(1)}}, ratelimit.ErrInvalidRequest},
		{make([]ratelimit.Request, 3), ratelimit.ErrInvalidRequest}, // more requests than result slots
	}
	for i, c := range cases {
		ok, err := s.Take(ctx, c.reqs, res)
		require.ErrorIs(t, err, c.want, "case %d", i)
		require.False(t, ok)
	}
	require.Equal(t, 0, s.Len(), "invalid requests charge nothing")
}
