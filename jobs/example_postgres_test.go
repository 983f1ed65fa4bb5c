package jobs_test

import (
	"context"
	"net/http"
	"os"
	"time"

	"github.com/buttress-go/buttress/jobs"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/rs/zerolog"
)

// ExampleNew wires jobs on PostgreSQL: one pgx pool for the app's sqlx queries and River, a
// per-kind policy, a periodic job, the dashboard behind auth, and a graceful shutdown. (Not run:
// it needs a database.)
func ExampleNew() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		panic(err)
	}
	defer pool.Close()

	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[ReceiptArgs]) error {
		zerolog.Ctx(ctx).Info().Int("order", job.Args.OrderID).Msg("sending receipt") // carries job_id, request_id...
		return nil
	}))
	logger := zerolog.New(os.Stdout)
	client, err := jobs.New(pool, &jobs.Config{
		Workers: workers,
		Logger:  &logger,
		Kinds: map[string]jobs.KindPolicy{
			"receipt": {
				Retry:     jobs.RetryPolicy{Base: time.Second, Max: time.Hour, Jitter: 0.2},
				Expiry:    24 * time.Hour,
				RateLimit: &jobs.RateLimit{Limit: 100, Per: time.Second, Global: true},
			},
		},
		Periodic: []jobs.Periodic{{
			Cron:      "0 3 * * *",
			Construct: func() (river.JobArgs, *river.InsertOpts) { return ReceiptArgs{}, nil },
		}},
	})
	if err != nil {
		panic(err)
	}
	if err := client.Migrate(ctx); err != nil {
		panic(err)
	}
	if err := client.Start(ctx); err != nil {
		panic(err)
	}

	adminOnly := func(next http.Handler) http.Handler { return next } // use your real auth here
	dash, err := client.Dashboard(ctx, "/admin/jobs", adminOnly)
	if err != nil {
		panic(err)
	}
	http.Handle("/admin/jobs/", dash)

	// In a request handler: the job commits with the order, or not at all.
	tx, _ := client.DB().BeginTxx(ctx, nil)
	_, _ = client.EnqueueTx(ctx, tx, ReceiptArgs{OrderID: 42}, nil)
	_ = tx.Commit()

	sctx, cancel := context.WithTimeout(ctx, 25*time.Second) // soft stop, then cancel jobs
	defer cancel()
	_ = client.Shutdown(sctx)
}
