package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver used by OpenSQLite
)

// Defaults jobs applies where River's differ or where River has none.
const (
	// DefaultMaxWorkers is the worker count of the "default" queue when Config.Queues is nil.
	DefaultMaxWorkers = 100
	// DefaultFetchCooldown is jobs' default for River's FetchCooldown. River's own is 100ms,
	// which also rate-limits its insert NOTIFY per queue to one per 100ms: a job inserted in
	// the shadow of a recent one then waits for the next poll (1s). 1ms keeps commit → start in
	// milliseconds (see bench/jobs; with 5ms about 10% of back-to-back commits still waited
	// ~1s) for a few more fetch queries under load.
	DefaultFetchCooldown = 1 * time.Millisecond
)

// Client is a River client wired for sqlx transactions, with jobs' middleware installed. Use
// [Client.River] for anything jobs does not wrap.
type Client struct {
	river  *river.Client[*sql.Tx]
	rcfg   *river.Config
	driver riverdriver.Driver[*sql.Tx]
	db     *sqlx.DB
	cfg    Config
	log    zerolog.Logger
	sqlite bool
	prefix string // "schema." or ""

	metrics *metrics
	limiter *limiter

	catchUpHorizon time.Duration // see catchUpHorizon; set before River starts

	mu         sync.Mutex
	started    atomic.Bool
	stopSample context.CancelFunc
	sampleDone chan struct{}

	// beforeChainCommit, when set (tests only), runs inside the chain hand-off transaction just
	// before it commits.
	beforeChainCommit func(ctx context.Context, tx *sqlx.Tx, job *rivertype.JobRow) error
}

// New builds a Client on PostgreSQL from a pgx pool. It opens a *sqlx.DB on the same pool
// (stdlib.OpenDBFromPool; see [Client.DB]) and River's database/sql driver with a pgx LISTEN
// listener (riverdatabasesql.NewWithPgxListener), so that *sqlx.Tx values from DB() join River's
// inserts and completions, and new jobs are picked up by LISTEN/NOTIFY rather than polling.
// The pool stays owned by the caller; close it after Shutdown.
func New(pool *pgxpool.Pool, cfg *Config) (*Client, error) {
	if pool == nil {
		return nil, fmt.Errorf("%w: pool must not be nil", ErrConfig)
	}
	c := Config{}
	if cfg != nil {
		c = *cfg
	}
	listener := c.ListenerPool
	if listener == nil {
		listener = pool
	}
	db := sqlx.NewDb(stdlib.OpenDBFromPool(pool), "pgx")
	return newClient(db, riverdatabasesql.NewWithPgxListener(db.DB, listener), c, false)
}

// NewSQLite builds a Client on SQLite (River's riversqlite driver), the embedded default for
// development and examples. db must use the modernc "sqlite" driver; [OpenSQLite] opens one
// with the settings River needs. Config.Schema and Config.ListenerPool are ignored. Global rate
// limits are counted in the same SQLite file.
func NewSQLite(db *sqlx.DB, cfg *Config) (*Client, error) {
	if db == nil {
		return nil, fmt.Errorf("%w: db must not be nil", ErrConfig)
	}
	c := Config{}
	if cfg != nil {
		c = *cfg
	}
	c.Schema = ""
	return newClient(db, riversqlite.New(db.DB), c, true)
}

// OpenSQLite opens (creating if needed) the SQLite database at path with one connection, WAL
// journaling and a busy timeout, ready for [NewSQLite]. path may be ":memory:".
func OpenSQLite(path string) (*sqlx.DB, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate"
	if path != ":memory:" {
		dsn += "&_pragma=journal_mode(WAL)"
	}
	db, err := sqlx.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("jobs: open sqlite %q: %w", path, err)
	}
	// River's SQLite driver and SQLite itself want a single writer connection.
	db.SetMaxOpenConns(1)
	return db, nil
}

func newClient(db *sqlx.DB, driver riverdriver.Driver[*sql.Tx], cfg Config, sqlite bool) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		nop := zerolog.Nop()
		cfg.Logger = &nop
	}
	if cfg.RequestID == nil {
		cfg.RequestID = RequestID
	}
	if cfg.WithRequestID == nil {
		cfg.WithRequestID = WithRequestID
	}
	if cfg.Traceparent == nil {
		cfg.Traceparent = Traceparent
	}
	if cfg.WithTraceparent == nil {
		cfg.WithTraceparent = WithTraceparent
	}
	if cfg.HardStopTimeout == 0 {
		cfg.HardStopTimeout = 10 * time.Second
	}
	if cfg.StatsInterval == 0 {
		cfg.StatsInterval = 10 * time.Second
	}
	if cfg.Workers != nil && cfg.Queues == nil {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: DefaultMaxWorkers}}
	}
	if cfg.FetchCooldown == 0 {
		cfg.FetchCooldown = DefaultFetchCooldown
	}
	c := &Client{
		db:      db,
		driver:  driver,
		cfg:     cfg,
		log:     *cfg.Logger,
		sqlite:  sqlite,
		metrics: newMetrics(),
	}
	if cfg.Schema != "" {
		c.prefix = cfg.Schema + "."
	}
	c.limiter = newLimiter(c)

	periodic, err := c.periodicJobs()
	if err != nil {
		return nil, err
	}
	rcfg := &river.Config{
		FetchCooldown:     cfg.FetchCooldown,
		FetchPollInterval: cfg.FetchPollInterval,
		ID:                cfg.ID,
		JobTimeout:        cfg.JobTimeout,
		Logger:            slog.New(zerolog.NewSlogHandler(c.log.With().Str("logger", "river").Logger())),
		Middleware:        []rivertype.Middleware{&insertMiddleware{c: c}, &workMiddleware{c: c}},
		PeriodicJobs:      periodic,
		Queues:            cfg.Queues,
		RetryPolicy:       &retryPolicy{kinds: cfg.Kinds},
		Schema:            cfg.Schema,
		TestOnly:          cfg.TestOnly,
		Workers:           cfg.Workers,
	}
	if cfg.River != nil {
		cfg.River(rcfg)
	}
	c.catchUpHorizon = catchUpHorizon(rcfg)
	rc, err := river.NewClient(driver, rcfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	c.river = rc
	c.rcfg = rcfg
	return c, nil
}

