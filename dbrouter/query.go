package dbrouter

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
)

// Queryer is the sqlx query surface shared by [*Router], [*Tx] and *sqlx.DB itself, so
// application code can take a Queryer and run inside or outside a transaction, routed or not.
type Queryer interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
	QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error)
	QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	NamedExecContext(ctx context.Context, query string, arg any) (sql.Result, error)
	NamedQueryContext(ctx context.Context, query string, arg any) (*sqlx.Rows, error)
	PreparexContext(ctx context.Context, query string) (*sqlx.Stmt, error)
	Rebind(query string) string
	BindNamed(query string, arg any) (string, []any, error)
	DriverName() string
}

var (
	_ Queryer = (*Router)(nil)
	_ Queryer = (*Tx)(nil)
	_ Queryer = (*sqlx.DB)(nil)
)

// GetContext runs a single-row read (sqlx semantics: sql.ErrNoRows when there is none) on a
// replica, or on the primary when the SQL may write or no replica qualifies.
func (r *Router) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	return r.read(ctx, query, func(db *sqlx.DB) error { return db.GetContext(ctx, dest, query, args...) })
}

// SelectContext runs a read into a slice, routed like GetContext.
func (r *Router) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	return r.read(ctx, query, func(db *sqlx.DB) error { return db.SelectContext(ctx, dest, query, args...) })
}

// QueryxContext runs a read, routed like GetContext. Only the query itself is retried after a
// connection error; errors while iterating rows are the caller's. A write sent this way
// (INSERT ... RETURNING) goes to the primary and advances the ctx's Session when the call
// returns, before the rows are read: if its result may exceed the connection's buffers (the
// server commits only once it has sent every row), write in a transaction, whose Commit
// advances the Session after the commit.
func (r *Router) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	var rows *sqlx.Rows
	err := r.read(ctx, query, func(db *sqlx.DB) (err error) {
		rows, err = db.QueryxContext(ctx, query, args...)
		return err
	})
	return rows, err
}

// QueryRowxContext runs a single-row read, routed like GetContext.
func (r *Router) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	var row *sqlx.Row
	_ = r.read(ctx, query, func(db *sqlx.DB) error {
		row = db.QueryRowxContext(ctx, query, args...)
		return row.Err()
	})
	return row
}

