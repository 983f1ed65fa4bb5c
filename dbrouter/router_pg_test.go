package dbrouter_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/dbrouter"
	"github.com/buttress-go/buttress/internal/testenv"
)

// pgBundle is what setupPG gives a test: its schema, pools on both servers, and (when asked)
// exclusive fault control of the replica.
type pgBundle struct {
	schema  *testenv.Schema
	primary *sqlx.DB
	replica *sqlx.DB
	faults  *testenv.Replica
	reads   *decisionLog
}

// decisionLog counts read decisions by role and reason through Config.OnDecision.
type decisionLog struct {
	replica, primary atomic.Int64
	byReason         [16]atomic.Int64
}

func (d *decisionLog) hook(_ context.Context, dec dbrouter.Decision) {
	d.byReason[dec.Reason].Add(1)
	if dec.Reason == dbrouter.ReasonWrite || dec.Reason == dbrouter.ReasonTx {
		return
	}
	if dec.Role == dbrouter.RoleReplica {
		d.replica.Add(1)
	} else {
		d.primary.Add(1)
	}
}

// replicaRead wraps read so that it also reports whether the read was served by the replica (a
// replica decision and no retry elsewhere), for untilOnReplica.
func (d *decisionLog) replicaRead(read func() error) func() (bool, error) {
	return func() (bool, error) {
		replica, retries := d.replica.Load(), d.byReason[dbrouter.ReasonRetry].Load()
		err := read()
		return d.replica.Load() > replica && d.byReason[dbrouter.ReasonRetry].Load() == retries, err
	}
}

// untilOnReplica repeats read (which must not fail) until one is served by the replica, so that
// the caller can then assert on what that read returned. The replica is out of rotation before
// the first successful probe, and a probe that times out twice on a loaded machine takes it out
// for a round or two; a read sent to the primary meanwhile is the router doing its job, not what
// the caller's assertion is about. Bounded: fails after 30s.
func untilOnReplica(t *testing.T, read func() (onReplica bool, err error)) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		onReplica, err := read()
		require.NoError(t, err)
		if onReplica {
			return
		}
		require.True(t, time.Now().Before(deadline), "no read reached the replica in 30s (it stayed out of rotation)")
		time.Sleep(20 * time.Millisecond)
	}
}

// setupPG creates a schema with an items table on the real primary, opens both servers and
// returns a router over them. With faults it first takes the replica exclusively.
func setupPG(t *testing.T, faults bool, cfg *dbrouter.Config) (*dbrouter.Router, *pgBundle) {
	t.Helper()
	b := &pgBundle{reads: &decisionLog{}}
	if faults {
		b.faults = testenv.ReplicaFaults(t)
	}
	b.schema = testenv.NewSchema(t)
	b.primary = b.schema.OpenPrimary(t)
	ctx := context.Background()
	_, err := b.primary.ExecContext(ctx, `CREATE TABLE items (id bigint PRIMARY KEY, v bigint NOT NULL)`)
	require.NoError(t, err)
	b.replica = b.schema.OpenReplica(t)
	b.primary.SetMaxIdleConns(16)
	b.replica.SetMaxIdleConns(16)
	var c dbrouter.Config
	if cfg != nil {
		c = *cfg
	}
	if c.ProbeInterval == 0 {
		c.ProbeInterval = 100 * time.Millisecond
		c.ProbeTimeout = 100 * time.Millisecond
	}
	if c.OnDecision == nil {
		c.OnDecision = b.reads.hook
	}
	if c.OnHealthChange == nil {
		c.OnHealthChange = func(node string, healthy bool, err error) {
			t.Logf("%s health: %s healthy=%v err=%v", time.Now().Format("15:04:05.000"), node, healthy, err)
		}
	}
	r, err := dbrouter.New(ctx, dbrouter.Node{Name: "primary", DB: b.primary},
		[]dbrouter.Node{{Name: "replica", DB: b.replica}}, &c)
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	return r, b
}

func nodeStats(t *testing.T, r *dbrouter.Router, name string) dbrouter.NodeStats {
	t.Helper()
	for _, n := range r.Stats().Nodes {
		if n.Name == name {
			return n
		}
	}
	t.Fatalf("no node %q", name)
	return dbrouter.NodeStats{}
}

