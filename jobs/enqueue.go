package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"

	"github.com/jmoiron/sqlx"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertype"
)

// Enqueue inserts one job outside any application transaction.
func (c *Client) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	opts, err := c.prepare(args, opts)
	if err != nil {
		return nil, err
	}
	res, err := c.river.Insert(ctx, args, opts)
	return res, classify(args.Kind(), err)
}

// EnqueueTx inserts one job inside tx: it exists only if tx commits. tx must come from
// [Client.DB] (or another *sqlx.DB on the same database).
func (c *Client) EnqueueTx(ctx context.Context, tx *sqlx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	if tx == nil {
		return nil, fmt.Errorf("%w: tx must not be nil", ErrInvalidOpts)
	}
	opts, err := c.prepare(args, opts)
	if err != nil {
		return nil, err
	}
	res, err := c.river.InsertTx(ctx, tx.Tx, args, opts)
	return res, classify(args.Kind(), err)
}

// EnqueueMany inserts jobs in one batch: all of them or, on any invalid entry, none.
func (c *Client) EnqueueMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	params, kind, err := c.prepareMany(params)
	if err != nil {
		return nil, err
	}
	res, err := c.river.InsertMany(ctx, params)
	return res, classify(kind, err)
}

// EnqueueManyTx inserts jobs in one batch inside tx: all of them or, on any invalid entry, none.
func (c *Client) EnqueueManyTx(ctx context.Context, tx *sqlx.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	if tx == nil {
		return nil, fmt.Errorf("%w: tx must not be nil", ErrInvalidOpts)
	}
	params, kind, err := c.prepareMany(params)
	if err != nil {
		return nil, err
	}
	res, err := c.river.InsertManyTx(ctx, tx.Tx, params)
	return res, classify(kind, err)
}

// CompleteTx marks a running job completed inside tx, so the job's effects and its completion
// commit together (River's JobCompleteTx). Call it from a worker with the worker's ctx; after the
// commit, return nil from Work.
func CompleteTx[T river.JobArgs](ctx context.Context, tx *sqlx.Tx, job *river.Job[T]) (*river.Job[T], error) {
	if tx == nil {
		return nil, fmt.Errorf("%w: tx must not be nil", ErrInvalidOpts)
	}
	// The driver type parameter only constrains TTx (*sql.Tx); the client (Postgres or SQLite)
	// is taken from ctx.
	return river.JobCompleteTx[*riverdatabasesql.Driver, *sql.Tx](ctx, tx.Tx, job)
}

func (c *Client) prepareMany(params []river.InsertManyParams) ([]river.InsertManyParams, string, error) {
	if len(params) == 0 {
		return nil, "", fmt.Errorf("%w: no jobs given", ErrInvalidOpts)
	}
	out := make([]river.InsertManyParams, len(params))
	for i, p := range params {
		if p.Args == nil {
			return nil, "", fmt.Errorf("%w: params[%d].Args is nil", ErrInvalidArgs, i)
		}
		opts, err := c.prepare(p.Args, p.InsertOpts)
		if err != nil {
			return nil, "", fmt.Errorf("params[%d]: %w", i, err)
		}
		out[i] = river.InsertManyParams{Args: p.Args, InsertOpts: opts}
	}
	return out, "", nil
}

// prepare validates the options River would otherwise reject without naming the value, and
// applies the kind's MaxAttempts.
func (c *Client) prepare(args river.JobArgs, opts *river.InsertOpts) (*river.InsertOpts, error) {
	if args == nil {
		return nil, fmt.Errorf("%w: args is nil", ErrInvalidArgs)
	}
	kind := args.Kind()
	var argOpts river.InsertOpts
	if wo, ok := args.(river.JobArgsWithInsertOpts); ok {
		argOpts = wo.InsertOpts()
	}
	var o river.InsertOpts
	if opts != nil {
		o = *opts
	}
	if q := o.Queue; q != "" {
		if err := validQueueName(q); err != nil {
			return nil, wrapOpts(kind, "%v", err)
		}
	} else if q := argOpts.Queue; q != "" {
		if err := validQueueName(q); err != nil {
			return nil, wrapOpts(kind, "InsertOpts() of the args: %v", err)
		}
	}
	for _, p := range []int{o.Priority, argOpts.Priority} {
		if p != 0 && (p < 1 || p > 4) {
			return nil, wrapOpts(kind, "priority %d is out of range: want 1 (highest) to 4", p)
		}
	}
	for _, tags := range [][]string{o.Tags, argOpts.Tags} {
		for _, t := range tags {
			if len(t) > 255 || !tagPattern.MatchString(t) {
				return nil, wrapOpts(kind, "tag %q: want 3 to 255 letters, digits, _ or - (not at either end)", t)
			}
		}
	}
	if o.MaxAttempts < 0 {
		return nil, wrapOpts(kind, "MaxAttempts %d must be >= 0", o.MaxAttempts)
	}
	if o.MaxAttempts == 0 && argOpts.MaxAttempts == 0 {
		if n := c.cfg.Kinds[kind].MaxAttempts; n > 0 {
			o.MaxAttempts = n
		}
	}
	return &o, nil
}

// tagPattern is River's rule for job tags (river's unexported tagRE), checked here so that the
// error names the tag.
var tagPattern = regexp.MustCompile(`\A[\w][\w\-]+[\w]\z`)

func wrapOpts(kind, format string, args ...any) error {
	return fmt.Errorf("%w: kind %q: %s", ErrInvalidOpts, kind, fmt.Sprintf(format, args...))
}

// classify maps River's insert errors to this package's sentinels, naming the value.
func classify(kind string, err error) error {
	if err == nil {
		return nil
	}
	var unknown *river.UnknownJobKindError
	if errors.As(err, &unknown) {
		return fmt.Errorf("%w: kind %q (register it with river.AddWorker before New)", ErrUnknownKind, unknown.Kind)
	}
	var (
		jsonType  *json.UnsupportedTypeError
		jsonValue *json.UnsupportedValueError
		jsonMarsh *json.MarshalerError
	)
	if errors.As(err, &jsonType) || errors.As(err, &jsonValue) || errors.As(err, &jsonMarsh) {
		if kind == "" {
			return fmt.Errorf("%w: %v", ErrInvalidArgs, err)
		}
		return fmt.Errorf("%w: kind %q: %v", ErrInvalidArgs, kind, err)
	}
	if errors.Is(err, ErrInvalidOpts) || errors.Is(err, ErrInvalidArgs) {
		return err
	}
	if kind == "" {
		return fmt.Errorf("jobs: insert: %w", err)
	}
	return fmt.Errorf("jobs: insert kind %q: %w", kind, err)
}
