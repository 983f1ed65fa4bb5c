package ratelimit_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/ratelimit"
)

// TestMemoryTakeAllocatesNothing: a check on a warm MemoryStore, admitted or rejected, one policy
// or several, allocates nothing.
func TestMemoryTakeAllocatesNothing(t *testing.T) {
	s, err := ratelimit.NewMemoryStore(nil)
	require.NoError(t, err)
	ctx := context.Background()
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = "ip:" + strconv.Itoa(i)
	}
	open, tight := ratelimit.PerSecond(1_000_000), ratelimit.PerHour(1)
	reqs := []ratelimit.Request{{Limit: open}, {Key: "user:1", Limit: open}}
	res := make([]ratelimit.Result, 2)
	i := 0
	require.Zero(t, testing.AllocsPerRun(1000, func() {
		reqs[0].Key = keys[i%len(keys)]
		i++
		if _, err := s.Take(ctx, reqs, res); err != nil {
			t.Fatal(err)
		}
	}), "admitted, two policies")
	one := []ratelimit.Request{{Key: "abuser", Limit: tight}}
	require.Zero(t, testing.AllocsPerRun(1000, func() {
		if _, err := s.Take(ctx, one, res[:1]); err != nil {
			t.Fatal(err)
		}
	}), "rejected")
}
