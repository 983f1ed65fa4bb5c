package cache

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBreaker(t *testing.T) {
	t.Parallel()
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	b := &breaker{threshold: 3, cooldown: time.Second, now: func() time.Time { return time.Unix(0, now.Load()) }}
	require.True(t, b.allow())
	require.False(t, b.failure())
	require.False(t, b.failure())
	b.success()
	require.False(t, b.failure(), "success resets the count")
	require.False(t, b.failure())
	require.True(t, b.failure(), "third failure in a row opens")
	require.False(t, b.allow())
	require.True(t, b.open())
	now.Add(int64(time.Second))
	require.True(t, b.allow(), "one probe after the cooldown")
	require.False(t, b.allow(), "only one probe at a time")
	require.True(t, b.failure(), "a failed probe reopens")
	require.False(t, b.allow())
	now.Add(int64(time.Second))
	require.True(t, b.allow())
	b.abort()
	require.True(t, b.allow(), "an aborted probe is given back")
	b.success()
	require.False(t, b.open())
	require.True(t, b.allow())
	require.True(t, b.allow())

	off := &breaker{threshold: -1, now: time.Now}
	for range 10 {
		require.False(t, off.failure())
	}
	require.True(t, off.allow())
}
