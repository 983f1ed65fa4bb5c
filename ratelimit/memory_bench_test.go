package ratelimit_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/buttress-go/buttress/ratelimit"
)

// benchKeys are 100,000 distinct keys, as in the design's figure.
func benchKeys() []string {
	keys := make([]string, 100_000)
	for i := range keys {
		keys[i] = "ip:203.0." + strconv.Itoa(i)
	}
	return keys
}

func BenchmarkMemoryTake(b *testing.B) {
	s, err := ratelimit.NewMemoryStore(nil)
	if err != nil {
		b.Fatal(err)
	}
	keys := benchKeys()
	l := ratelimit.PerSecond(1_000_000)
	ctx := context.Background()
	var res [1]ratelimit.Result
	for _, k := range keys { // create every bucket first: the figure is for a warm store
		_, _ = s.Take(ctx, []ratelimit.Request{{Key: k, Limit: l}}, res[:])
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var req [1]ratelimit.Request
		var res [1]ratelimit.Result
		i := 0
		for pb.Next() {
			req[0] = ratelimit.Request{Key: keys[i%len(keys)], Limit: l}
			if _, err := s.Take(ctx, req[:], res[:]); err != nil {
				b.Fatal(err)
			}
			i += 7919
		}
	})
}

func BenchmarkLimiterAllowMemory(b *testing.B) {
	s, _ := ratelimit.NewMemoryStore(nil)
	lim, _ := ratelimit.New(s, nil)
	keys := benchKeys()
	l := ratelimit.PerSecond(1_000_000)
	ctx := context.Background()
	for _, k := range keys {
		_, _, _ = lim.Allow(ctx, k, l)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, _, err := lim.Allow(ctx, keys[i%len(keys)], l); err != nil {
				b.Fatal(err)
			}
			i += 7919
		}
	})
}
