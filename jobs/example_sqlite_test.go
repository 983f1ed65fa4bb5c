package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/buttress-go/buttress/jobs"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"
)

type ReceiptArgs struct {
	OrderID int `json:"order_id"`
}

func (ReceiptArgs) Kind() string { return "receipt" }

// ExampleNewSQLite runs the whole journey on SQLite, the zero-infrastructure default: the job is
// enqueued in the same transaction as the order, worked with the request's ID on its context,
// and its output awaited.
func ExampleNewSQLite() {
	ctx := context.Background()
	db, err := jobs.OpenSQLite(":memory:")
	if err != nil {
		panic(err)
	}
	defer db.Close()

	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[ReceiptArgs]) error {
		fmt.Printf("sending receipt for order %d (request %s)\n", job.Args.OrderID, jobs.RequestID(ctx))
		return river.RecordOutput(ctx, map[string]string{"status": "sent"})
	}))
	client, err := jobs.NewSQLite(db, &jobs.Config{Workers: workers, FetchPollInterval: 50 * time.Millisecond})
	if err != nil {
		panic(err)
	}
	if err := client.Migrate(ctx); err != nil {
		panic(err)
	}
	if err := client.Start(ctx); err != nil {
		panic(err)
	}
	defer client.Shutdown(ctx)

	rctx := jobs.WithRequestID(ctx, "req-1")
	tx, _ := client.DB().BeginTxx(rctx, nil)
	_, _ = tx.ExecContext(rctx, `CREATE TABLE orders (id integer)`)
	_, _ = tx.ExecContext(rctx, `INSERT INTO orders VALUES (42)`)
	res, err := client.EnqueueTx(rctx, tx, ReceiptArgs{OrderID: 42}, nil)
	if err != nil {
		panic(err)
	}
	if err := tx.Commit(); err != nil { // the job exists only if the order does
		panic(err)
	}

	actx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := client.Await(actx, res.Job.ID)
	fmt.Println(string(out), err)
	// Output:
	// sending receipt for order 42 (request req-1)
	// {"status":"sent"} <nil>
}

// ExamplePermanent shows an error that is not worth retrying: the job is cancelled after its
// first attempt even though it had five.
func ExamplePermanent() {
	ctx := context.Background()
	db, _ := jobs.OpenSQLite(":memory:")
	defer db.Close()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[ReceiptArgs]) error {
		return jobs.Permanent(errors.New("order does not exist"))
	}))
	client, _ := jobs.NewSQLite(db, &jobs.Config{Workers: workers, FetchPollInterval: 50 * time.Millisecond})
	_ = client.Migrate(ctx)
	_ = client.Start(ctx)
	defer client.Shutdown(ctx)

	res, _ := client.Enqueue(ctx, ReceiptArgs{OrderID: 7}, &river.InsertOpts{MaxAttempts: 5})
	actx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := client.Await(actx, res.Job.ID)
	fmt.Println(errors.Is(err, jobs.ErrJobFailed))
	job, _ := client.River().JobGet(ctx, res.Job.ID)
	fmt.Println(job.State, job.Attempt)
	// Output:
	// true
	// cancelled 1
}

// ExampleClient_EnqueueChain runs three steps in order; each next step is released in the
// transaction that completes the previous one.
func ExampleClient_EnqueueChain() {
	ctx := context.Background()
	db, _ := jobs.OpenSQLite(":memory:")
	defer db.Close()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[ReceiptArgs]) error {
		fmt.Println("step", job.Args.OrderID)
		return nil
	}))
	client, _ := jobs.NewSQLite(db, &jobs.Config{Workers: workers, FetchPollInterval: 20 * time.Millisecond})
	_ = client.Migrate(ctx)
	_ = client.Start(ctx)
	defer client.Shutdown(ctx)

	rows, err := client.EnqueueChain(ctx,
		jobs.Step{Args: ReceiptArgs{OrderID: 1}},
		jobs.Step{Args: ReceiptArgs{OrderID: 2}},
		jobs.Step{Args: ReceiptArgs{OrderID: 3}})
	if err != nil {
		panic(err)
	}
	actx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err = client.Await(actx, rows[2].ID)
	fmt.Println(err)
	// Output:
	// step 1
	// step 2
	// step 3
	// <nil>
}

// ExampleExpireAt cancels a job that no worker started before its deadline.
func ExampleExpireAt() {
	ctx := context.Background()
	db, _ := jobs.OpenSQLite(":memory:")
	defer db.Close()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[ReceiptArgs]) error {
		fmt.Println("too late to run")
		return nil
	}))
	client, _ := jobs.NewSQLite(db, &jobs.Config{Workers: workers, FetchPollInterval: 20 * time.Millisecond})
	_ = client.Migrate(ctx)

	res, _ := client.Enqueue(ctx, ReceiptArgs{OrderID: 9}, jobs.ExpireAt(nil, time.Now().Add(-time.Second)))
	_ = client.Start(ctx)
	defer client.Shutdown(ctx)
	actx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := client.Await(actx, res.Job.ID)
	fmt.Println(errors.Is(err, jobs.ErrJobFailed))
	job, _ := client.River().JobGet(ctx, res.Job.ID)
	fmt.Println(job.State == rivertype.JobStateCancelled)
	// Output:
	// true
	// true
}

// ExampleParseCron shows the six-field form (with seconds) and a descriptor.
func ExampleParseCron() {
	at := time.Date(2026, 11, 24, 10, 17, 30, 0, time.UTC)
	for _, expr := range []string{"0 9 * * mon-fri", "*/15 * * * * *", "@hourly"} {
		s, err := jobs.ParseCron(expr)
		if err != nil {
			panic(err)
		}
		fmt.Println(expr, "->", s.Next(at).Format(time.DateTime))
	}
	_, err := jobs.ParseCron("0 25 * * *")
	fmt.Println(err)
	// Output:
	// 0 9 * * mon-fri -> 2026-11-25 09:00:00
	// */15 * * * * * -> 2026-11-24 10:17:45
	// @hourly -> 2026-11-24 11:00:00
	// jobs: invalid cron expression "0 25 * * *": hour "25" must be a number from 0 to 23
}

// ExampleClient_Stats reads the counters the middleware keeps.
func ExampleClient_Stats() {
	ctx := context.Background()
	db, _ := jobs.OpenSQLite(":memory:")
	defer db.Close()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[ReceiptArgs]) error { return nil }))
	logger := zerolog.New(os.Stderr).Level(zerolog.WarnLevel)
	client, _ := jobs.NewSQLite(db, &jobs.Config{Workers: workers, Logger: &logger, FetchPollInterval: 20 * time.Millisecond})
	_ = client.Migrate(ctx)
	_ = client.Start(ctx)
	defer client.Shutdown(ctx)
	res, _ := client.Enqueue(ctx, ReceiptArgs{OrderID: 1}, nil)
	actx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, _ = client.Await(actx, res.Job.ID)
	for _, s := range client.Stats().Jobs {
		fmt.Println(s.Kind, s.Queue, s.Outcome, s.Count)
	}
	// Output:
	// receipt default completed 1
}
