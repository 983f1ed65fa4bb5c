package cache_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/redis/rueidis"

	"github.com/buttress-go/buttress/cache"
	"github.com/buttress-go/buttress/cache/rediscache"
)

const coverage = 1_000_000

// BenchmarkInvalidateTag1M invalidates a tag that covers 1,000,000 entries in Redis.
// buttress: one SET of the tag's version key, whatever the number of entries.
// keyset: the entries' keys are kept in a Redis set (SADD at write time); invalidation reads
// the set (SMEMBERS) and deletes every key (UNLINK, pipelined in batches of 10,000) and the set.
// The keyset's entries are re-written outside the timer before each iteration. Setting up the
// million entries takes minutes: this lives in bench only, never in make test.
func BenchmarkInvalidateTag1M(b *testing.B) {
	client := redisClient(b)
	ctx := context.Background()

	b.Run("buttress", func(b *testing.B) {
		p := prefix("inv")
		store, err := rediscache.New(client, &rediscache.Config{Prefix: p})
		if err != nil {
			b.Fatal(err)
		}
		c, err := cache.New[int](store, &cache.Config{Prefix: "p"})
		if err != nil {
			b.Fatal(err)
		}
		names := make([]string, 0, coverage)
		batch := make(map[string]int, 10_000)
		for i := range coverage {
			k := strconv.Itoa(i)
			names = append(names, k)
			batch[k] = i
			if len(batch) == 10_000 {
				if err := c.SetMany(ctx, batch, cache.Tags("catalog")); err != nil {
					b.Fatal(err)
				}
				clear(batch)
			}
		}
		b.Cleanup(func() {
			keys := make([]string, len(names))
			for i, n := range names {
				keys[i] = p + "e:p:0:" + n
			}
			unlink(client, keys)
			_ = c.Delete(ctx, "0")
			unlink(client, []string{p + "t:catalog"})
		})
		if _, err := c.Get(ctx, "123456"); err != nil {
			b.Fatal("entry not stored:", err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if err := c.InvalidateTags(ctx, "catalog"); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		if _, err := c.Get(ctx, "123456"); !errors.Is(err, cache.ErrNotFound) {
			b.Fatal("entry still served after the invalidation:", err)
		}
	})

	b.Run("keyset", func(b *testing.B) {
		p := prefix("keyset")
		set := p + "tag:catalog"
		fill := func() {
			cmds := make(rueidis.Commands, 0, 10_001)
			members := make([]string, 0, 10_000)
			for i := range coverage {
				k := p + strconv.Itoa(i)
				cmds = append(cmds, client.B().Set().Key(k).Value(strconv.Itoa(i)).Build())
				members = append(members, k)
				if len(members) == 10_000 {
					cmds = append(cmds, client.B().Sadd().Key(set).Member(members...).Build())
					for _, r := range client.DoMulti(ctx, cmds...) {
						if err := r.Error(); err != nil {
							b.Fatal(err)
						}
					}
					cmds, members = cmds[:0], members[:0]
				}
			}
		}
		b.Cleanup(func() {
			keys := make([]string, 0, coverage+1)
			for i := range coverage {
				keys = append(keys, p+strconv.Itoa(i))
			}
			unlink(client, append(keys, set))
		})
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			b.StopTimer()
			fill()
			b.StartTimer()
			members, err := client.Do(ctx, client.B().Smembers().Key(set).Build()).AsStrSlice()
			if err != nil {
				b.Fatal(err)
			}
			cmds := make(rueidis.Commands, 0, len(members)/10_000+2)
			for len(members) > 0 {
				n := min(len(members), 10_000)
				cmds = append(cmds, client.B().Unlink().Key(members[:n]...).Build())
				members = members[n:]
			}
			cmds = append(cmds, client.B().Unlink().Key(set).Build())
			for _, r := range client.DoMulti(ctx, cmds...) {
				if err := r.Error(); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
