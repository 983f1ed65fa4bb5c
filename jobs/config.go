package jobs

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/rs/zerolog"
)

// Config holds the optional settings of a [Client]. A nil *Config means all defaults. Fields that
// are River's own (Queues, Workers, intervals) keep River's meaning and defaults unless stated.
type Config struct {
	// Workers is the bundle of registered workers (river.NewWorkers + river.AddWorker). Nil makes
	// an insert-only client: it cannot Start work and cannot check kinds at enqueue.
	Workers *river.Workers

	// Queues maps queue names to their River settings. Nil with Workers set means
	// {"default": {MaxWorkers: 100}}. Names must match River's queue-name rules.
	Queues map[string]river.QueueConfig

	// Schema is the PostgreSQL schema holding River's tables (River's Config.Schema). Empty uses
	// the connection's search_path. Ignored for SQLite.
	Schema string

	// ListenerPool is the pgx pool LISTEN connections are taken from (one per client, hijacked for
	// the client's life). Nil uses the pool given to New. Ignored for SQLite.
	ListenerPool *pgxpool.Pool

	// Logger receives the client's own log lines and River's (River's slog output is bridged with
	// zerolog.NewSlogHandler and marked "logger":"river" — not "component", which the logger given
	// here, e.g. by logging.Component, may carry already, and a JSON line must not repeat a key).
	// Workers find a child of it on their ctx (zerolog.Ctx(ctx)) with
	// job_id, job_kind, queue, attempt and request_id fields. Nil means zerolog.Nop().
	Logger *zerolog.Logger

	// RequestID reads the request ID from the inserting ctx; it is stored in job metadata. Nil
	// uses this package's [RequestID].
	RequestID func(context.Context) string
	// WithRequestID puts the restored request ID on the worker's ctx. Nil uses this package's
	// [WithRequestID].
	WithRequestID func(context.Context, string) context.Context
	// Traceparent reads a W3C traceparent from the inserting ctx. Nil uses [Traceparent].
	Traceparent func(context.Context) string
	// WithTraceparent puts the restored traceparent on the worker's ctx. Nil uses
	// [WithTraceparent].
	WithTraceparent func(context.Context, string) context.Context

	// Kinds sets a policy (retries, expiry, rate limit) per job kind. Kinds without an entry use
	// River's defaults.
	Kinds map[string]KindPolicy

	// Periodic lists cron-scheduled jobs. Every client should carry the same list; only the
	// elected leader inserts them, one per period.
	Periodic []Periodic

	// FetchCooldown and FetchPollInterval are River's settings of the same name (defaults
	// DefaultFetchCooldown and 1s).
	FetchCooldown     time.Duration
	FetchPollInterval time.Duration

	// JobTimeout is River's per-job timeout (default 1 minute; -1 disables).
	JobTimeout time.Duration

	// HardStopTimeout bounds how long Shutdown waits for jobs to return after it escalates from a
	// soft stop to cancelling their contexts. Default 10s.
	HardStopTimeout time.Duration

	// StatsInterval is how often queue depth and oldest-available age are sampled for Stats while
	// the client runs. Default 10s; -1 disables sampling.
	StatsInterval time.Duration

	// OnJobDone is called after every worked attempt with its outcome and duration. Nil: no call.
	// It runs on the worker goroutine; keep it fast.
	OnJobDone func(ctx context.Context, ev JobDone)
	// OnQueueSample is called after each queue depth sample. Nil: no call.
	OnQueueSample func(ctx context.Context, samples []QueueSample)

	// ID is River's client ID (must be unique per process); empty lets River pick one.
	ID string

	// TestOnly sets River's TestOnly (no start-up jitter). For test suites only.
	TestOnly bool

	// River, when set, is called with the river.Config jobs built, just before the River client is
	// created, for settings jobs does not surface. Do not replace Middleware, RetryPolicy or
	// PeriodicJobs there unless you mean to drop jobs' features.
	River func(*river.Config)
}

