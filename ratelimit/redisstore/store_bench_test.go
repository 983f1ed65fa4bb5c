package redisstore_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/buttress-go/buttress/internal/testenv"
	"github.com/buttress-go/buttress/ratelimit"
	"github.com/buttress-go/buttress/ratelimit/redisstore"
)

// BenchmarkTake: one check with two policies (one EVALSHA), from GOMAXPROCS goroutines.
func BenchmarkTake(b *testing.B) {
	client, prefix := testenv.Redis(b)
	s, err := redisstore.New(client, &redisstore.Config{Prefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = "ip:" + strconv.Itoa(i)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var reqs [2]ratelimit.Request
		var res [2]ratelimit.Result
		i := 0
		for pb.Next() {
			reqs[0] = ratelimit.Request{Key: keys[i%len(keys)], Limit: ratelimit.PerSecond(1_000_000)}
			reqs[1] = ratelimit.Request{Key: "user:" + keys[i%len(keys)], Limit: ratelimit.PerDay(1_000_000_000)}
			if _, err := s.Take(ctx, reqs[:], res[:]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
