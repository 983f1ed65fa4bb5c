package cache_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/buttress-go/buttress/cache"
)

func newBenchCache(b *testing.B) *cache.Cache[*string] {
	b.Helper()
	s, err := cache.NewMemoryStore(&cache.MemoryConfig{MaxEntries: 10_000})
	if err != nil {
		b.Fatal(err)
	}
	c, err := cache.New[*string](s, nil)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func BenchmarkMemoryGetHitTagged(b *testing.B) {
	c := newBenchCache(b)
	ctx := context.Background()
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = "product:" + strconv.Itoa(i)
		v := keys[i]
		if err := c.Set(ctx, keys[i], &v, cache.Tags("catalog", keys[i])); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := c.Get(ctx, keys[i&1023]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func staticLoader(context.Context) (*string, error) { s := "x"; return &s, nil }

func BenchmarkMemoryGetOrLoadHit(b *testing.B) {
	c := newBenchCache(b)
	ctx := context.Background()
	opts := cache.Tags("catalog")
	if _, err := c.GetOrLoad(ctx, "k", staticLoader, opts); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.GetOrLoad(ctx, "k", staticLoader, opts); err != nil {
			b.Fatal(err)
		}
	}
}
