package jobstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"testing"
	"time"

	"github.com/buttress-go/buttress/jobs"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertest"
	"github.com/riverqueue/river/rivertype"
)

// NewSchema creates a PostgreSQL schema private to the test on the database at dsn, and returns
// a pgx pool whose search_path is that schema together with the schema's name. The schema (and
// everything in it) is dropped and the pool closed when the test ends.
func NewSchema(tb testing.TB, dsn string) (*pgxpool.Pool, string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "jobstest_" + hex.EncodeToString(b[:])
	admin, err := pgxpool.New(ctx, dsn)
	if err != nil {
		tb.Fatalf("jobstest: connect: %v", err)
	}
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		tb.Fatalf("jobstest: create schema: %v", err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		admin.Close()
		tb.Fatalf("jobstest: parse DSN: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	pool, err := pgxpool.New(ctx, u.String())
	if err != nil {
		admin.Close()
		tb.Fatalf("jobstest: connect to schema: %v", err)
	}
	tb.Cleanup(func() {
		pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		defer admin.Close()
		if _, err := admin.Exec(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`); err != nil {
			tb.Errorf("jobstest: drop schema %s: %v", schema, err)
		}
	})
	return pool, schema
}

// NewClient builds a jobs client on pool in schema with test-friendly settings (River's
// TestOnly, 50ms polling and 5ms fetch cooldown unless cfg sets them), runs Migrate, and shuts the client down when the
// test ends. It does not Start the client.
func NewClient(tb testing.TB, pool *pgxpool.Pool, schema string, cfg *jobs.Config) *jobs.Client {
	tb.Helper()
	var c jobs.Config
	if cfg != nil {
		c = *cfg
	}
	c.Schema = schema
	c.TestOnly = true
	if c.FetchPollInterval == 0 {
		c.FetchPollInterval = 50 * time.Millisecond
	}
	if c.FetchCooldown == 0 {
		c.FetchCooldown = 5 * time.Millisecond
	}
	client, err := jobs.New(pool, &c)
	if err != nil {
		tb.Fatalf("jobstest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := client.Migrate(ctx); err != nil {
		tb.Fatalf("jobstest: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.Shutdown(ctx)
	})
	return client
}

// RequireEnqueued fails the test unless exactly one job of expected's kind was enqueued (in
// the client's schema) and, when opts is set, matches it. It returns the job with its args
// decoded. It wraps rivertest.RequireInserted.
func RequireEnqueued[T river.JobArgs](tb testing.TB, c *jobs.Client, expected T, opts *rivertest.RequireInsertedOpts) *river.Job[T] {
	tb.Helper()
	return rivertest.RequireInserted(context.Background(), tb, c.River().Driver(), expected, withSchema(c, opts))
}

// RequireNotEnqueued fails the test if a job of expected's kind matching opts was enqueued.
func RequireNotEnqueued[T river.JobArgs](tb testing.TB, c *jobs.Client, expected T, opts *rivertest.RequireInsertedOpts) {
	tb.Helper()
	rivertest.RequireNotInserted(context.Background(), tb, c.River().Driver(), expected, withSchema(c, opts))
}

func withSchema(c *jobs.Client, opts *rivertest.RequireInsertedOpts) *rivertest.RequireInsertedOpts {
	var o rivertest.RequireInsertedOpts
	if opts != nil {
		o = *opts
	}
	if o.Schema == "" {
		o.Schema = c.River().Schema()
	}
	return &o
}

// Work inserts args and works the job inline with worker, inside a transaction that is rolled
// back afterwards, through the client's middleware (so the request ID on ctx, the logger on the
// worker's ctx, expiry and rate limits apply as in production). The result holds the job row
// after the attempt; err is a real failure (not a snooze or Permanent cancel, which show in
// the result's job state).
func Work[T river.JobArgs](ctx context.Context, tb testing.TB, c *jobs.Client, worker river.Worker[T], args T, opts *river.InsertOpts) (*rivertest.WorkResult, error) {
	tb.Helper()
	cfg := *c.RiverConfig()
	cfg.PeriodicJobs = nil
	w := rivertest.NewWorker(tb, c.River().Driver(), &cfg, worker)
	tx, err := c.DB().BeginTxx(ctx, nil)
	if err != nil {
		tb.Fatalf("jobstest: begin: %v", err)
	}
	defer func() { _ = tx.Rollback() }()
	return w.Work(ctx, tb, tx.Tx, args, opts)
}

// State returns the current state of job id.
func State(tb testing.TB, c *jobs.Client, id int64) rivertype.JobState {
	tb.Helper()
	job, err := c.River().JobGet(context.Background(), id)
	if err != nil {
		tb.Fatalf("jobstest: get job %d: %v", id, err)
	}
	return job.State
}
