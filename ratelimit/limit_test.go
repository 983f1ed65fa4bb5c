package ratelimit_test

import (
	"testing"
	"time"

	"github.com/buttress-go/buttress/ratelimit"
	"github.com/stretchr/testify/require"
)

func TestLimitValidate(t *testing.T) {
	t.Parallel()
	bad := []ratelimit.Limit{
		{},
		{Rate: 0, Period: time.Second, Burst: 1},
		{Rate: -1, Period: time.Second, Burst: 1},
		{Rate: 1, Period: 0, Burst: 1},
		{Rate: 1, Period: -time.Second, Burst: 1},
		{Rate: 1, Period: time.Second, Burst: 0},
		{Rate: 1, Period: time.Second, Burst: -5},
		{Rate: 10, Period: 5 * time.Nanosecond, Burst: 1},
		{Rate: 1, Period: 1 << 62, Burst: 1 << 30},
	}
	for _, l := range bad {
		require.ErrorIs(t, l.Validate(), ratelimit.ErrInvalidLimit, "%+v", l)
	}
	for _, l := range []ratelimit.Limit{ratelimit.PerSecond(1), ratelimit.PerMinute(10), ratelimit.PerHour(3600), ratelimit.PerDay(1), {Rate: 3, Period: time.Second, Burst: 1}} {
		require.NoError(t, l.Validate(), "%+v", l)
	}
	require.Equal(t, 6*time.Second, ratelimit.PerMinute(10).Interval())
	// rounding up: 1s/3 would admit slightly more than 3/s if truncated
	require.Equal(t, 333333334*time.Nanosecond, ratelimit.PerSecond(3).Interval())
	require.Equal(t, "10/1m0s burst 10", ratelimit.PerMinute(10).String())
}

func TestGCRA(t *testing.T) {
	t.Parallel()
	l := ratelimit.Limit{Rate: 10, Period: time.Second, Burst: 3} // interval 100ms
	var tat int64
	now := int64(1_000_000_000)
	for i := range 3 {
		next, r := ratelimit.GCRA(now, tat, l, 1)
		require.True(t, r.Allowed)
		require.Equal(t, 2-i, r.Remaining)
		tat = next
	}
	next, r := ratelimit.GCRA(now, tat, l, 1)
	require.False(t, r.Allowed)
	require.Equal(t, tat, next, "a rejection does not move the TAT")
	require.Equal(t, 100*time.Millisecond, r.RetryAfter)
	require.Equal(t, 300*time.Millisecond, r.ResetAfter)
	require.Equal(t, 0, r.Remaining)
	// cost 2 after 150ms: one slot and a half freed -> still rejected, 50ms to wait
	_, r = ratelimit.GCRA(now+int64(150*time.Millisecond), tat, l, 2)
	require.False(t, r.Allowed)
	require.Equal(t, 50*time.Millisecond, r.RetryAfter)
	require.Equal(t, 1, r.Remaining)
}
