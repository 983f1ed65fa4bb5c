package dbrouter

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

// TestIsConnError: what ejects a node and is retried once elsewhere (reads), and what is not.
func TestIsConnError(t *testing.T) {
	t.Parallel()
	pg := func(code string) error { return fmt.Errorf("query: %w", &pgconn.PgError{Code: code}) }
	for _, tc := range []struct {
		err  error
		conn bool
	}{
		{pg("08006"), true}, // connection_failure
		{pg("08001"), true}, // sqlclient_unable_to_establish_sqlconnection
		{pg("57P01"), true}, // admin_shutdown
		{pg("57P02"), true}, // crash_shutdown
		{pg("57P03"), true}, // cannot_connect_now
		{driver.ErrBadConn, true},
		{io.EOF, true},
		{io.ErrUnexpectedEOF, true},
		{fmt.Errorf("dial: %w", syscall.ECONNREFUSED), true},
		{fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{net.ErrClosed, true},
		{&net.OpError{Op: "read", Net: "tcp", Err: syscall.EPIPE}, true},

		{nil, false},
		{pg("25006"), false}, // read_only_sql_transaction: a demoted primary, not a dead node
		{pg("57014"), false}, // query_canceled (statement timeout)
		{pg("23505"), false}, // unique_violation
		{pg("22012"), false}, // division_by_zero
		{context.Canceled, false},
		{context.DeadlineExceeded, false},
		{&net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, false}, // slow, not gone
	} {
		require.Equal(t, tc.conn, IsConnError(tc.err), "%v", tc.err)
	}
}
