package jobstest_test

import (
	"context"
	"os"
	"testing"

	"github.com/buttress-go/buttress/jobs"
	"github.com/buttress-go/buttress/jobs/jobstest"
	"github.com/riverqueue/river"
)

type welcomeArgs struct {
	UserID int `json:"user_id"`
}

func (welcomeArgs) Kind() string { return "welcome" }

// signUp stands for application code that enqueues a job.
func signUp(ctx context.Context, c *jobs.Client, userID int) error {
	_, err := c.Enqueue(ctx, welcomeArgs{UserID: userID}, nil)
	return err
}

// ExampleRequireEnqueued is the shape of a test of code that enqueues: a schema of its own, a
// client on it, the code under test, an assertion. (Not run: it needs a database.)
func ExampleRequireEnqueued() {
	t := &testing.T{} // in a real test, the *testing.T you are given
	ctx := context.Background()
	pool, schema := jobstest.NewSchema(t, os.Getenv("DATABASE_URL"))
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[welcomeArgs]) error { return nil }))
	client := jobstest.NewClient(t, pool, schema, &jobs.Config{Workers: workers})

	if err := signUp(ctx, client, 7); err != nil {
		t.Fatal(err)
	}
	job := jobstest.RequireEnqueued(t, client, welcomeArgs{}, nil)
	_ = job.Args.UserID // 7
}
