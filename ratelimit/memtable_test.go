package ratelimit

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMemShardModel drives one shard's open-addressing table (inserts, updates, sweeps, evictions,
// growth and shrinking) with random operations over a small key space, so probe clusters collide
// and wrap, and checks it against a plain map after every step.
func TestMemShardModel(t *testing.T) {
	t.Parallel()
	for _, shardMax := range []int{1, 5, 64, 3000} {
		rng := rand.New(rand.NewPCG(uint64(shardMax), 7))
		sh := &newMemShards(1, shardMax)[0]
		model := map[uint64]int64{}
		now := int64(1000)
		maxLen := 0
		for step := range 8000 {
			now += int64(rng.IntN(3))
			span := int64(50)
			if step < 3500 {
				span = 1_000_000 // long-lived buckets: the table fills up to shardMax and grows
			} else if step == 3500 {
				now += 2_000_000 // all of them go idle: sweeps empty the table and shrink it
			}
			// Few distinct low bits make long clusters; key 0 is reserved for empty slots.
			key := slotKey(uint64(rng.IntN(4*shardMax+8)) << (rng.IntN(2) * 40))
			tat := now + rng.Int64N(span) - 10
			_, had := model[key]
			sh.set(key, tat, now, shardMax)
			if !had && sh.n != len(model)+1 {
				// insert may sweep idle buckets and evict one: mirror that by dropping from the
				// model whatever the table no longer holds, which must be idle or a single victim.
				dropped := 0
				for k, v := range model {
					if _, ok := sh.get(k); !ok {
						if v > now {
							dropped++
						}
						delete(model, k)
					}
				}
				require.LessOrEqual(t, dropped, 1, "step %d: more than one live bucket evicted", step)
			}
			model[key] = tat
			require.Equal(t, len(model), sh.n, "step %d", step)
			require.LessOrEqual(t, sh.n, shardMax, "step %d", step)
			require.Less(t, sh.n, len(sh.t), "step %d: no empty slot left", step)
			maxLen = max(maxLen, len(sh.t))
			if step%251 != 0 && step != 3501 {
				continue
			}
			for k, v := range model {
				got, ok := sh.get(k)
				require.True(t, ok, "step %d: key %x lost", step, k)
				require.Equal(t, v, got, "step %d: key %x", step, k)
			}
		}
		if shardMax == 3000 {
			require.Greater(t, maxLen, 4*minSweep, "the table never grew")
			require.Less(t, len(sh.t), maxLen/2, "the table never shrank")
		}
	}
}
