// Package ratelimit compares Buttress's ratelimit stores with their peers: the memory store
// against sethvargo/go-limiter's memorystore and golang.org/x/time/rate (one limiter per key),
// and the Redis store against go-redis/redis_rate (GCRA in Lua) and ulule/limiter (fixed window
// in Lua), from one goroutine and from 64. Each contender also reports "overadmit": requests
// admitted beyond the limit when 64 goroutines race on one key at limit 10 (averaged over trials).
// The Redis benchmarks skip unless BUTTRESS_REDIS is set (`make services`).
package ratelimit
