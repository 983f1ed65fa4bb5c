package main

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" database/sql driver for the replicas
	"github.com/jmoiron/sqlx"
	"github.com/redis/rueidis"
	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/buttress-go/buttress/cache"
	"github.com/buttress-go/buttress/cache/httpcache"
	"github.com/buttress-go/buttress/cache/rediscache"
	"github.com/buttress-go/buttress/dbrouter"
	"github.com/buttress-go/buttress/jobs"
	"github.com/buttress-go/buttress/logging"
	"github.com/buttress-go/buttress/ratelimit"
	"github.com/buttress-go/buttress/ratelimit/redisstore"
)

// app holds the shop's building blocks. main wires it; handlers are its methods.
type app struct {
	cfg config
	log zerolog.Logger

	shuttingDown atomic.Bool // /readyz fails once shutdown begins

	db       *dbrouter.Router // writes to the primary, reads to fresh replicas
	postgres bool
	closers  []func()

	jobs *jobs.Client

	store    cache.Store
	products *cache.Cache[Product]        // decoded products for the API
	tokens   *cache.Cache[dbrouter.Token] // the catalogue's last write position (see freshness.go)
	pages    *httpcache.Pages             // whole responses
	frags    *httpcache.Fragments         // product cards inside pages

	limiter *ratelimit.Limiter
	cursors cursorCodec
	tmpl    *template.Template
}

// newApp opens every backend named by cfg: SQLite, the in-memory cache and rate limiter by
// default; PostgreSQL (+ replicas) and Redis when their URLs are set.
func newApp(ctx context.Context, cfg config, logOut io.Writer) (_ *app, err error) {
	a := &app{cfg: cfg, cursors: cursorCodec{key: cfg.SecretKey}}
	format := logging.FormatJSON
	if cfg.LogFormat == "console" {
		format = logging.FormatConsole
	}
	a.log = logging.New(logOut, &logging.Config{Service: "shop", Level: cfg.LogLevel, Format: format})
	defer func() {
		if err != nil {
			a.close()
		}
	}()
	if err := a.openDatabase(ctx); err != nil {
		return nil, err
	}
	if err := a.openCache(); err != nil {
		return nil, err
	}
	if err := a.openLimiter(); err != nil {
		return nil, err
	}
	if a.tmpl, err = parseTemplates(a.frags); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *app) openDatabase(ctx context.Context) error {
	workers := river.NewWorkers()
	river.AddWorker(workers, &confirmOrderWorker{app: a, work: a.cfg.ConfirmWork})
	river.AddWorker(workers, &bestSellersWorker{app: a})
	jlog := logging.Component(a.log, "jobs")
	jcfg := &jobs.Config{
		Workers:       workers,
		Logger:        &jlog,
		RequestID:     logging.RequestID,
		WithRequestID: logging.WithRequestID,
		Kinds: map[string]jobs.KindPolicy{
			confirmOrderArgs{}.Kind(): {MaxAttempts: 10, Expiry: 24 * time.Hour},
		},
		Periodic: []jobs.Periodic{{
			Cron:      a.cfg.BestSellersCron,
			Construct: func() (river.JobArgs, *river.InsertOpts) { return bestSellersArgs{}, nil },
		}},
		HardStopTimeout: 5 * time.Second,
	}
	dcfg := &dbrouter.Config{
		MaxLag:      2 * time.Second,
		OnSlowQuery: logging.SlowQueryLogger(logging.Component(a.log, "dbrouter"), nil),
	}

	var primary *sqlx.DB
	var replicas []dbrouter.Node
	if a.cfg.DatabaseURL == "" {
		// River gets its own single-connection handle, as riversqlite wants; the app gets a
		// second handle on the same file (WAL: readers never block, writers queue on the busy
		// timeout). A *sqlx.Tx from either handle can carry EnqueueTx: it is the same database.
		jdb, err := jobs.OpenSQLite(a.cfg.SQLitePath)
		if err != nil {
			return fmt.Errorf("open SQLite %s: %w", a.cfg.SQLitePath, err)
		}
		a.closers = append(a.closers, func() { _ = jdb.Close() })
		if a.jobs, err = jobs.NewSQLite(jdb, jcfg); err != nil {
			return err
		}
		if primary, err = jobs.OpenSQLite(a.cfg.SQLitePath); err != nil {
			return fmt.Errorf("open SQLite %s: %w", a.cfg.SQLitePath, err)
		}
		primary.SetMaxOpenConns(4)
		db := primary
		a.closers = append(a.closers, func() { _ = db.Close() })
	} else {
		a.postgres = true
		pool, err := pgxpool.New(ctx, a.cfg.DatabaseURL)
		if err != nil {
			return fmt.Errorf("DATABASE_URL: %w", err)
		}
		a.closers = append(a.closers, pool.Close)
		if a.jobs, err = jobs.New(pool, jcfg); err != nil {
			return err
		}
		primary = a.jobs.DB() // sqlx and River share the pool, so orders and jobs share a tx
		for i, u := range a.cfg.ReplicaURLs {
			db, err := sqlx.Open("pgx", u)
			if err != nil {
				return fmt.Errorf("DATABASE_REPLICA_URLS[%d]: %w", i, err)
			}
			a.closers = append(a.closers, func() { _ = db.Close() })
			replicas = append(replicas, dbrouter.Node{Name: fmt.Sprintf("replica-%d", i+1), DB: db})
		}
	}
	router, err := dbrouter.New(ctx, dbrouter.Node{Name: "primary", DB: primary}, replicas, dcfg)
	if err != nil {
		return err
	}
	a.db = router
	a.closers = append(a.closers, func() { _ = router.Close() })
	return nil
}