func TestRoutesReadsWritesAndTransactions(t *testing.T) {
	t.Parallel()
	var decisions []dbrouter.Decision
	var mu sync.Mutex
	r, b := setupPG(t, false, &dbrouter.Config{OnDecision: func(_ context.Context, d dbrouter.Decision) {
		mu.Lock()
		decisions = append(decisions, d)
		mu.Unlock()
	}})
	last := func() dbrouter.Decision {
		mu.Lock()
		defer mu.Unlock()
		return decisions[len(decisions)-1]
	}
	ctx := dbrouter.WithSession(context.Background(), nil)

	_, err := r.ExecContext(ctx, `INSERT INTO items VALUES (1, 10)`)
	require.NoError(t, err)
	require.Equal(t, dbrouter.Decision{Node: "primary", Role: dbrouter.RolePrimary, Reason: dbrouter.ReasonWrite}, last())
	sess, ok := dbrouter.SessionFrom(ctx)
	require.True(t, ok)
	require.NotZero(t, sess.Token().LSN, "the write must advance the session")

	// The read goes to the replica (after at most one probe/wait) and sees the write.
	var v int64
	require.NoError(t, r.GetContext(ctx, &v, `SELECT v FROM items WHERE id = $1`, 1))
	require.Equal(t, int64(10), v)

	// Writes hidden behind read methods go to the primary.
	for _, q := range []string{
		`UPDATE items SET v = v + 1 WHERE id = 1 RETURNING v`,
		`WITH u AS (UPDATE items SET v = v + 1 WHERE id = 1 RETURNING v) SELECT v FROM u`,
		`SELECT v FROM items WHERE id = 1 FOR UPDATE`,
	} {
		require.NoError(t, r.GetContext(ctx, &v, q), q)
		require.Equal(t, dbrouter.ReasonWrite, last().Reason, q)
		require.Equal(t, "primary", last().Node, q)
	}
	require.Equal(t, int64(12), v)

	// A function that writes looks like a read; the replica refuses it and the primary runs it once.
	_, err = b.primary.ExecContext(ctx, `CREATE FUNCTION bump() RETURNS bigint LANGUAGE sql AS
		'UPDATE items SET v = v + 100 WHERE id = 1 RETURNING v'`)
	require.NoError(t, err)
	b.schema.WaitOnReplica(t)
	require.NoError(t, r.GetContext(context.Background(), &v, `SELECT bump()`))
	require.Equal(t, int64(112), v, "ran exactly once")
	require.Equal(t, "primary", last().Node)
	_, err = b.primary.ExecContext(ctx, `UPDATE items SET v = 12 WHERE id = 1`)
	require.NoError(t, err)

	// Forced primary.
	require.NoError(t, r.GetContext(dbrouter.WithPrimary(ctx), &v, `SELECT v FROM items WHERE id = 1`))
	require.Equal(t, dbrouter.ReasonForced, last().Reason)

	// sql.ErrNoRows comes back untouched, on a replica read.
	untilOnReplica(t, func() (bool, error) {
		err := r.GetContext(context.Background(), &v, `SELECT v FROM items WHERE id = -1`)
		if !errors.Is(err, sql.ErrNoRows) {
			return false, fmt.Errorf("want sql.ErrNoRows, got %w", err)
		}
		d := last()
		return d.Node == "replica" && d.Reason != dbrouter.ReasonRetry, nil
	})

	// Select, Queryx, QueryRowx, NamedQuery, Preparex, NamedExec.
	var all []int64
	require.NoError(t, r.SelectContext(ctx, &all, `SELECT v FROM items ORDER BY id`))
	require.Equal(t, []int64{12}, all)
	rows, err := r.QueryxContext(ctx, `SELECT id, v FROM items`)
	require.NoError(t, err)
	n := 0
	for rows.Next() {
		n++
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	require.Equal(t, 1, n)
	require.NoError(t, r.QueryRowxContext(ctx, `SELECT v FROM items WHERE id = $1`, 1).Scan(&v))
	_, err = r.NamedExecContext(ctx, `INSERT INTO items VALUES (:id, :v)`, map[string]any{"id": 2, "v": 20})
	require.NoError(t, err)
	nrows, err := r.NamedQueryContext(ctx, `SELECT v FROM items WHERE id = :id`, map[string]any{"id": 2})
	require.NoError(t, err)
	require.True(t, nrows.Next())
	require.NoError(t, nrows.Scan(&v))
	require.NoError(t, nrows.Close())
	require.Equal(t, int64(20), v)
	st, err := r.PreparexContext(ctx, `SELECT v FROM items WHERE id = $1`)
	require.NoError(t, err)
	require.NoError(t, st.GetContext(ctx, &v, 2))
	require.NoError(t, st.Close())
	require.Equal(t, "$1", r.Rebind("?"))
	require.Equal(t, "pgx", r.DriverName())

	// A read-write transaction runs on the primary and its commit advances the session.
	before := sess.Token().LSN
	tx, err := r.BeginTxx(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, "primary", tx.Node())
	_, err = tx.ExecContext(ctx, `UPDATE items SET v = 30 WHERE id = 2`)
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	require.Greater(t, sess.Token().LSN, before)

	// A read-only transaction runs on the replica once it has replayed the session's commit
	// (the primary until then), and sees the commit either way.
	var ro *dbrouter.Tx
	require.Eventually(t, func() bool {
		var err error
		ro, err = r.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
		require.NoError(t, err)
		require.NoError(t, ro.GetContext(ctx, &v, `SELECT v FROM items WHERE id = 2`))
		require.Equal(t, int64(30), v, "on %s", ro.Node())
		if ro.Node() == "replica" {
			return true
		}
		require.NoError(t, ro.Rollback())
		return false
	}, 10*time.Second, 20*time.Millisecond, "a read-only transaction never reached the replica")
	_, err = ro.ExecContext(ctx, `UPDATE items SET v = 0`)
	require.Error(t, err, "a read-only transaction must not write")
	require.NoError(t, ro.Rollback())

	// The replica took reads.
	require.NotZero(t, r.Stats().ReplicaQueries)
}

// TestReadYourWritesWhileReplayPaused: with replay paused, a session's read after its write goes
// to the primary and sees the write; a read without the session is served (stale) by the
// replica; after resume the session's reads return to the replica.
func TestReadYourWritesWhileReplayPaused(t *testing.T) {
	r, b := setupPG(t, true, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := b.primary.ExecContext(ctx, `INSERT INTO items VALUES (1, 1)`)
	require.NoError(t, err)
	b.schema.WaitOnReplica(t)

	require.NoError(t, b.faults.PauseReplay(ctx))
	sctx := dbrouter.WithSession(ctx, nil)
	_, err = r.ExecContext(sctx, `UPDATE items SET v = 2 WHERE id = 1`)
	require.NoError(t, err)

	var v int64
	require.NoError(t, r.GetContext(sctx, &v, `SELECT v FROM items WHERE id = 1`))
	require.Equal(t, int64(2), v, "the session must see its own write")
	require.NotZero(t, b.reads.byReason[dbrouter.ReasonSticky].Load())

	// Without the session: the replica, which is behind.
	untilOnReplica(t, b.reads.replicaRead(func() error { return r.GetContext(ctx, &v, `SELECT v FROM items WHERE id = 1`) }))
	require.Equal(t, int64(1), v, "a session-less read is served by the paused replica")

	require.NoError(t, b.faults.ResumeReplay(ctx))
	replicaBefore := b.reads.replica.Load()
	require.Eventually(t, func() bool {
		require.NoError(t, r.GetContext(sctx, &v, `SELECT v FROM items WHERE id = 1`))
		require.Equal(t, int64(2), v)
		return b.reads.replica.Load() > replicaBefore+1
	}, 30*time.Second, 10*time.Millisecond, "session reads must return to the replica after resume")
}

func TestDemotedPrimaryIsATypedErrorAndNothingIsWrittenElsewhere(t *testing.T) {
	t.Parallel()
	s := testenv.NewSchema(t)
	realPrimary := s.OpenPrimary(t)
	ctx := context.Background()
	_, err := realPrimary.ExecContext(ctx, `CREATE TABLE items (id bigint PRIMARY KEY, v bigint NOT NULL)`)
	require.NoError(t, err)
	standby := s.OpenReplica(t)

	// Misconfigured (or failed-over) cluster: the node given as primary is a standby, and the
	// real primary was listed as a replica. The probe timeout is generous (this test measures no
	// time): on a loaded machine a 100ms probe can time out, which says nothing about roles.
	type change struct {
		node    string
		healthy bool
	}
	var health []change
	var mu sync.Mutex
	r, err := dbrouter.New(ctx, dbrouter.Node{Name: "old-primary", DB: standby},
		[]dbrouter.Node{{Name: "new-primary", DB: realPrimary}},
		&dbrouter.Config{ProbeInterval: 500 * time.Millisecond, ProbeTimeout: 500 * time.Millisecond,
			OnHealthChange: func(node string, healthy bool, err error) {
				mu.Lock()
				health = append(health, change{node, healthy})
				mu.Unlock()
			}})
	require.NoError(t, err)
	defer r.Close()
	require.Eventually(t, func() bool { return r.Stats().Demoted }, 30*time.Second, 10*time.Millisecond)
	// Replicas start out of rotation, so "not healthy" alone proves nothing: wait for a probe to
	// have named the reason (a timed-out probe names none), then see it hold across more rounds.
	require.Eventually(t, func() bool {
		return errors.Is(nodeStats(t, r, "new-primary").LastError, dbrouter.ErrNotStandby)
	}, 30*time.Second, 10*time.Millisecond, "a replica that is not a standby is ejected as ErrNotStandby")
	rounds := r.Stats().ProbeRounds
	require.Eventually(t, func() bool { return r.Stats().ProbeRounds >= rounds+3 }, 30*time.Second, 10*time.Millisecond)
	ns := nodeStats(t, r, "new-primary")
	require.False(t, ns.Healthy, "still out of rotation")
	require.ErrorIs(t, ns.LastError, dbrouter.ErrNotStandby, "still ejected for not being a standby")

	_, err = r.ExecContext(dbrouter.WithSession(ctx, nil), `INSERT INTO items VALUES (1, 1)`)
	var demoted *dbrouter.DemotedError
	require.ErrorAs(t, err, &demoted)
	require.Equal(t, "old-primary", demoted.Node)
	_, err = r.BeginTxx(ctx, nil)
	if err == nil {
		t.Log("BEGIN on a standby succeeds; the first write in it fails")
	}
	mu.Lock()
	require.Contains(t, health, change{"new-primary", false}, "the ejection is reported")
	require.NotContains(t, health, change{"new-primary", true}, "a replica that is not a standby is never admitted")
	mu.Unlock()
	var n int
	require.NoError(t, realPrimary.GetContext(ctx, &n, `SELECT count(*) FROM items`))
	require.Zero(t, n, "the write must not reach any other node")
}

func TestUnreachableNodesAtStart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.NewSchema(t)
	primary := s.OpenPrimary(t)
	dead, err := sqlx.Open(testenv.DriverName, "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=1")
	require.NoError(t, err)
	defer dead.Close()

	_, err = dbrouter.New(ctx, dbrouter.Node{}, nil, nil)
	require.ErrorIs(t, err, dbrouter.ErrNoPrimary)
	_, err = dbrouter.New(ctx, dbrouter.Node{DB: dead}, nil, nil)
	require.ErrorIs(t, err, dbrouter.ErrNoPrimary)
	_, err = dbrouter.New(ctx, dbrouter.Node{DB: primary}, nil, &dbrouter.Config{MaxLag: -1})
	require.ErrorIs(t, err, dbrouter.ErrBadConfig)
	require.ErrorContains(t, err, "Config.MaxLag")

	var reported []string
	r, err := dbrouter.New(ctx, dbrouter.Node{DB: primary}, []dbrouter.Node{{DB: dead}},
		&dbrouter.Config{OnHealthChange: func(node string, healthy bool, err error) {
			if !healthy {
				reported = append(reported, node)
			}
		}})
	require.NoError(t, err, "a replica down at start is not fatal")
	defer r.Close()
	require.Equal(t, []string{"replica-1"}, reported)
	var one int
	require.NoError(t, r.GetContext(ctx, &one, `SELECT 1`))
	require.Equal(t, 1, one)
	require.Equal(t, uint64(1), r.Stats().Fallbacks)
}

// TestConcurrent64 runs 64 goroutines of mixed reads, writes, sessions and transactions (meant
// for -race), and checks every session saw its own writes.
func TestConcurrent64(t *testing.T) {
	t.Parallel()
	r, _ := setupPG(t, false, &dbrouter.Config{ReadYourWritesWait: 20 * time.Millisecond, Balance: dbrouter.LeastInFlight})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sctx, counter := dbrouter.WithQueryCounter(dbrouter.WithSession(ctx, nil))
			id := int64(g)
			if _, err := r.ExecContext(sctx, `INSERT INTO items VALUES ($1, 0)`, id); err != nil {
				errs <- err
				return
			}
			for i := int64(1); i <= 20; i++ {
				if i%5 == 0 {
					tx, err := r.BeginTxx(sctx, nil)
					if err != nil {
						errs <- err
						return
					}
					if _, err := tx.ExecContext(sctx, `UPDATE items SET v = $1 WHERE id = $2`, i, id); err != nil {
						_ = tx.Rollback()
						errs <- err
						return
					}
					if err := tx.Commit(); err != nil {
						errs <- err
						return
					}
				} else if _, err := r.ExecContext(sctx, `UPDATE items SET v = $1 WHERE id = $2`, i, id); err != nil {
					errs <- err
					return
				}
				var v int64
				if err := r.GetContext(sctx, &v, `SELECT v FROM items WHERE id = $1`, id); err != nil {
					errs <- err
					return
				}
				if v != i {
					errs <- errors.New("stale read")
					return
				}
				_ = r.Stats()
			}
			if counter.Count() < 41 {
				errs <- errors.New("query counter missed queries")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}
