package dbrouter

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
)

// Tx is a transaction begun through a [Router]: a real *sqlx.Tx pinned to one node, with the
// router's accounting (query counter, slow-query hook). Read-write transactions run on the
// primary; read-only ones may run on a replica that satisfies the session. Commit advances the
// session past the transaction's writes.
type Tx struct {
	r        *Router
	n        *node
	tx       *sqlx.Tx
	sc       *scope // the session and counter of the ctx the tx was begun with
	readOnly bool
}

// BeginTxx begins a transaction. With opts.ReadOnly it goes where a read with this ctx would go
// (a fresh-enough replica, else the primary); otherwise to the primary (reason "tx"). A replica
// that fails to begin with a connection error is ejected and the primary is used instead.
func (r *Router) BeginTxx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	sc := scopeFrom(ctx)
	if err := r.checkShard(sc); err != nil {
		return nil, err
	}
	readOnly := opts != nil && opts.ReadOnly
	n, reason := r.primary, ReasonTx
	if readOnly {
		n, reason = r.pickRead(ctx, sc)
	}
	r.decided(ctx, n, reason)
	tx, err := n.db.BeginTxx(ctx, opts)
	if err != nil && n.replica && IsConnError(err) && ctx.Err() == nil {
		r.ejectNode(n, err)
		r.retries.Add(1)
		n = r.retryNode(sc)
		r.decided(ctx, n, ReasonRetry)
		tx, err = n.db.BeginTxx(ctx, opts)
	}
	if err != nil {
		if isReadOnlyError(err) && !n.replica {
			r.demoted.Store(true)
			return nil, &DemotedError{Node: n.name, Err: err}
		}
		return nil, err
	}
	if !readOnly {
		r.writes.Add(1)
	}
	return &Tx{r: r, n: n, tx: tx, sc: sc, readOnly: readOnly}, nil
}

// Tx returns the underlying *sqlx.Tx.
func (t *Tx) Tx() *sqlx.Tx { return t.tx }

// Node returns the name of the node the transaction runs on.
func (t *Tx) Node() string { return t.n.name }

// Commit commits and, for a read-write transaction whose ctx carried a session, records the
// primary's WAL position in it.
func (t *Tx) Commit() error {
	err := t.tx.Commit()
	if isReadOnlyError(err) && !t.n.replica {
		t.r.demoted.Store(true)
		return &DemotedError{Node: t.n.name, Err: err}
	}
	if err == nil && !t.readOnly {
		t.r.recordWrite(context.Background(), t.sc)
	}
	return err
}

// Rollback aborts the transaction.
func (t *Tx) Rollback() error { return t.tx.Rollback() }

func (t *Tx) do(ctx context.Context, query string, fn func() error) error {
	err := t.r.run(ctx, t.sc, t.n, query, func(*sqlx.DB) error { return fn() })
	if isReadOnlyError(err) && !t.n.replica {
		t.r.demoted.Store(true)
		return &DemotedError{Node: t.n.name, Err: err}
	}
	return err
}

// GetContext runs a single-row query in the transaction.
func (t *Tx) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	return t.do(ctx, query, func() error { return t.tx.GetContext(ctx, dest, query, args...) })
}

// SelectContext runs a query into a slice in the transaction.
func (t *Tx) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	return t.do(ctx, query, func() error { return t.tx.SelectContext(ctx, dest, query, args...) })
}

// QueryxContext runs a query in the transaction.
func (t *Tx) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	var rows *sqlx.Rows
	err := t.do(ctx, query, func() (err error) { rows, err = t.tx.QueryxContext(ctx, query, args...); return err })
	return rows, err
}

// QueryRowxContext runs a single-row query in the transaction.
func (t *Tx) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	var row *sqlx.Row
	_ = t.do(ctx, query, func() error { row = t.tx.QueryRowxContext(ctx, query, args...); return row.Err() })
	return row
}

// ExecContext runs a statement in the transaction.
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := t.do(ctx, query, func() (err error) { res, err = t.tx.ExecContext(ctx, query, args...); return err })
	return res, err
}

// NamedExecContext runs a named statement in the transaction.
func (t *Tx) NamedExecContext(ctx context.Context, query string, arg any) (sql.Result, error) {
	var res sql.Result
	err := t.do(ctx, query, func() (err error) { res, err = t.tx.NamedExecContext(ctx, query, arg); return err })
	return res, err
}

// NamedQueryContext runs a named query in the transaction.
func (t *Tx) NamedQueryContext(ctx context.Context, query string, arg any) (*sqlx.Rows, error) {
	var rows *sqlx.Rows
	err := t.do(ctx, query, func() (err error) { rows, err = sqlx.NamedQueryContext(ctx, t.tx, query, arg); return err })
	return rows, err
}

// PreparexContext prepares a statement in the transaction.
func (t *Tx) PreparexContext(ctx context.Context, query string) (*sqlx.Stmt, error) {
	var st *sqlx.Stmt
	err := t.do(ctx, query, func() (err error) { st, err = t.tx.PreparexContext(ctx, query); return err })
	return st, err
}

// Rebind converts ? placeholders to the driver's bind type.
func (t *Tx) Rebind(query string) string { return t.tx.Rebind(query) }

// BindNamed binds a named query for the driver.
func (t *Tx) BindNamed(query string, arg any) (string, []any, error) {
	return t.tx.BindNamed(query, arg)
}

// DriverName is the driver's name.
func (t *Tx) DriverName() string { return t.tx.DriverName() }
