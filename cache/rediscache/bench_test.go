package rediscache_test

import (
	"context"
	"testing"
	"time"

	"github.com/buttress-go/buttress/cache"
)

// BenchmarkGetHitTagged: a warm hit on an entry with two tags, store made by Open (tag versions
// in the push-invalidated layer, entry in rueidis's client-side cache, value memoised).
func BenchmarkGetHitTagged(b *testing.B) {
	benchHit(b, cache.Tags("product:1", "catalog"))
}

// BenchmarkGetHitUntagged: the same without tags.
func BenchmarkGetHitUntagged(b *testing.B) { benchHit(b, nil) }

func benchHit(b *testing.B, opts *cache.Options) {
	s := openStoreB(b)
	c, err := cache.New[*string](s, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	v := "value"
	if err := c.Set(ctx, "hot", &v, opts); err != nil {
		b.Fatal(err)
	}
	// Settle the own write: once the local copies have caught up, hits are local again.
	for range 3 {
		if _, err := c.Get(ctx, "hot"); err != nil {
			b.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Get(ctx, "hot"); err != nil {
			b.Fatal(err)
		}
	}
}
