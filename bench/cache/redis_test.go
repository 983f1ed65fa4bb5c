package cache_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/buttress-go/buttress/cache"
	"github.com/buttress-go/buttress/cache/rediscache"
)

func redisClient(b *testing.B) rueidis.Client {
	b.Helper()
	addr := os.Getenv("BUTTRESS_REDIS")
	if addr == "" {
		b.Skip("BUTTRESS_REDIS is not set: run `make services` and load .services/env")
	}
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	return c
}

func prefix(name string) string {
	return "bench_" + name + "_" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
}

func unlink(client rueidis.Client, keys []string) {
	ctx := context.Background()
	for len(keys) > 0 {
		n := min(len(keys), 10_000)
		client.Do(ctx, client.B().Unlink().Key(keys[:n]...).Build())
		keys = keys[n:]
	}
}

// BenchmarkRedisHotKeyHit: one hot key read over and over (parallel). Our hit checks the
// entry and its tag versions in rueidis's client-side cache and reuses the decoded value.
func BenchmarkRedisHotKeyHit(b *testing.B) {
	client := redisClient(b)
	ctx := context.Background()
	p := prefix("hot")
	// Open: the store's own rueidis client, with the invalidation hook that keeps its tag layer.
	store, err := rediscache.Open(rueidis.ClientOption{InitAddress: []string{os.Getenv("BUTTRESS_REDIS")}},
		&rediscache.Config{Prefix: p})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(store.Close)
	c, err := cache.New[*product](store, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Set(ctx, "tagged", &product{ID: 1, Name: "hot"}, cache.Tags("product:1", "catalog")); err != nil {
		b.Fatal(err)
	}
	if err := c.Set(ctx, "plain", &product{ID: 1, Name: "hot"}, nil); err != nil {
		b.Fatal(err)
	}
	bare := p + "bare"
	if err := client.Do(ctx, client.B().Set().Key(bare).Value(`{"ID":1,"Name":"hot","Price":0}`).Build()).Error(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = c.Delete(ctx, "tagged", "plain")
		unlink(client, []string{bare, p + "t:product:1", p + "t:catalog"})
	})
	par := func(b *testing.B, fn func() error) {
		if err := fn(); err != nil { // warm the client-side cache
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := fn(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	time.Sleep(1100 * time.Millisecond)    // let the own-write coherence window of the Sets pass
	b.Run("buttress", func(b *testing.B) { // two tags
		par(b, func() error { _, err := c.Get(ctx, "tagged"); return err })
	})
	b.Run("buttress-untagged", func(b *testing.B) {
		par(b, func() error { _, err := c.Get(ctx, "plain"); return err })
	})
	b.Run("rueidis-DoCache", func(b *testing.B) {
		par(b, func() error {
			return client.DoCache(ctx, client.B().Get().Key(bare).Cache(), time.Minute).Error()
		})
	})
	b.Run("rueidis-GET", func(b *testing.B) {
		par(b, func() error { return client.Do(ctx, client.B().Get().Key(bare).Build()).Error() })
	})
}
