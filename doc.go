// Package buttress is the front page of Buttress, a Go library of scaling building blocks for a
// web app or API about to meet real traffic. This package holds no code: each building block is
// its own package, imported on its own and composed by the application.
//
// # The packages
//
//   - cache: a typed, tag-invalidated cache with stampede protection. The in-memory store is the
//     embedded default; cache/rediscache is the production store on Redis (rueidis) with
//     server-assisted client-side caching; cache/httpcache caches whole responses per view and
//     html/template fragments.
//   - dbrouter: a replica-aware router over sqlx. Writes and transactions go to the primary, reads
//     to healthy replicas fresh enough for the caller, with read-your-writes by WAL position;
//     sharding; a query counter against N+1.
//   - jobs: background jobs on River. A job is enqueued in the same transaction as the data it
//     belongs to; retries, expiry, rate limits, chains, periodic jobs and a dashboard.
//   - secure: security middleware: trusted proxies, allowed hosts, HTTPS redirect and HSTS,
//     security headers, CSRF, cookie hardening, body limits and a deploy check.
//   - version: API version negotiation (path, header, media type, query, host), deprecation and
//     sunset signalling, and one handler serving many versions.
//   - logging: zerolog with request IDs, access logs, panic recovery and slow-request and
//     slow-query logs.
//   - ratelimit: GCRA throttling that holds its limit under concurrency, in memory or on Redis in
//     one round trip, with the standard RateLimit and Retry-After headers.
//
// # Composing them
//
// The packages do not import one another. Where two must cooperate, one exposes a plain hook (a
// func field or a one-method interface) and the application fills it: the client-IP resolver of
// secure feeds ratelimit's keys and logging's access log; logging's slow-query function plugs into
// dbrouter's hook; the request ID of logging travels into job metadata through jobs' context hook.
// examples/shop wires every package together in one small, real app.
//
// # Embedded defaults and production backends
//
// Everything runs with zero infrastructure: the in-memory cache store and rate limiter, and SQLite
// (modernc.org/sqlite, pure Go) for jobs and the router's database. Production swaps in Redis and
// PostgreSQL with streaming replicas by configuration, not by rewriting code; both paths are tested
// against real servers started by `make services`.
package buttress
