package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// Await waits until job id is finalized and returns the output it recorded with
// river.RecordOutput (nil if none). A job that ends cancelled or discarded returns an error
// wrapping ErrJobFailed with its last error; ctx ending returns ctx's error. Await polls (from
// 5ms, backing off to 250ms): it is for the rare caller that must wait, not for fan-in.
func (c *Client) Await(ctx context.Context, id int64) (json.RawMessage, error) {
	delay := 5 * time.Millisecond
	for {
		job, err := c.river.JobGet(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("jobs: await job %d: %w", id, err)
		}
		switch job.State {
		case rivertype.JobStateCompleted:
			return job.Output(), nil
		case rivertype.JobStateCancelled, rivertype.JobStateDiscarded:
			last := ""
			if n := len(job.Errors); n > 0 {
				last = job.Errors[n-1].Error
			}
			return job.Output(), fmt.Errorf("%w: job %d (%s) %s after %d attempt(s): %s", ErrJobFailed, id, job.Kind, job.State, job.Attempt, last)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("jobs: await job %d: %w", id, ctx.Err())
		case <-t.C:
		}
		delay = min(delay*2, 250*time.Millisecond)
	}
}

// AwaitAs is Await decoding the recorded output into T.
func AwaitAs[T any](ctx context.Context, c *Client, id int64) (T, error) {
	var out T
	raw, err := c.Await(ctx, id)
	if err != nil {
		return out, err
	}
	if len(raw) == 0 {
		return out, fmt.Errorf("jobs: await job %d: no output recorded", id)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return out, fmt.Errorf("jobs: await job %d: decode output: %w", id, err)
	}
	return out, nil
}
