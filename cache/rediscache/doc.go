// Package rediscache is a cache.Store on Redis, through rueidis, for caches shared by many
// processes.
//
//	store, err := rediscache.Open(rueidis.ClientOption{InitAddress: []string{"127.0.0.1:6379"}},
//		&rediscache.Config{Prefix: "shop:"})
//	...
//	defer store.Close()
//	products, err := cache.New[Product](store, nil)
//
// [New] wraps a client you already have; [Open] creates the client itself so that it can hook
// Redis's invalidation pushes (a faster tag check and the distributed fill lock need that).
//
// # Reads without round trips
//
// Entries and tag versions are read through rueidis's server-assisted client-side caching
// (RESP3 CLIENT TRACKING): a warm read is a local lookup, and Redis pushes an invalidation to
// every process the moment a key changes. An entry is decoded once per write (a nonce in its
// header identifies the write; the decoded value is memoised), so a hit does not decode. With
// [Open], tag versions are also held in a map the pushes keep coherent, so a warm tag check is
// one map lookup.
//
// # Tags
//
// A tag is a key holding a random 64-bit version (never INCR: a tag key that was evicted and
// recreated by INCR could reuse a version and resurrect stale entries). InvalidateTags writes
// new random versions: one pipelined round trip whatever the number of tags and of entries.
// Entries carry the versions of their tags, compared on every read.
//
// # Guarded fills
//
// cache.GetOrLoad reads the tag versions before running the loader; Fill stores the result
// with a Lua script that compares them with the current ones first, so a fill that raced an
// invalidation is refused. In Redis Cluster the script runs only when the entry and its tag
// keys share a slot ({hash tags}); otherwise the entry is written with a plain SET, which stays
// safe because it carries the pre-load versions and readers compare them. Every other command is
// single-key or pipelined per key, so nothing crosses slots.
//
// # Own-write coherence
//
// Redis pushes the invalidation of a key this process wrote after the write's reply, and the
// push is handled asynchronously: for a moment (unbounded under load) the local copy is stale.
// So the store remembers, per key, what it wrote itself (an entry's per-write nonce, a tag's
// version, or "deleted"), and a read through the local cache that returns anything else reads
// the key from the server instead. The record is dropped once the local copy has caught up, or
// after Config.LocalTTL, when every local copy fetched before the write has expired. A process
// therefore never reads its own stale entry or tag version after Set, Fill, Delete or
// InvalidateTags, whatever the timing of the pushes.
//
// # Fill lock
//
// With Config.FillLock (and [Open]), concurrent misses on a key across processes run the loader
// once: the first takes a lock (SET NX PX with an owner token, released by a compare-and-delete
// script, expiring if its holder dies); the others read the lock key through the client-side
// cache and sleep until Redis pushes its invalidation (the fill landed or the lock went away):
// no polling. A waiter gives up after Config.FillLockWait and loads itself. Unlike rueidisaside,
// which keeps a per-client liveness key refreshed in the background, the lock simply expires
// after Config.FillLockTTL: no background goroutine, at the price of waiters of a crashed holder
// waiting up to that TTL (or FillLockWait, whichever is shorter).
//
// # Outages
//
// Give the client timeouts (rueidis.ClientOption.ConnWriteTimeout, a dial timeout) or the calls
// a ctx deadline: the cache's circuit breaker stops calling a failing Redis, but a call already
// waiting on a dead connection waits as long as rueidis lets it.
//
// # Encoding and corruption
//
// Values are encoded with the Cache's codec (cache.Config.Codec, JSON by default; []byte stored
// raw) behind a small binary header. Bytes under our key that do not decode are a miss reported
// to the error hook as cache.ErrCorrupt, never a panic or a wrong value.
package rediscache