// River returns the underlying River client, for everything jobs does not wrap (queue pause,
// job cancel, subscriptions...).
func (c *Client) River() *river.Client[*sql.Tx] { return c.river }

// RiverConfig returns the river.Config the client was built with (for rivertest helpers).
// Treat it as read-only.
func (c *Client) RiverConfig() *river.Config { return c.rcfg }

// DB returns the *sqlx.DB sharing the client's connections. Transactions begun on it can be
// passed to EnqueueTx and CompleteTx.
func (c *Client) DB() *sqlx.DB { return c.db }

// Start starts working jobs (and, if elected leader, maintenance and periodic jobs). Cancelling
// ctx begins a soft stop, as River does; prefer [Client.Shutdown].
//
// Before starting it checks each Config.Periodic job by inserting it in a transaction it rolls
// back, so an unregistered kind or bad options fail here rather than at the first firing.
func (c *Client) Start(ctx context.Context) error {
	if err := c.checkPeriodic(ctx); err != nil {
		return err
	}
	if err := c.river.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	c.started.Store(true)
	if c.cfg.StatsInterval > 0 && c.cfg.Workers != nil {
		c.mu.Lock()
		if c.stopSample == nil {
			sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
			c.stopSample = cancel
			c.sampleDone = make(chan struct{})
			go c.sampleLoop(sctx, c.sampleDone)
		}
		c.mu.Unlock()
	}
	return nil
}

// Shutdown stops the client: a soft stop first (no new jobs are fetched, running jobs may
// finish); when ctx ends before they do, it escalates to cancelling the running jobs' contexts
// and waits up to Config.HardStopTimeout for them to return. River records jobs interrupted this
// way as available again with their attempt count unchanged. It returns ctx's error when it had
// to escalate.
func (c *Client) Shutdown(ctx context.Context) error {
	c.mu.Lock()
	if c.stopSample != nil {
		c.stopSample()
		<-c.sampleDone
		c.stopSample = nil
	}
	c.mu.Unlock()
	err := c.river.Stop(ctx)
	if err == nil {
		return nil
	}
	if ctx.Err() == nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	c.log.Warn().Dur("hard_stop_timeout", c.cfg.HardStopTimeout).Msg("jobs: soft stop timed out; cancelling running jobs")
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.HardStopTimeout)
	defer cancel()
	if herr := c.river.StopAndCancel(hctx); herr != nil {
		return fmt.Errorf("jobs: hard stop: %w (soft stop: %w)", herr, ctx.Err())
	}
	return fmt.Errorf("jobs: soft stop interrupted running jobs: %w", ctx.Err())
}

// Health reports readiness: nil when the client has not stopped, the database answers, River's
// migrations are current and (for a started client that works jobs) a leader is elected.
// Errors wrap ErrStopped, ErrNotMigrated or ErrNoLeader, or the database error.
func (c *Client) Health(ctx context.Context) error {
	if c.started.Load() {
		select {
		case <-c.river.Stopped():
			return ErrStopped
		default:
		}
	}
	if err := c.db.PingContext(ctx); err != nil {
		return fmt.Errorf("jobs: health: ping: %w", err)
	}
	if err := c.migrationsCurrent(ctx); err != nil {
		return err
	}
	if c.started.Load() && c.cfg.Workers != nil {
		var n int
		if err := c.db.GetContext(ctx, &n, `SELECT count(*) FROM `+c.prefix+`river_leader`); err != nil {
			return fmt.Errorf("jobs: health: read leader: %w", err)
		}
		if n == 0 {
			return ErrNoLeader
		}
	}
	return nil
}

func (c *Client) table(name string) string { return c.prefix + name }

// checkPeriodic dry-runs the insert of each periodic job in a rolled-back transaction.
func (c *Client) checkPeriodic(ctx context.Context) error {
	if len(c.cfg.Periodic) == 0 || c.cfg.Workers == nil {
		return nil
	}
	tx, err := c.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("jobs: start: check periodic jobs: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	for i, p := range c.cfg.Periodic {
		args, opts := p.Construct()
		if args == nil {
			continue
		}
		if _, err := c.EnqueueTx(ctx, tx, args, opts); err != nil {
			return fmt.Errorf("jobs: start: Config.Periodic[%d] (%s): %w", i, p.Cron, err)
		}
	}
	return nil
}