// KindPolicy is the per-kind behaviour jobs adds on top of River.
type KindPolicy struct {
	// Retry sets the backoff between attempts. Zero value: River's default policy.
	Retry RetryPolicy
	// MaxAttempts overrides River's default (25) for this kind when the insert options do not set
	// it. 0 keeps River's.
	MaxAttempts int
	// Expiry cancels a job not started within this long of its scheduled time. 0: never expires.
	// A per-job deadline from [ExpireAt] wins. The steps of a chain get theirs when the chain is
	// inserted, so a later step's deadline counts from then, not from its release.
	Expiry time.Duration
	// RateLimit caps how many jobs of this kind start per window. Nil: unlimited.
	RateLimit *RateLimit
}

// RetryPolicy is an exponential backoff: Base·2^(attempt-1), capped at Max, with ±Jitter
// (a fraction in [0,1]) applied.
type RetryPolicy struct {
	// Base is the delay after the first failed attempt. 0 means River's default policy.
	Base time.Duration
	// Max caps the delay. 0 means no cap beyond 24h.
	Max time.Duration
	// Jitter is the random fraction applied to the delay, in [0,1]. 0 means none.
	Jitter float64
}

// RateLimit caps job starts per fixed window.
type RateLimit struct {
	// Limit is how many jobs may start per window; must be > 0.
	Limit int
	// Per is the window length; must be >= 10ms.
	Per time.Duration
	// Global makes the limit shared by every client on the same database (counted in the
	// buttress_job_rate table that Migrate creates). False counts in this process only.
	Global bool
}

var queueNameRE = regexp.MustCompile(`^(?:[a-z0-9])+(?:[_|\-]?[a-z0-9]+)*$`)

func validQueueName(name string) error {
	if name == "" || len(name) > 64 || !queueNameRE.MatchString(name) {
		return fmt.Errorf("queue name %q is invalid: want 1-64 lowercase letters and digits separated by single '_', '-' or '|'", name)
	}
	return nil
}

var schemaRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

func (c *Config) validate() error {
	if c.Schema != "" && !schemaRE.MatchString(c.Schema) {
		return configErr("Schema", "%q must be a plain identifier", c.Schema)
	}
	for name, q := range c.Queues {
		if err := validQueueName(name); err != nil {
			return configErr("Queues", "%v", err)
		}
		if q.MaxWorkers < 1 {
			return configErr("Queues", "[%q].MaxWorkers must be >= 1 (got %d)", name, q.MaxWorkers)
		}
	}
	if len(c.Queues) > 0 && c.Workers == nil {
		return configErr("Workers", "must be set when Queues is set")
	}
	for kind, p := range c.Kinds {
		if p.Retry.Base < 0 || p.Retry.Max < 0 {
			return configErr("Kinds", "[%q].Retry durations must be >= 0", kind)
		}
		if p.Retry.Jitter < 0 || p.Retry.Jitter > 1 {
			return configErr("Kinds", "[%q].Retry.Jitter must be in [0,1] (got %v)", kind, p.Retry.Jitter)
		}
		if p.MaxAttempts < 0 {
			return configErr("Kinds", "[%q].MaxAttempts must be >= 0 (got %d)", kind, p.MaxAttempts)
		}
		if p.Expiry < 0 {
			return configErr("Kinds", "[%q].Expiry must be >= 0 (got %v)", kind, p.Expiry)
		}
		if rl := p.RateLimit; rl != nil {
			if rl.Limit <= 0 {
				return configErr("Kinds", "[%q].RateLimit.Limit must be > 0 (got %d)", kind, rl.Limit)
			}
			if rl.Per < 10*time.Millisecond {
				return configErr("Kinds", "[%q].RateLimit.Per must be >= 10ms (got %v)", kind, rl.Per)
			}
		}
	}
	if c.HardStopTimeout < 0 {
		return configErr("HardStopTimeout", "must be >= 0 (got %v)", c.HardStopTimeout)
	}
	if c.StatsInterval < -1 {
		return configErr("StatsInterval", "must be >= 0 or -1 (got %v)", c.StatsInterval)
	}
	return nil
}
