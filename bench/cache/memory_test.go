package cache_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgraph-io/ristretto/v2"
	gocache "github.com/go-redis/cache/v9"
	"github.com/maypok86/otter/v2"

	"github.com/buttress-go/buttress/cache"
)

type product struct {
	ID    int
	Name  string
	Price int
}

const (
	zipfKeys  = 100_000
	zipfTrace = 1 << 16
)

// zipfTrace returns key indexes drawn from a Zipf distribution (s = 1.01).
func trace() []int {
	r := rand.New(rand.NewPCG(1, 2))
	z := rand.NewZipf(r, 1.01, 1, zipfKeys-1)
	out := make([]int, zipfTrace)
	for i := range out {
		out[i] = int(z.Uint64())
	}
	return out
}

func keys() []string {
	ks := make([]string, zipfKeys)
	for i := range ks {
		ks[i] = "product:" + strconv.Itoa(i)
	}
	return ks
}

// BenchmarkMemoryZipfHit measures parallel reads on a Zipf workload, every key present.
func BenchmarkMemoryZipfHit(b *testing.B) {
	tr, ks := trace(), keys()
	ctx := context.Background()
	run := func(b *testing.B, get func(i int) bool) {
		var missed atomic.Int64
		defer func() { b.ReportMetric(float64(missed.Load())/float64(b.N), "miss/op") }()
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := rand.IntN(zipfTrace)
			for pb.Next() {
				if !get(tr[i&(zipfTrace-1)]) {
					missed.Add(1)
				}
				i++
			}
		})
	}

	// Every contender is filled once, before any is measured, and settles meanwhile.
	s, err := cache.NewMemoryStore(&cache.MemoryConfig{MaxEntries: zipfKeys * 2})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	bc, err := cache.New[*product](s, nil)
	if err != nil {
		b.Fatal(err)
	}
	oc := otter.Must(&otter.Options[string, *product]{MaximumSize: zipfKeys * 2,
		ExpiryCalculator: otter.ExpiryWriting[string, *product](5 * time.Minute)})
	defer oc.StopAllGoroutines()
	rc, err := ristretto.NewCache(&ristretto.Config[string, *product]{
		NumCounters: zipfKeys * 20, MaxCost: zipfKeys * 2, BufferItems: 64, IgnoreInternalCost: true})
	if err != nil {
		b.Fatal(err)
	}
	defer rc.Close()
	gc := gocache.New(&gocache.Options{LocalCache: gocache.NewTinyLFU(zipfKeys*2, 5*time.Minute)})
	for i, k := range ks {
		p := &product{ID: i, Name: k}
		if err := bc.Set(ctx, k, p, cache.Tags(k)); err != nil {
			b.Fatal(err)
		}
		oc.Set(k, p)
		for !rc.SetWithTTL(k, p, 1, 5*time.Minute) { // ristretto drops sets when its buffer is full
			rc.Wait()
		}
		if err := gc.Set(&gocache.Item{Ctx: ctx, Key: k, Value: p}); err != nil {
			b.Fatal(err)
		}
	}
	rc.Wait()
	oc.CleanUp()
	time.Sleep(200 * time.Millisecond)

	b.Run("buttress", func(b *testing.B) {
		run(b, func(i int) bool { _, err := bc.Get(ctx, ks[i]); return err == nil })
	})
	b.Run("otter", func(b *testing.B) {
		run(b, func(i int) bool { _, ok := oc.GetIfPresent(ks[i]); return ok })
	})
	b.Run("ristretto", func(b *testing.B) {
		run(b, func(i int) bool { _, ok := rc.Get(ks[i]); return ok })
	})
	b.Run("go-redis-cache", func(b *testing.B) {
		run(b, func(i int) bool { var p product; return gc.Get(ctx, ks[i], &p) == nil })
	})
}
