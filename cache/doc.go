// Package cache is a typed, tag-aware read-through cache with stampede protection, over a
// pluggable [Store]: the in-process [MemoryStore] (the embedded default) or Redis
// (cache/rediscache).
//
//	store, _ := cache.NewMemoryStore(nil)
//	products, _ := cache.New[Product](store, &cache.Config{Prefix: "product", DefaultTTL: 5 * time.Minute})
//	p, err := products.GetOrLoad(ctx, "42", func(ctx context.Context) (Product, error) {
//		return db.Product(ctx, 42)
//	}, cache.Tags("product:42", "catalog"))
//	...
//	err = products.InvalidateTags(ctx, "product:42") // after the product changed
//
// # Tags
//
// Each tag has a version held by the store (a random value in Redis, a never-reused counter in
// memory). An entry records the versions of its tags when its value was computed; a read
// compares them with the current ones. InvalidateTags gives the tags new versions: one write
// per tag, whatever the number of entries, and nothing to scan or prune. A lost tag version
// (evicted) is a safe invalidation.
//
// Tags are global to a store: a Cache[[]byte] of rendered pages and a Cache[Product] on the same
// store both drop their entries tagged "product:42" on one InvalidateTags call.
//
// # No stale fills
//
// GetOrLoad reads the tag versions before it calls the loader and stores the result only if
// they are unchanged afterwards ([Store.Fill]); the entry also carries the versions read before
// the load, so even a store that cannot check atomically never serves a value computed before
// an invalidation as fresh.
//
// # Stampede protection
//
// Concurrent misses on one key in a process share one load (singleflight). The load runs on its
// own goroutine, detached from the callers' contexts and bounded by Config.LoadTimeout: a
// caller that gives up gets its ctx.Err() and cancels nothing; the others get the load's real
// result or error. Fresh entries close to expiry are refreshed early with probability rising
// as expiry nears (XFetch, Vattani et al., VLDB 2015), using how long the last load took.
// Stale-while-revalidate serves an expired entry while it is refreshed in the background;
// stale-if-error serves it when the loader fails. TTLs are shortened by a random jitter so
// entries stored together do not expire together. rediscache adds a distributed fill lock.
//
// # Negative caching
//
// A loader error wrapping [ErrNotFound] is cached for Config.NegativeTTL; later calls return
// ErrNotFound without calling the loader.
//
// # Keys
//
// Keys are "prefix:version:key" (Config.Prefix, Config.Version); bumping Version makes
// everything the Cache stored unreachable at once. Keys longer than Config.MaxKeyLength are
// replaced by their SHA-256.
//
// # Failures
//
// The cache holds copies, so a failing store degrades instead of failing requests: a read
// error is a miss (GetOrLoad calls the loader and does not store), Config.OnError receives an
// [*OpError], and after Config.BreakerThreshold failures in a row a circuit breaker stops
// calling the store for Config.BreakerCooldown, then probes it. Config.FailClosed turns read
// failures into errors. Writes (Set, Delete, InvalidateTags) always return store errors: an
// invalidation is never silently lost. A corrupt stored entry is a miss plus an OnError call.
//
// # Values
//
// The memory store keeps values as they are: a hit neither decodes nor allocates (store
// pointers or small values; a value is shared by every reader and must not be modified).
// Stores that keep bytes use Config.Codec (JSON by default); []byte values bypass the codec.
package cache
