package jobs

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Step is one job of a chain.
type Step struct {
	Args river.JobArgs
	// Opts are the step's insert options (nil allowed). Pending and UniqueOpts are ignored.
	Opts *river.InsertOpts
}

// EnqueueChain inserts steps as a chain in its own transaction: the first step is available at
// once, each next step waits (River's pending state) until the previous one completes, and is
// released in the same transaction that records the completion, so a crash can neither lose nor
// duplicate a hand-off. If a step is cancelled, expires, or is discarded (its last attempt
// failed, panicked or timed out), the steps after it are cancelled.
// It returns the inserted jobs in step order.
func (c *Client) EnqueueChain(ctx context.Context, steps ...Step) ([]*rivertype.JobRow, error) {
	tx, err := c.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("jobs: enqueue chain: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	rows, err := c.EnqueueChainTx(ctx, tx, steps...)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("jobs: enqueue chain: commit: %w", err)
	}
	return rows, nil
}

// EnqueueChainTx is EnqueueChain inside tx. On error nothing of the chain stays in tx (a
// savepoint is rolled back), so tx may still commit its other work.
func (c *Client) EnqueueChainTx(ctx context.Context, tx *sqlx.Tx, steps ...Step) ([]*rivertype.JobRow, error) {
	if tx == nil {
		return nil, fmt.Errorf("%w: tx must not be nil", ErrInvalidOpts)
	}
	if len(steps) == 0 {
		return nil, fmt.Errorf("%w: a chain needs at least one step", ErrInvalidOpts)
	}
	prepared := make([]*river.InsertOpts, len(steps))
	for i, s := range steps {
		o, err := c.prepare(s.Args, s.Opts)
		if err != nil {
			return nil, fmt.Errorf("chain step %d: %w", i, err)
		}
		o.UniqueOpts = river.UniqueOpts{}
		o.Pending = i > 0
		prepared[i] = o
	}
	if _, err := tx.ExecContext(ctx, `SAVEPOINT buttress_chain`); err != nil {
		return nil, fmt.Errorf("jobs: enqueue chain: %w", err)
	}
	rows := make([]*rivertype.JobRow, len(steps))
	var next []int64 // IDs of the steps after the one being inserted
	for i := len(steps) - 1; i >= 0; i-- {
		o := prepared[i]
		if len(next) > 0 {
			ids := append([]int64(nil), next...)
			md, err := updateMeta(o.Metadata, func(m *jobMeta) { m.Next = ids })
			if err != nil {
				_, _ = tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT buttress_chain`)
				return nil, fmt.Errorf("chain step %d: %w", i, wrapOpts(steps[i].Args.Kind(), "metadata is not a JSON object: %v", err))
			}
			o.Metadata = md
		}
		res, err := c.river.InsertTx(ctx, tx.Tx, steps[i].Args, o)
		if err != nil {
			_, _ = tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT buttress_chain`)
			return nil, fmt.Errorf("chain step %d: %w", i, classify(steps[i].Args.Kind(), err))
		}
		rows[i] = res.Job
		next = append([]int64{res.Job.ID}, next...)
	}
	if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT buttress_chain`); err != nil {
		return nil, fmt.Errorf("jobs: enqueue chain: %w", err)
	}
	return rows, nil
}

// rawArgs lets the chain hand-off complete a job whose args type it does not know.
type rawArgs struct {
	kind string
	raw  []byte
}

func (a rawArgs) Kind() string                  { return a.kind }
func (a rawArgs) MarshalJSON() ([]byte, error)  { return a.raw, nil }
func (a *rawArgs) UnmarshalJSON(b []byte) error { a.raw = append(a.raw[:0], b...); return nil }

// handOff completes job and releases the next chain step in one transaction.
func (c *Client) handOff(ctx context.Context, job *rivertype.JobRow, next []int64) error {
	tx, err := c.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("jobs: chain hand-off: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := c.river.JobRetryTx(ctx, tx.Tx, next[0]); err != nil {
		return fmt.Errorf("jobs: chain hand-off: release job %d: %w", next[0], err)
	}
	if _, err := CompleteTx(ctx, tx, &river.Job[rawArgs]{JobRow: job, Args: rawArgs{kind: job.Kind}}); err != nil {
		return fmt.Errorf("jobs: chain hand-off: complete job %d: %w", job.ID, err)
	}
	if c.beforeChainCommit != nil {
		if err := c.beforeChainCommit(ctx, tx, job); err != nil {
			return fmt.Errorf("jobs: chain hand-off: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("jobs: chain hand-off: commit: %w", err)
	}
	return nil
}

// cancelRest cancels the pending steps after a chain step that will never complete.
func (c *Client) cancelRest(ctx context.Context, next []int64) {
	ctx = context.WithoutCancel(ctx)
	for _, id := range next {
		if _, err := c.river.JobCancel(ctx, id); err != nil {
			c.log.Warn().Err(err).Int64("job_id", id).Msg("jobs: cancel rest of chain")
		}
	}
}
