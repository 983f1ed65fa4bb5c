// Package jobs runs background jobs on River (github.com/riverqueue/river) with the job inserted
// in the same database transaction as the data it is about, and adds what Celery users expect
// and River's open-source edition leaves out.
//
// River stays visible: jobs are river.JobArgs, workers are river.Worker[T] registered with
// river.AddWorker, options are *river.InsertOpts, and [Client.River] hands out the
// *river.Client[*sql.Tx] for everything else.
//
//	pool, _ := pgxpool.New(ctx, dsn)
//	workers := river.NewWorkers()
//	river.AddWorker(workers, &SendReceiptWorker{})
//	client, err := jobs.New(pool, &jobs.Config{Workers: workers})
//	_ = client.Migrate(ctx)
//	_ = client.Start(ctx)
//	defer client.Shutdown(shutdownCtx)
//
//	tx, _ := client.DB().BeginTxx(ctx, nil)   // a *sqlx.Tx on the same pool
//	// ... write the order with tx ...
//	client.EnqueueTx(ctx, tx, SendReceiptArgs{OrderID: id}, nil)
//	tx.Commit()                                // the job exists only if the order does
//
// # One pool for sqlx and River
//
// [New] opens a *sqlx.DB on the caller's pgx pool (stdlib.OpenDBFromPool) and gives River its
// database/sql driver with a pgx LISTEN listener (riverdatabasesql.NewWithPgxListener), so a
// *sqlx.Tx joins River's inserts ([Client.EnqueueTx]) and completions ([CompleteTx]), while
// LISTEN/NOTIFY keeps pickup fast. [NewSQLite] runs the same client on SQLite (River's
// riversqlite driver, modernc.org/sqlite) as the zero-infrastructure default.
//
// # Context travels with the job
//
// At insert the request ID and W3C traceparent found on ctx (Config.RequestID and
// Config.Traceparent, defaulting to [RequestID] and [Traceparent]) are stored in the job's
// metadata under [MetadataKey]. In the worker they are put back on ctx (Config.WithRequestID,
// Config.WithTraceparent) and a zerolog logger carrying job_id, job_kind, queue, attempt and
// request_id is stored with logger.WithContext, so zerolog.Ctx(ctx) in Work logs with them.
// River's own slog output goes to Config.Logger through zerolog.NewSlogHandler.
//
// # Celery habits, over River's public API
//
//   - Retries per kind: Config.Kinds[kind].Retry (exponential base, cap, jitter) and MaxAttempts.
//   - [Permanent] errors cancel the job after the failing attempt: exactly one attempt.
//   - Expiry: a job not started by its deadline ([ExpireAt], KindPolicy.Expiry) is cancelled
//     with [ErrExpired] instead of running late.
//   - Rate limits per kind, in-process or global across processes (KindPolicy.RateLimit, counted
//     in PostgreSQL). Limited jobs are snoozed, which does not use up an attempt.
//   - Chains: [Client.EnqueueChain]; each next step is released in the transaction that
//     completes the previous one.
//   - Periodic jobs from cron strings (Config.Periodic, [ParseCron]), one insert per firing
//     across any number of clients and leader changes (while River keeps the firing's job:
//     a new leader catches up only firings younger than River's retention of finished jobs).
//   - [Client.Await] for a job's recorded output; [Client.DeadLetters] and [Client.Retry] for
//     discarded jobs.
//
// # Operations
//
// [Client.Stats] and Config.OnJobDone report counts and durations by kind, queue and outcome,
// and sampled queue depth and oldest-available age. [Client.Health] checks readiness.
// [Client.Shutdown] soft-stops and escalates to cancelling running jobs when its ctx ends.
// [Client.Migrate] or [MigrationSQL] create the tables. [Client.Dashboard] mounts River UI
// behind a required auth middleware. Package jobs/jobstest has test helpers.
package jobs
