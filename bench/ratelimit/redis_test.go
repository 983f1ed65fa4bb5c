package ratelimit

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/buttress-go/buttress/ratelimit"
	"github.com/buttress-go/buttress/ratelimit/redisstore"
	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
	ulule "github.com/ulule/limiter/v3"
	ulredis "github.com/ulule/limiter/v3/drivers/store/redis"
)

func redisAddr(b *testing.B) string {
	addr := os.Getenv("BUTTRESS_REDIS")
	if addr == "" {
		b.Skip("BUTTRESS_REDIS is not set: run `make services` and load .services/env")
	}
	return addr
}

// prefix isolates one run's keys; they expire on their own (every limiter sets a TTL).
func prefix(name string) string {
	return "bench:" + name + ":" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
}

func rueidisClient(b *testing.B) rueidis.Client {
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{redisAddr(b)}, DisableCache: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	return c
}

func goRedisClient(b *testing.B) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: redisAddr(b), PoolSize: 64})
	b.Cleanup(func() { _ = c.Close() })
	return c
}

func buttressRedis(b *testing.B, limit ratelimit.Limit) allowFunc {
	s, err := redisstore.New(rueidisClient(b), &redisstore.Config{Prefix: prefix("buttress")})
	if err != nil {
		b.Fatal(err)
	}
	return func(ctx context.Context, key string) bool {
		var req [1]ratelimit.Request
		var res [1]ratelimit.Result
		req[0] = ratelimit.Request{Key: key, Limit: limit}
		ok, err := s.Take(ctx, req[:], res[:])
		if err != nil {
			b.Fatal(err)
		}
		return ok
	}
}

func redisRate(b *testing.B, limit redis_rate.Limit) allowFunc {
	l := redis_rate.NewLimiter(goRedisClient(b))
	p := prefix("redis_rate")
	return func(ctx context.Context, key string) bool {
		r, err := l.Allow(ctx, p+key, limit)
		if err != nil {
			b.Fatal(err)
		}
		return r.Allowed > 0
	}
}

func ululeRedis(b *testing.B, r ulule.Rate) allowFunc {
	store, err := ulredis.NewStoreWithOptions(goRedisClient(b), ulule.StoreOptions{Prefix: prefix("ulule"), MaxRetry: 3})
	if err != nil {
		b.Fatal(err)
	}
	l := ulule.New(store, r)
	return func(ctx context.Context, key string) bool {
		c, err := l.Get(ctx, key)
		if err != nil {
			b.Fatal(err)
		}
		return !c.Reached
	}
}

// runRedis measures allow over 1,000 keys at a rate that never rejects, from `goroutines`
// goroutines (1 = sequential).
func runRedis(b *testing.B, goroutines int, allow allowFunc) {
	ks := keys("ip:")[:1000]
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	if goroutines == 1 {
		for i := 0; b.Loop(); i++ {
			allow(ctx, ks[i%len(ks)])
		}
		return
	}
	b.SetParallelism(max(1, goroutines/parallelProcs()))
	b.RunParallel(func(pb *testing.PB) {
		i := int(time.Now().UnixNano() % 1000)
		for pb.Next() {
			allow(ctx, ks[i%len(ks)])
			i += 7
		}
	})
}

func redisContenders(b *testing.B, goroutines int) {
	const big = 1_000_000
	b.Run("buttress", func(b *testing.B) {
		oa := overadmit(b, func(n int) allowFunc { return buttressRedis(b, ratelimit.PerMinute(n)) })
		runRedis(b, goroutines, buttressRedis(b, ratelimit.PerSecond(big)))
		b.ReportMetric(oa, "overadmit") // after the run: ResetTimer drops metrics
	})
	b.Run("redis_rate", func(b *testing.B) {
		oa := overadmit(b, func(n int) allowFunc { return redisRate(b, redis_rate.PerMinute(n)) })
		runRedis(b, goroutines, redisRate(b, redis_rate.PerSecond(big)))
		b.ReportMetric(oa, "overadmit") // after the run: ResetTimer drops metrics
	})
	b.Run("ulule", func(b *testing.B) {
		oa := overadmit(b, func(n int) allowFunc { return ululeRedis(b, ulule.Rate{Period: time.Minute, Limit: int64(n)}) })
		runRedis(b, goroutines, ululeRedis(b, ulule.Rate{Period: time.Second, Limit: big}))
		b.ReportMetric(oa, "overadmit") // after the run: ResetTimer drops metrics
	})
}

// BenchmarkRedis: one check per op from a single goroutine (latency-bound: one round trip).
func BenchmarkRedis(b *testing.B) { redisContenders(b, 1) }

// BenchmarkRedisParallel64: 64 goroutines checking concurrently (throughput; rueidis pipelines).
func BenchmarkRedisParallel64(b *testing.B) { redisContenders(b, 64) }
