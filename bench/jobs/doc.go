// Package jobs compares Buttress's jobs client with raw River on the same database/sql driver
// (riverdatabasesql with a pgx listener, the configuration jobs uses) in the same run: no-op
// jobs worked per second, and the latency from a transaction's commit to the job's Work call
// (p50/p95). The difference is the cost of jobs' middleware (context restore, logger, metrics,
// expiry/rate-limit checks). Both skip unless BUTTRESS_PG_PRIMARY is set (`make services`).
package jobs
