package dbrouter

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/internal/testenv"
)

func TestFlapQuarantine(t *testing.T) {
	t.Parallel()
	cfg, err := (&Config{Readmit: 2, FlapThreshold: 3, FlapWindow: time.Minute, Quarantine: 10 * time.Second}).withDefaults()
	require.NoError(t, err)
	n := &node{name: "r", replica: true}
	n.up.Store(true)
	now := time.Unix(1000, 0)
	boom := errors.New("boom")

	// Ejected, then re-admitted after 2 good probes.
	was, q := n.eject(now, boom, &cfg)
	require.True(t, was)
	require.False(t, q)
	require.False(t, n.probeOK(now, &cfg))
	require.True(t, n.probeOK(now, &cfg))
	require.True(t, n.up.Load())

	// A second ejection: still no quarantine.
	_, q = n.eject(now.Add(time.Second), boom, &cfg)
	require.False(t, q)
	n.probeOK(now, &cfg)
	require.True(t, n.probeOK(now.Add(2*time.Second), &cfg))

	// The third within the window: quarantined; good probes do not re-admit it until it ends.
	_, q = n.eject(now.Add(3*time.Second), boom, &cfg)
	require.True(t, q)
	for i := range 5 {
		require.False(t, n.probeOK(now.Add(time.Duration(4+i)*time.Second), &cfg))
	}
	require.False(t, n.up.Load())
	require.True(t, n.probeOK(now.Add(14*time.Second), &cfg), "re-admitted once the quarantine is over")

	// Ejections spread wider than the window do not quarantine.
	m := &node{name: "m", replica: true}
	m.up.Store(true)
	for i := range 5 {
		at := now.Add(time.Duration(i) * 2 * time.Minute)
		_, q := m.eject(at, boom, &cfg)
		require.False(t, q)
		m.probeOK(at, &cfg)
		require.True(t, m.probeOK(at, &cfg))
	}

	// Two probe failures in a row (not connection errors) are needed to eject.
	k := &node{name: "k", replica: true}
	require.False(t, k.probeFailed())
	require.True(t, k.probeFailed())
	k.probeOK(now, &cfg)
	require.False(t, k.probeFailed(), "a success resets the streak")
}

// TestFailedReadRetriedOnceWritesNever: a replica the router believes healthy is in fact dead;
// the read fails on it with a connection error, the replica is ejected at once and the read is
// retried once on the primary. A failing write is not retried.
func TestFailedReadRetriedOnceWritesNever(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	primary := testenv.NewSchema(t).OpenPrimary(t)
	dead, err := sqlx.Open(testenv.DriverName, "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=1")
	require.NoError(t, err)
	defer dead.Close()
	var decisions []Decision
	r, err := New(ctx, Node{DB: primary}, []Node{{Name: "ghost", DB: dead}}, &Config{
		ProbeInterval: time.Hour, ProbeTimeout: time.Second, // the probe must not notice first
		OnDecision: func(_ context.Context, d Decision) { decisions = append(decisions, d) },
	})
	require.NoError(t, err)
	defer r.Close()
	ghost := r.replicas[0]
	ghost.up.Store(true) // as if it had just died after a good probe

	var one int
	require.NoError(t, r.GetContext(ctx, &one, `SELECT 1`))
	require.Equal(t, 1, one)
	require.Equal(t, []Decision{
		{Node: "ghost", Role: RoleReplica, Reason: ReasonFresh},
		{Node: "primary", Role: RolePrimary, Reason: ReasonRetry},
	}, decisions)
	require.False(t, ghost.up.Load(), "ejected at once")
	st := r.Stats()
	require.Equal(t, uint64(1), st.Retries)
	require.Equal(t, uint64(1), st.Ejections)

	// A write whose connection dies under it (the server terminates the backend after the
	// write's side effect: a sequence step, which no rollback undoes) is a connection error, and
	// is still sent exactly once.
	_, err = primary.Exec(`CREATE SEQUENCE calls;
		CREATE FUNCTION boom() RETURNS void LANGUAGE plpgsql AS $$
		BEGIN PERFORM nextval('calls'); PERFORM pg_terminate_backend(pg_backend_pid()); END $$`)
	require.NoError(t, err)
	decisions = nil
	_, err = r.ExecContext(ctx, `SELECT boom()`)
	require.Error(t, err)
	require.True(t, IsConnError(err), "the write's connection died: %v", err)
	require.Len(t, decisions, 1, "a write is sent once")
	var calls int
	require.NoError(t, primary.Get(&calls, `SELECT last_value FROM calls`))
	require.Equal(t, 1, calls, "the write ran once, never retried")
	require.Equal(t, uint64(1), r.Stats().Retries)
}

// TestTimeoutNeverHidesTheEjectionReason: while a replica stays out, a probe that only timed out
// keeps the known reason (ErrNotStandby) as LastError; a new real error replaces it, and a timeout
// that ejects a healthy node is its reason.
func TestTimeoutNeverHidesTheEjectionReason(t *testing.T) {
	t.Parallel()
	cfg, err := (&Config{}).withDefaults()
	require.NoError(t, err)
	r := &Router{cfg: cfg}
	n := &node{name: "r", replica: true}
	n.up.Store(true)
	lastErr := func() error {
		n.mu.Lock()
		defer n.mu.Unlock()
		return n.lastErr
	}
	timeout := fmt.Errorf("timeout: %w", context.DeadlineExceeded)
	netTimeout := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	require.True(t, isTimeout(timeout))
	require.True(t, isTimeout(netTimeout))
	require.False(t, isTimeout(ErrNotStandby))

	r.ejectNode(n, ErrNotStandby)
	require.False(t, n.up.Load())
	r.ejectNode(n, timeout)
	r.ejectNode(n, netTimeout)
	require.ErrorIs(t, lastErr(), ErrNotStandby, "a timeout must not overwrite the ejection reason")

	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	r.ejectNode(n, refused)
	require.ErrorIs(t, lastErr(), syscall.ECONNREFUSED, "a real error is news")
	r.ejectNode(n, timeout)
	require.ErrorIs(t, lastErr(), syscall.ECONNREFUSED)

	// Re-admitted, then ejected by timeouts: the timeout is the reason, and a later one replaces it.
	for range cfg.Readmit {
		n.probeOK(time.Now(), &cfg)
	}
	require.True(t, n.up.Load())
	require.NoError(t, lastErr())
	r.ejectNode(n, netTimeout)
	require.ErrorIs(t, lastErr(), os.ErrDeadlineExceeded)
	r.ejectNode(n, timeout)
	require.ErrorIs(t, lastErr(), context.DeadlineExceeded)
	require.Equal(t, uint64(2), r.ejections.Load())
}
