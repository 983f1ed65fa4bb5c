package jobs

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// DeadLetterQuery filters [Client.DeadLetters]. The zero value lists the 100 most recent.
type DeadLetterQuery struct {
	// Kinds restricts the listing to these kinds; empty means all.
	Kinds []string
	// Queues restricts the listing to these queues; empty means all.
	Queues []string
	// IncludeCancelled also lists cancelled jobs (Permanent errors, expired jobs).
	IncludeCancelled bool
	// Limit caps the result; 0 means 100, at most 10000.
	Limit int
}

// DeadLetters lists discarded jobs (those that used up their attempts), newest first, with their
// errors in JobRow.Errors.
func (c *Client) DeadLetters(ctx context.Context, q *DeadLetterQuery) ([]*rivertype.JobRow, error) {
	if q == nil {
		q = &DeadLetterQuery{}
	}
	limit := q.Limit
	if limit == 0 {
		limit = 100
	}
	if limit < 0 || limit > 10000 {
		return nil, fmt.Errorf("%w: DeadLetterQuery.Limit %d must be in 0..10000", ErrInvalidOpts, q.Limit)
	}
	states := []rivertype.JobState{rivertype.JobStateDiscarded}
	if q.IncludeCancelled {
		states = append(states, rivertype.JobStateCancelled)
	}
	p := river.NewJobListParams().States(states...).
		OrderBy(river.JobListOrderByFinalizedAt, river.SortOrderDesc).First(limit)
	if len(q.Kinds) > 0 {
		p = p.Kinds(q.Kinds...)
	}
	if len(q.Queues) > 0 {
		p = p.Queues(q.Queues...)
	}
	res, err := c.river.JobList(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("jobs: dead letters: %w", err)
	}
	return res.Jobs, nil
}

// Retry makes a finalized (discarded, cancelled, completed) or scheduled job available again now;
// a job that used up its attempts gets one more. It wraps River's JobRetry.
func (c *Client) Retry(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	job, err := c.river.JobRetry(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("jobs: retry job %d: %w", id, err)
	}
	return job, nil
}
