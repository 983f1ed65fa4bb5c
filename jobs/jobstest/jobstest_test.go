package jobstest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/buttress-go/buttress/internal/testenv"
	"github.com/buttress-go/buttress/jobs"
	"github.com/buttress-go/buttress/jobs/jobstest"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertest"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

type receiptArgs struct {
	OrderID int `json:"order_id"`
}

func (receiptArgs) Kind() string { return "receipt" }

type receiptWorker struct {
	river.WorkerDefaults[receiptArgs]
	sawRequestID string
	sawJobID     any // the job_id field the jobs middleware puts on the worker's logger
	calls        int
}

func (w *receiptWorker) Work(ctx context.Context, job *river.Job[receiptArgs]) error {
	w.calls++
	w.sawRequestID = jobs.RequestID(ctx)
	var buf bytes.Buffer
	l := zerolog.Ctx(ctx).Output(&buf)
	l.Info().Msg("")
	var line map[string]any
	if json.Unmarshal(buf.Bytes(), &line) == nil {
		w.sawJobID = line["job_id"]
	}
	if job.Args.OrderID < 0 {
		return jobs.Permanent(errors.New("no such order"))
	}
	return nil
}

func TestHelpers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, schema := jobstest.NewSchema(t, testenv.PrimaryDSN(t))
	workers := river.NewWorkers()
	river.AddWorker(workers, &receiptWorker{})
	logger := zerolog.New(io.Discard)
	c := jobstest.NewClient(t, pool, schema, &jobs.Config{Workers: workers, Logger: &logger})

	jobstest.RequireNotEnqueued(t, c, receiptArgs{}, nil)
	res, err := c.Enqueue(ctx, receiptArgs{OrderID: 42}, &river.InsertOpts{Queue: "default", Priority: 2})
	require.NoError(t, err)
	job := jobstest.RequireEnqueued(t, c, receiptArgs{}, &rivertest.RequireInsertedOpts{Priority: 2})
	require.Equal(t, 42, job.Args.OrderID)
	require.Equal(t, rivertype.JobStateAvailable, jobstest.State(t, c, res.Job.ID))

	// Inline work, through the jobs middleware.
	w := &receiptWorker{}
	out, err := jobstest.Work(jobs.WithRequestID(ctx, "req-inline"), t, c, w, receiptArgs{OrderID: 1}, nil)
	require.NoError(t, err)
	require.Equal(t, rivertype.JobStateCompleted, out.Job.State)
	require.Equal(t, "req-inline", w.sawRequestID)
	require.Equal(t, float64(out.Job.ID), w.sawJobID, "the worker's logger comes from the jobs middleware")

	// Expiry is the middleware's: an expired job is cancelled without running.
	calls := w.calls
	out, err = jobstest.Work(ctx, t, c, w, receiptArgs{OrderID: 2}, jobs.ExpireAt(nil, time.Now().Add(-time.Minute)))
	require.NoError(t, err)
	require.Equal(t, rivertype.JobStateCancelled, out.Job.State)
	require.Equal(t, calls, w.calls, "an expired job does not run")

	out, err = jobstest.Work(ctx, t, c, w, receiptArgs{OrderID: -1}, nil)
	require.NoError(t, err)
	require.Equal(t, rivertype.JobStateCancelled, out.Job.State)
	require.Equal(t, 1, out.Job.Attempt)

	// The inline work rolled back: only the enqueued job is there.
	jobstest.RequireEnqueued(t, c, receiptArgs{}, nil)
}
