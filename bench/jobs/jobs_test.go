package jobs

import (
	"context"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/buttress-go/buttress/internal/testenv"
	"github.com/buttress-go/buttress/jobs"
)

type noopArgs struct {
	N int `json:"n"`
}

func (noopArgs) Kind() string { return "noop" }

// contender is one way of running the same worker.
type contender struct {
	enqueueCommit func(ctx context.Context, args noopArgs) error // insert in a tx and commit
	insertMany    func(ctx context.Context, params []river.InsertManyParams) error
	start         func(ctx context.Context) error
	stop          func(ctx context.Context) error
}

func setupPool(b *testing.B) (*pgxpool.Pool, string) {
	b.Helper()
	if os.Getenv(testenv.EnvPrimary) == "" {
		b.Skip("BUTTRESS_PG_PRIMARY unset: run `make services` and load .services/env")
	}
	s := testenv.NewSchema(b)
	pool, err := pgxpool.New(context.Background(), s.PrimaryDSN)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return pool, s.Name
}

// newButtress builds a jobs client with its defaults (plus the schema).
func newButtress(b *testing.B, work func(context.Context, *river.Job[noopArgs]) error) *contender {
	pool, schema := setupPool(b)
	w := river.NewWorkers()
	river.AddWorker(w, river.WorkFunc(work))
	c, err := jobs.New(pool, &jobs.Config{Workers: w, Schema: schema, StatsInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return &contender{
		enqueueCommit: func(ctx context.Context, a noopArgs) error {
			tx, err := c.DB().BeginTxx(ctx, nil)
			if err != nil {
				return err
			}
			if _, err := c.EnqueueTx(ctx, tx, a, nil); err != nil {
				_ = tx.Rollback()
				return err
			}
			return tx.Commit()
		},
		insertMany: func(ctx context.Context, p []river.InsertManyParams) error {
			_, err := c.EnqueueMany(ctx, p)
			return err
		},
		start: c.Start,
		stop:  c.Shutdown,
	}
}

// newRiver builds a raw River client on the same driver, with the queue settings jobs uses.
func newRiver(b *testing.B, work func(context.Context, *river.Job[noopArgs]) error) *contender {
	pool, schema := setupPool(b)
	db := stdlib.OpenDBFromPool(pool)
	driver := riverdatabasesql.NewWithPgxListener(db, pool)
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Schema: schema})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := m.Migrate(context.Background(), rivermigrate.DirectionUp, nil); err != nil {
		b.Fatal(err)
	}
	w := river.NewWorkers()
	river.AddWorker(w, river.WorkFunc(work))
	c, err := river.NewClient(driver, &river.Config{
		Workers:       w,
		Queues:        map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: jobs.DefaultMaxWorkers}},
		Schema:        schema,
		FetchCooldown: jobs.DefaultFetchCooldown,
	})
	if err != nil {
		b.Fatal(err)
	}
	return &contender{
		enqueueCommit: func(ctx context.Context, a noopArgs) error {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			if _, err := c.InsertTx(ctx, tx, a, nil); err != nil {
				_ = tx.Rollback()
				return err
			}
			return tx.Commit()
		},
		insertMany: func(ctx context.Context, p []river.InsertManyParams) error {
			_, err := c.InsertMany(ctx, p)
			return err
		},
		start: c.Start,
		stop:  c.Stop,
	}
}

var contenders = []struct {
	name string
	make func(*testing.B, func(context.Context, *river.Job[noopArgs]) error) *contender
}{{"buttress", newButtress}, {"river", newRiver}}

// BenchmarkJobsPerSec works b.N no-op jobs inserted beforehand and reports jobs/s from Start
// until the last one has run.
func BenchmarkJobsPerSec(b *testing.B) {
	for _, ct := range contenders {
		b.Run(ct.name, func(b *testing.B) {
			ctx := context.Background()
			var done atomic.Int64
			all := make(chan struct{})
			n := int64(b.N)
			c := ct.make(b, func(ctx context.Context, job *river.Job[noopArgs]) error {
				if job.Args.N < 0 {
					return nil // warm-up
				}
				if done.Add(1) == n {
					close(all)
				}
				return nil
			})
			if err := c.start(ctx); err != nil {
				b.Fatal(err)
			}
			warmUp(b, c, &done, n)
			b.ReportAllocs()
			b.ResetTimer()
			began := time.Now()
			for i := 0; i < b.N; i += 1000 {
				batch := make([]river.InsertManyParams, min(1000, b.N-i))
				for j := range batch {
					batch[j] = river.InsertManyParams{Args: noopArgs{N: i + j}}
				}
				if err := c.insertMany(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			select {
			case <-all:
			case <-time.After(2 * time.Minute):
				b.Fatalf("only %d of %d jobs ran", done.Load(), b.N)
			}
			took := time.Since(began)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/took.Seconds(), "jobs/s")
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_ = c.stop(sctx)
		})
	}
}

// BenchmarkCommitToStart inserts one job per iteration in a transaction, commits, and waits for
// the worker to start it; it reports the p50 and p95 of commit → Work latency.
func BenchmarkCommitToStart(b *testing.B) {
	for _, ct := range contenders {
		b.Run(ct.name, func(b *testing.B) {
			ctx := context.Background()
			started := make(chan time.Time, 1)
			c := ct.make(b, func(ctx context.Context, job *river.Job[noopArgs]) error {
				started <- time.Now()
				return nil
			})
			if err := c.start(ctx); err != nil {
				b.Fatal(err)
			}
			if err := c.enqueueCommit(ctx, noopArgs{N: -1}); err != nil {
				b.Fatal(err)
			}
			<-started // warm-up: the client is running and has fetched once
			defer func() {
				sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				_ = c.stop(sctx)
			}()
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := c.enqueueCommit(ctx, noopArgs{N: i}); err != nil {
					b.Fatal(err)
				}
				committed := time.Now()
				select {
				case at := <-started:
					lat = append(lat, at.Sub(committed))
				case <-time.After(10 * time.Second):
					b.Fatal("job never started")
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
			if os.Getenv("JOBS_BENCH_VERBOSE") != "" {
				b.Logf("n=%d p80=%v p90=%v p99=%v max=%v", len(lat), lat[len(lat)*80/100], lat[len(lat)*90/100], lat[len(lat)*99/100], lat[len(lat)-1])
			}
		})
	}
}

// warmUp runs one job so that the client is up (elected, listening, fetching) before timing.
func warmUp(b *testing.B, c *contender, done *atomic.Int64, n int64) {
	b.Helper()
	before := done.Load()
	if err := c.enqueueCommit(context.Background(), noopArgs{N: -1}); err != nil {
		b.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if done.Load() != before {
		b.Fatal("warm-up counted as a job")
	}
}
