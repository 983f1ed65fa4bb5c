package ratelimit

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buttress-go/buttress/ratelimit"
	"github.com/sethvargo/go-limiter/memorystore"
	"golang.org/x/time/rate"
)

const numKeys = 100_000

func keys(prefix string) []string {
	ks := make([]string, numKeys)
	for i := range ks {
		ks[i] = prefix + strconv.Itoa(i)
	}
	return ks
}

// allowFunc is one contender's check: admitted or not.
type allowFunc func(ctx context.Context, key string) bool

// overadmit fires 64 concurrent checks at one fresh key per trial, for a limiter built with
// limit 10, and returns the mean number admitted beyond 10.
func overadmit(b *testing.B, newAllow func(limit int) allowFunc) float64 {
	b.Helper()
	const trials, n, limit = 10, 64, 10
	allow := newAllow(limit)
	ctx := context.Background()
	excess := 0
	for trial := range trials {
		key := "race:" + strconv.Itoa(trial) + ":" + strconv.FormatInt(time.Now().UnixNano(), 36)
		var got atomic.Int64
		var start, done sync.WaitGroup
		start.Add(1)
		for range n {
			done.Add(1)
			go func() {
				defer done.Done()
				start.Wait()
				if allow(ctx, key) {
					got.Add(1)
				}
			}()
		}
		start.Done()
		done.Wait()
		excess += max(0, int(got.Load())-limit)
	}
	return float64(excess) / trials
}

// runParallel measures allow over 100,000 keys at a rate that never rejects.
func runParallel(b *testing.B, ks []string, allow allowFunc) {
	ctx := context.Background()
	for _, k := range ks { // warm: every key exists
		allow(ctx, k)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(time.Now().UnixNano() % numKeys)
		for pb.Next() {
			allow(ctx, ks[i%numKeys])
			i += 7919
		}
	})
}

func buttressMemory(b *testing.B, limit ratelimit.Limit) allowFunc {
	s, err := ratelimit.NewMemoryStore(nil)
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

func sethvargo(b *testing.B, tokens uint64, interval time.Duration) allowFunc {
	s, err := memorystore.New(&memorystore.Config{Tokens: tokens, Interval: interval, SweepInterval: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close(context.Background()) })
	return func(ctx context.Context, key string) bool {
		_, _, _, ok, err := s.Take(ctx, key)
		if err != nil {
			b.Fatal(err)
		}
		return ok
	}
}

// xrate keeps one *rate.Limiter per key in a sync.Map, the usual way to key x/time/rate.
func xrate(r rate.Limit, burst int) allowFunc {
	var m sync.Map
	return func(_ context.Context, key string) bool {
		v, ok := m.Load(key)
		if !ok {
			v, _ = m.LoadOrStore(key, rate.NewLimiter(r, burst))
		}
		return v.(*rate.Limiter).Allow()
	}
}

// BenchmarkMemory: one check against 100,000 warm keys, all goroutines (GOMAXPROCS).
func BenchmarkMemory(b *testing.B) {
	big := 1_000_000_000
	b.Run("buttress", func(b *testing.B) {
		oa := overadmit(b, func(n int) allowFunc { return buttressMemory(b, ratelimit.PerMinute(n)) })
		runParallel(b, keys("ip:"), buttressMemory(b, ratelimit.PerSecond(big)))
		b.ReportMetric(oa, "overadmit") // after the run: ResetTimer drops metrics
	})
	b.Run("sethvargo", func(b *testing.B) {
		oa := overadmit(b, func(n int) allowFunc { return sethvargo(b, uint64(n), time.Minute) })
		runParallel(b, keys("ip:"), sethvargo(b, uint64(big), time.Second))
		b.ReportMetric(oa, "overadmit") // after the run: ResetTimer drops metrics
	})
	b.Run("xtimerate", func(b *testing.B) {
		oa := overadmit(b, func(n int) allowFunc { return xrate(rate.Every(time.Minute/time.Duration(n)), n) })
		runParallel(b, keys("ip:"), xrate(rate.Limit(big), big))
		b.ReportMetric(oa, "overadmit") // after the run: ResetTimer drops metrics
	})
}
