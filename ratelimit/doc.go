// Package ratelimit is request throttling that holds its limit under concurrency: GCRA buckets in
// a [MemoryStore] or in Redis (package ratelimit/redisstore), wrapped by a [Limiter] that adds the
// operational parts (fail-open or fail-closed with a circuit breaker, a local over-limit cache,
// shadow mode, stats and hooks), and HTTP middleware that speaks the IETF RateLimit headers.
//
// It replaces read-modify-write throttles (such as Django REST framework's history list in a
// cache), which let through every request once enough clients race: here N concurrent requests
// against a bucket with room for k admit exactly min(N, k), in memory and in Redis.
//
// # Algorithm
//
// GCRA (the generic cell rate algorithm) keeps one number per bucket, its theoretical arrival time
// (TAT). A [Limit] of Rate per Period with a Burst admits Burst requests at once, then one per
// emission interval Period/Rate. A request is admitted when TAT+interval−now ≤ Burst×interval.
// Rejections change nothing, so a flood of rejected requests cannot push a client's recovery back.
//
// # Stores
//
// [MemoryStore] is sharded, allocation-free once a key exists, and bounded: idle buckets are swept
// as shards grow and MemoryConfig.MaxKeys caps the total. The Redis store runs one Lua script per
// check (EVALSHA through rueidis, which pipelines concurrent callers), with the Redis server's
// clock, and checks several policies in that one round trip. Both implement [Store]; several
// requests in one [Store.Take] are all or nothing: admitted and charged only if every bucket has
// room, so a request rejected by a per-IP burst does not eat its user's daily quota.
//
//	store, _ := ratelimit.NewMemoryStore(nil)
//	limiter, _ := ratelimit.New(store, nil)
//	mw, _ := limiter.Middleware([]ratelimit.Policy{
//		{Name: "ip", Limit: ratelimit.PerSecond(20), Key: ratelimit.ClientIP(secureResolver)},
//		{Name: "user", Limit: ratelimit.PerDay(10_000), Key: ratelimit.FromContext(userID)},
//	}, nil)
//	http.ListenAndServe(addr, mw(mux))
//
// # Keys
//
// A [KeyFunc] names a request's bucket: [ClientIP] (from a trusted-proxy resolver of type
// func(*http.Request) (netip.Addr, error), IPv6 grouped by /64), [FromContext] (the
// authenticated user), [Route], [Header], or any combination with [Join]. A KeyFunc returns
// [ErrSkip] to leave its policy out (anonymous requests under a per-user policy). A key that
// cannot be derived (an unparseable client address, an empty key) is answered 400, or bucketed
// under MiddlewareConfig.KeyErrorFallback: never let through unlimited.
//
// # Responses
//
// Admitted responses carry RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers,
// Structured Field form: `"ip";q=20;w=1` and `"ip";r=19;t=1`, where q and w are the policy's Rate
// and Period in seconds rounded up, r the requests admissible right now and t the seconds until
// the bucket is full). Rejected requests get 429 with Retry-After in delta-seconds rounded up (never
// earlier than the true wait) and an RFC 9457 problem+json body of type quota-exceeded listing the
// violated policies. MiddlewareConfig.LegacyHeaders adds X-RateLimit-Limit/-Remaining/-Reset.
//
// # Operations
//
// Store errors (a timeout, Redis down) count towards a circuit breaker; while it is open the store
// is not called. Config.FailClosed chooses between admitting (the default: rate-limit state is a
// copy, not the truth) and answering 503 with Retry-After. A key the store rejected is remembered
// locally until its RetryAfter, so a hot abusive client stops costing Redis round trips; the
// bucket could not admit before then anyway (the local answer may outlast the true wait by one
// round trip, never fall short of it). Config.Shadow evaluates
// and reports (Stats, Config.OnReject) without blocking. [Limiter.Stats] returns the counters.
//
// # Outside HTTP
//
// [Limiter.Allow] checks one key, for job workers and other callers; [Limiter.Take] checks several
// policies at once.
package ratelimit