func (a *app) openCache() error {
	var err error
	if a.cfg.RedisURL == "" {
		if a.store, err = cache.NewMemoryStore(&cache.MemoryConfig{MaxEntries: 50_000}); err != nil {
			return err
		}
	} else {
		addr, err := redisAddr(a.cfg.RedisURL)
		if err != nil {
			return err
		}
		rs, err := rediscache.Open(redisOptions(addr), &rediscache.Config{Prefix: a.cfg.RedisPrefix + "cache:"})
		if err != nil {
			return fmt.Errorf("REDIS_URL: %w", err)
		}
		a.closers = append(a.closers, rs.Close)
		a.store = rs
	}
	onErr := func(ctx context.Context, err error) {
		logging.Ctx(ctx).Warn().Err(err).Msg("cache backend error (serving without it)")
	}
	if a.products, err = cache.New[Product](a.store, &cache.Config{Prefix: "product", DefaultTTL: 10 * time.Minute, OnError: onErr}); err != nil {
		return err
	}
	if a.tokens, err = cache.New[dbrouter.Token](a.store, &cache.Config{Prefix: "catalog", DefaultTTL: time.Hour, Jitter: -1, OnError: onErr}); err != nil {
		return err
	}
	if a.pages, err = httpcache.NewPages(a.store, &httpcache.Config{
		TTL:            5 * time.Minute,
		Hosts:          a.cfg.AllowedHosts,
		SessionCookies: []string{adminCookie},
		OnError:        onErr,
	}); err != nil {
		return err
	}
	a.frags, err = httpcache.NewFragments(a.store, &httpcache.FragmentConfig{TTL: 30 * time.Minute})
	return err
}

func (a *app) openLimiter() error {
	var store ratelimit.Store
	if a.cfg.RedisURL == "" {
		ms, err := ratelimit.NewMemoryStore(nil)
		if err != nil {
			return err
		}
		store = ms
	} else {
		addr, err := redisAddr(a.cfg.RedisURL)
		if err != nil {
			return err
		}
		opt := redisOptions(addr)
		opt.DisableCache = true // limiter state is never read from a client-side cache
		client, err := rueidis.NewClient(opt)
		if err != nil {
			return fmt.Errorf("REDIS_URL: %w", err)
		}
		a.closers = append(a.closers, client.Close)
		if store, err = redisstore.New(client, &redisstore.Config{Prefix: a.cfg.RedisPrefix + "rl:"}); err != nil {
			return err
		}
	}
	var err error
	a.limiter, err = ratelimit.New(store, &ratelimit.Config{
		OnReject: func(ctx context.Context, rej ratelimit.Rejection) {
			logging.Ctx(ctx).Info().Bool("shadow", rej.Shadow).Msg("rate limited")
		},
	})
	return err
}

// redisOptions bounds every Redis call, so that a Redis outage degrades the site (the cache and
// the limiter fail open behind their circuit breakers) instead of hanging requests on retries.
func redisOptions(addr string) rueidis.ClientOption {
	return rueidis.ClientOption{
		InitAddress:      []string{addr},
		Dialer:           net.Dialer{Timeout: 500 * time.Millisecond},
		ConnWriteTimeout: time.Second,
		DisableRetry:     true,
	}
}

// redisAddr turns REDIS_URL (redis://host:port, or a bare host:port) into host:port.
func redisAddr(s string) (string, error) {
	if !strings.Contains(s, "://") {
		return s, nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "redis" || u.Host == "" {
		return "", fmt.Errorf("REDIS_URL must look like redis://host:port, not %q", s)
	}
	return u.Host, nil
}

// migrate creates the shop's tables and River's, and seeds the demo catalogue.
func (a *app) migrate(ctx context.Context) error {
	if err := a.jobs.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate jobs: %w", err)
	}
	return migrate(ctx, a.db.Writer(), a.postgres)
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}
