package dbrouter

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// Sentinel errors. Compare with errors.Is. The router's own refusals wrap one of these or are a
// [*DemotedError]; errors of the queries themselves are the driver's, returned as they are.
var (
	// ErrNoPrimary: New was given no primary, or the primary did not answer at start.
	ErrNoPrimary = errors.New("dbrouter: no usable primary")
	// ErrBadConfig: a Config field is out of range; the message names the field.
	ErrBadConfig = errors.New("dbrouter: invalid config")
	// ErrBadLSN: text that is not a pg_lsn.
	ErrBadLSN = errors.New("dbrouter: malformed LSN")
	// ErrTokenInvalid: a session token that is malformed or whose signature does not match.
	ErrTokenInvalid = errors.New("dbrouter: invalid session token")
	// ErrTokenExpired: a correctly signed session token past its expiry.
	ErrTokenExpired = errors.New("dbrouter: expired session token")
	// ErrNoShard: the ctx carries no shard (call Shards.WithShard first).
	ErrNoShard = errors.New("dbrouter: no shard in context")
	// ErrUnknownShard: a shard key that maps to no cluster (empty key, or a ShardFunc result out
	// of range).
	ErrUnknownShard = errors.New("dbrouter: unknown shard")
	// ErrCrossShard: a request or transaction tried to use two shards.
	ErrCrossShard = errors.New("dbrouter: cross-shard request refused")
	// ErrBatchQuery: SelectAny was given SQL without "= ANY($1)".
	ErrBatchQuery = errors.New("dbrouter: batch query must use = ANY($1)")
)

// DemotedError reports that the node configured as the primary is no longer one: it answered
// SQLSTATE 25006 (read_only_sql_transaction) or pg_is_in_recovery() returned true. The write was
// not sent anywhere else. The router keeps probing roles and accepts writes again once the node
// is a primary again; repointing the application at the new primary is an operator's decision.
type DemotedError struct {
	// Node is the name of the demoted primary.
	Node string
	// Err is the database error that revealed it, or nil when the probe found it.
	Err error
}

// Error names the demoted primary and the database error that revealed it, if any.
func (e *DemotedError) Error() string {
	msg := "dbrouter: primary " + e.Node + " is read-only (demoted or in recovery); write not sent anywhere"
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying database error.
func (e *DemotedError) Unwrap() error { return e.Err }

// sqlStater is implemented by pgx's *pgconn.PgError and lib/pq's *pq.Error.
type sqlStater interface{ SQLState() string }

func sqlState(err error) string {
	var s sqlStater
	if errors.As(err, &s) {
		return s.SQLState()
	}
	return ""
}

// IsConnError reports whether err means the node is unreachable or going away: driver.ErrBadConn,
// network errors, EOF on the connection, SQLSTATE class 08 (connection exception), 57P01
// (admin_shutdown), 57P02 (crash_shutdown) or 57P03 (cannot_connect_now). A cancelled ctx and a
// timeout are not connection errors.
func IsConnError(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if st := sqlState(err); st != "" {
		return strings.HasPrefix(st, "08") || st == "57P01" || st == "57P02" || st == "57P03"
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed) {
		return true
	}
	// A timeout means slow, not gone: the probe ejects a node that keeps timing out.
	var ne net.Error
	return errors.As(err, &ne) && !ne.Timeout()
}

// isTimeout reports whether err only says that time ran out (a context deadline, a network
// timeout), not what is wrong with the node.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isReadOnlyError(err error) bool { return sqlState(err) == "25006" }
