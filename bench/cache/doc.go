// Package cache compares Buttress's cache with its peers:
//
//   - BenchmarkMemoryZipfHit: the memory store (a hit with a tag check) against otter v2's raw
//     hit, ristretto v2 and go-redis/cache's local TinyLFU cache, on a Zipf-distributed parallel
//     read workload over 100,000 keys.
//   - BenchmarkRedisHotKeyHit: the Redis store's hit on a hot key, with and without a tag, against
//     a bare rueidis DoCache hit and a plain GET round trip.
//   - BenchmarkInvalidateTag1M: invalidating a tag that covers 1,000,000 entries, against a
//     key-set implementation (SADD per entry; SMEMBERS + DEL to invalidate, as eko/gocache and
//     Laravel do; here pipelined in batches of 10,000, kinder to the peer than one DEL per key).
//
// The Redis benchmarks skip unless BUTTRESS_REDIS is set (`make services`).
package cache