// ExecContext runs a statement on the primary, never retried, and advances the ctx's session.
func (r *Router) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := r.write(ctx, query, func(db *sqlx.DB) (err error) {
		res, err = db.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// NamedExecContext runs a named statement on the primary, like ExecContext.
func (r *Router) NamedExecContext(ctx context.Context, query string, arg any) (sql.Result, error) {
	var res sql.Result
	err := r.write(ctx, query, func(db *sqlx.DB) (err error) {
		res, err = db.NamedExecContext(ctx, query, arg)
		return err
	})
	return res, err
}

// NamedQueryContext runs a named query, routed like QueryxContext.
func (r *Router) NamedQueryContext(ctx context.Context, query string, arg any) (*sqlx.Rows, error) {
	var rows *sqlx.Rows
	err := r.read(ctx, query, func(db *sqlx.DB) (err error) {
		rows, err = db.NamedQueryContext(ctx, query, arg)
		return err
	})
	return rows, err
}

// PreparexContext prepares on the node a query of this kind would use now: a replica for a read,
// the primary otherwise. Executions of the statement stay on that node and are not counted, and
// executing a prepared write does not advance the ctx's Session: for read-your-writes, run
// writes through ExecContext, NamedExecContext or a transaction.
func (r *Router) PreparexContext(ctx context.Context, query string) (*sqlx.Stmt, error) {
	var st *sqlx.Stmt
	err := r.read(ctx, query, func(db *sqlx.DB) (err error) {
		st, err = db.PreparexContext(ctx, query)
		return err
	})
	return st, err
}

// Rebind converts ? placeholders to the driver's bind type.
func (r *Router) Rebind(query string) string { return r.primary.db.Rebind(query) }

// BindNamed binds a named query for the driver.
func (r *Router) BindNamed(query string, arg any) (string, []any, error) {
	return r.primary.db.BindNamed(query, arg)
}

// DriverName is the primary's driver name.
func (r *Router) DriverName() string { return r.primary.db.DriverName() }

// read routes a read-method call: SQL not known to be a read becomes a write.
func (r *Router) read(ctx context.Context, query string, do func(*sqlx.DB) error) error {
	if !r.verdicts.isRead(query) {
		return r.write(ctx, query, do)
	}
	sc := scopeFrom(ctx)
	if err := r.checkShard(sc); err != nil {
		return err
	}
	n, reason := r.pickRead(ctx, sc)
	r.decided(ctx, n, reason)
	err := r.run(ctx, sc, n, query, do)
	if err != nil && n.replica && isReadOnlyError(err) {
		// The SQL wrote after all (a volatile function): the replica refused it without
		// writing anything, so it runs once where writes go.
		return r.write(ctx, query, do)
	}
	if err != nil && n.replica && IsConnError(err) && ctx.Err() == nil {
		r.ejectNode(n, err)
		n2 := r.retryNode(sc)
		r.retries.Add(1)
		r.decided(ctx, n2, ReasonRetry)
		err = r.run(ctx, sc, n2, query, do)
	}
	return err
}

// retryNode picks where a failed read goes: another qualifying replica, else the primary.
func (r *Router) retryNode(sc *scope) *node {
	var need LSN
	maxNanos := r.maxNanos
	if sc != nil {
		if sc.session != nil && r.lsnMode {
			var ok bool
			if need, ok = sc.session.need(r.cluster); !ok {
				return r.primary
			}
		}
		if sc.hasStaleness && int64(sc.staleness) < maxNanos {
			maxNanos = int64(sc.staleness)
		}
	}
	if n := r.choose(need, maxNanos); n != nil {
		return n
	}
	return r.primary
}

// write runs do on the primary, never retried, and advances the session. A demoted primary
// refuses the write itself (SQLSTATE 25006), which becomes a *DemotedError; nothing is ever sent
// to another node instead.
func (r *Router) write(ctx context.Context, query string, do func(*sqlx.DB) error) error {
	sc := scopeFrom(ctx)
	if err := r.checkShard(sc); err != nil {
		return err
	}
	r.writes.Add(1)
	r.decided(ctx, r.primary, ReasonWrite)
	err := r.run(ctx, sc, r.primary, query, do)
	if isReadOnlyError(err) {
		r.demoted.Store(true)
		return &DemotedError{Node: r.primary.name, Err: err}
	}
	if err == nil || !IsConnError(err) {
		r.recordWrite(ctx, sc)
	}
	return err
}

// recordWrite advances the ctx's session past the write that just ran: the primary's WAL
// position (one round trip), or a pin window when there is none. The position is the WAL insert
// position, which is past the write's commit record even under synchronous_commit=off, where
// pg_current_wal_lsn() (the position written out so far) may still be short of it.
func (r *Router) recordWrite(ctx context.Context, sc *scope) {
	if sc == nil || sc.session == nil {
		return
	}
	if r.lsnMode {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.ProbeTimeout*4)
		defer cancel()
		var s string
		err := r.primary.db.QueryRowContext(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&s)
		if err == nil {
			var lsn LSN
			if lsn, err = ParseLSN(s); err == nil {
				r.lsnReads.Add(1)
				sc.session.advanceLSN(r.cluster, lsn)
				return
			}
		}
		// The position is unknown: fall back to the pin window.
	}
	sc.session.pinTo(time.Now().Add(r.cfg.PinWindow).UnixNano())
}

// run executes do on n with the accounting every query gets: in-flight count, the ctx's query
// counter, the slow-query hook.
func (r *Router) run(ctx context.Context, sc *scope, n *node, query string, do func(*sqlx.DB) error) error {
	n.inflight.Add(1)
	n.queries.Add(1)
	if n.replica {
		r.replicaReads.Add(1)
	}
	if sc != nil && sc.counter != nil {
		sc.counter.add(ctx, r, query)
	}
	var start time.Time
	if r.cfg.OnSlowQuery != nil {
		start = time.Now()
	}
	err := do(n.db)
	n.inflight.Add(-1)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		n.errs.Add(1)
	}
	if r.cfg.OnSlowQuery != nil {
		if took := time.Since(start); took >= r.cfg.SlowQueryThreshold {
			r.cfg.OnSlowQuery(ctx, query, n.name, took)
		}
	}
	return err
}
