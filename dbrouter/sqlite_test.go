package dbrouter_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/buttress-go/buttress/dbrouter"
)

// sqlitePair opens a SQLite database as the "primary" and a second, read-only handle on the same
// file as the "replica": a database with no WAL position, so the router uses the pin window.
func sqlitePair(t testing.TB) (primary, replica *sqlx.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.db")
	var err error
	primary, err = sqlx.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)")
	require.NoError(t, err)
	t.Cleanup(func() { _ = primary.Close() })
	_, err = primary.Exec(`CREATE TABLE items (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)`)
	require.NoError(t, err)
	replica, err = sqlx.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	require.NoError(t, err)
	t.Cleanup(func() { _ = replica.Close() })
	return primary, replica
}

// waitReplicasUp waits until the probe has admitted every replica (a slow first probe on a busy
// machine leaves them out for a round or two).
func waitReplicasUp(t testing.TB, r *dbrouter.Router) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, n := range r.Stats().Nodes {
			if n.Role == dbrouter.RoleReplica && !n.Healthy {
				return false
			}
		}
		return true
	}, 30*time.Second, 5*time.Millisecond)
}

type reasonLog struct {
	mu  sync.Mutex
	all []dbrouter.Decision
}

func (l *reasonLog) hook(_ context.Context, d dbrouter.Decision) {
	l.mu.Lock()
	l.all = append(l.all, d)
	l.mu.Unlock()
}

func (l *reasonLog) last() dbrouter.Decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.all[len(l.all)-1]
}

func TestSQLitePinWindow(t *testing.T) {
	t.Parallel()
	primary, replica := sqlitePair(t)
	var log reasonLog
	const pin = 300 * time.Millisecond
	r, err := dbrouter.New(context.Background(), dbrouter.Node{DB: primary}, []dbrouter.Node{{DB: replica}},
		&dbrouter.Config{PinWindow: pin, OnDecision: log.hook, ProbeInterval: 50 * time.Millisecond, ProbeTimeout: 50 * time.Millisecond})
	require.NoError(t, err)
	defer r.Close()
	waitReplicasUp(t, r)
	require.False(t, r.LSNTracking())

	ctx := dbrouter.WithSession(context.Background(), nil)
	var v int
	require.NoError(t, r.GetContext(ctx, &v, `SELECT count(*) FROM items`))
	require.Equal(t, dbrouter.Decision{Node: "replica-1", Role: dbrouter.RoleReplica, Reason: dbrouter.ReasonFresh}, log.last())

	wrote := time.Now()
	_, err = r.ExecContext(ctx, `INSERT INTO items (id, v) VALUES (1, 5)`)
	require.NoError(t, err)
	sess, _ := dbrouter.SessionFrom(ctx)
	require.False(t, sess.Token().PinUntil.IsZero())

	require.NoError(t, r.GetContext(ctx, &v, `SELECT v FROM items WHERE id = 1`))
	if time.Since(wrote) < pin { // the pin can only be observed while it lasts
		require.Equal(t, dbrouter.ReasonSticky, log.last().Reason)
		require.Equal(t, "primary", log.last().Node)
	}
	require.Equal(t, 5, v)

	// Another session is not pinned.
	require.NoError(t, r.GetContext(context.Background(), &v, `SELECT v FROM items WHERE id = 1`))
	require.Equal(t, dbrouter.ReasonFresh, log.last().Reason)

	// After the window, the session's reads return to the replica.
	time.Sleep(time.Until(sess.Token().PinUntil) + 10*time.Millisecond)
	require.NoError(t, r.GetContext(ctx, &v, `SELECT v FROM items WHERE id = 1`))
	require.Equal(t, dbrouter.ReasonFresh, log.last().Reason)
}

func TestNPlusOneKit(t *testing.T) {
	t.Parallel()
	primary, replica := sqlitePair(t)
	var mu sync.Mutex
	var repeated []string
	var slow []string
	r, err := dbrouter.New(context.Background(), dbrouter.Node{DB: primary}, []dbrouter.Node{{DB: replica}},
		&dbrouter.Config{
			RepeatThreshold: 3,
			OnRepeatedQuery: func(_ context.Context, stmt string, n int) {
				mu.Lock()
				repeated = append(repeated, stmt)
				mu.Unlock()
				require.Equal(t, 4, n)
			},
			SlowQueryThreshold: time.Nanosecond,
			OnSlowQuery: func(_ context.Context, query, node string, took time.Duration) {
				mu.Lock()
				slow = append(slow, node+": "+query)
				mu.Unlock()
				require.Positive(t, took)
			},
		})
	require.NoError(t, err)
	defer r.Close()
	waitReplicasUp(t, r)
	for i := 1; i <= 5; i++ {
		_, err := primary.Exec(`INSERT INTO items VALUES (?, ?)`, i, i*10)
		require.NoError(t, err)
	}

	ctx, counter := dbrouter.WithQueryCounter(context.Background())
	// The N+1 loop: one query per id, with inline literals that normalise alike.
	for _, id := range []string{"1", "2", "3", "4", "5"} {
		var v int
		require.NoError(t, r.GetContext(ctx, &v, `SELECT v FROM items WHERE id = `+id))
	}
	_, err = r.ExecContext(ctx, `UPDATE items SET v = v + 1 WHERE id = 1`)
	require.NoError(t, err)
	require.Equal(t, 6, counter.Count(), "counts reads on the replica and writes on the primary")
	require.Equal(t, 6, dbrouter.CountQueries(ctx))
	require.Zero(t, dbrouter.CountQueries(context.Background()))
	mu.Lock()
	require.Equal(t, []string{"select v from items where id = ?"}, repeated, "reported once, normalised")
	require.Contains(t, slow, "replica-1: SELECT v FROM items WHERE id = 1")
	require.Contains(t, slow, "primary: UPDATE items SET v = v + 1 WHERE id = 1")
	mu.Unlock()

	// The cure: one = ANY($1) query (pgx arrays; here checked for routing and the empty case).
	ctx, counter = dbrouter.WithQueryCounter(context.Background())
	got, err := dbrouter.SelectAny[int, int](ctx, r, `SELECT v FROM items WHERE id = ANY($1)`, nil)
	require.NoError(t, err)
	require.Nil(t, got)
	require.Zero(t, counter.Count(), "no query for an empty list")
	_, err = dbrouter.SelectAny[int](ctx, r, `SELECT v FROM items WHERE id IN ($1)`, []int{1})
	require.ErrorIs(t, err, dbrouter.ErrBatchQuery)
}

func TestShards(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var routers []*dbrouter.Router
	for range 2 {
		p, rep := sqlitePair(t)
		r, err := dbrouter.New(ctx, dbrouter.Node{DB: p}, []dbrouter.Node{{DB: rep}}, nil)
		require.NoError(t, err)
		routers = append(routers, r)
	}
	s, err := dbrouter.NewShards(routers, nil)
	require.NoError(t, err)
	defer s.Close()

	// Find keys on each shard.
	keys := map[int]string{}
	for i := 0; len(keys) < 2; i++ {
		k := "tenant-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		idx, err := s.Index(k)
		require.NoError(t, err)
		keys[idx] = k
	}
	ctx0, err := s.WithShard(ctx, keys[0])
	require.NoError(t, err)
	r0, err := s.Router(ctx0)
	require.NoError(t, err)
	require.Same(t, routers[0], r0)
	_, err = r0.ExecContext(ctx0, `INSERT INTO items VALUES (1, 1)`)
	require.NoError(t, err)

	same, err := s.WithShard(ctx0, keys[0])
	require.NoError(t, err)
	require.Equal(t, ctx0, same)
	_, err = s.WithShard(ctx0, keys[1])
	require.ErrorIs(t, err, dbrouter.ErrCrossShard)
	// The ctx fixed to shard 0 is refused by shard 1's router, for reads, writes and
	// transactions; a router outside the shards takes it.
	var n int
	require.ErrorIs(t, routers[1].GetContext(ctx0, &n, `SELECT count(*) FROM items`), dbrouter.ErrCrossShard)
	_, err = routers[1].ExecContext(ctx0, `INSERT INTO items VALUES (2, 2)`)
	require.ErrorIs(t, err, dbrouter.ErrCrossShard)
	_, err = routers[1].BeginTxx(ctx0, nil)
	require.ErrorIs(t, err, dbrouter.ErrCrossShard)
	require.NoError(t, routers[1].GetContext(ctx, &n, `SELECT count(*) FROM items`))
	require.Zero(t, n, "nothing reached shard 1")
	gp, grep := sqlitePair(t)
	global, err := dbrouter.New(ctx, dbrouter.Node{DB: gp}, []dbrouter.Node{{DB: grep}}, nil)
	require.NoError(t, err)
	defer global.Close()
	require.NoError(t, global.GetContext(ctx0, &n, `SELECT count(*) FROM items`))
	_, err = s.BeginTxx(ctx, nil, keys[0], keys[1])
	require.ErrorIs(t, err, dbrouter.ErrCrossShard)
	tx, err := s.BeginTxx(ctx, nil, keys[1])
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())

	_, err = s.Router(ctx)
	require.ErrorIs(t, err, dbrouter.ErrNoShard)
	_, err = s.WithShard(ctx, "")
	require.ErrorIs(t, err, dbrouter.ErrUnknownShard)
	bad, err := dbrouter.NewShards(routers, &dbrouter.ShardsConfig{ShardFunc: func(string, int) int { return 7 }})
	require.NoError(t, err)
	_, err = bad.WithShard(ctx, "x")
	require.ErrorIs(t, err, dbrouter.ErrUnknownShard)
	_, err = dbrouter.NewShards(nil, nil)
	require.ErrorIs(t, err, dbrouter.ErrBadConfig)
}

func TestJumpHashMovesFewKeys(t *testing.T) {
	t.Parallel()
	moved := 0
	const keys = 10000
	for k := uint64(0); k < keys; k++ {
		a, b := dbrouter.JumpHash(k*0x9E3779B97F4A7C15, 10), dbrouter.JumpHash(k*0x9E3779B97F4A7C15, 11)
		require.True(t, a >= 0 && a < 10 && b >= 0 && b < 11)
		if a != b {
			require.Equal(t, 10, b, "a key only ever moves to the new bucket")
			moved++
		}
	}
	require.InDelta(t, keys/11, moved, keys/50, "about 1/11 of keys move")
	require.Equal(t, -1, dbrouter.JumpHash(1, 0))
}

// A single-connection pool (how SQLite is usually opened, and what River's SQLite driver wants)
// must stay usable: the background probe may borrow the connection, never keep it. Found by
// examples/shop, whose start-up hung behind the probe's pinned connection.
func TestSingleConnectionPoolNotStarvedByProbe(t *testing.T) {
	t.Parallel()
	primary, _ := sqlitePair(t)
	primary.SetMaxOpenConns(1)
	ctx := context.Background()
	r, err := dbrouter.New(ctx, dbrouter.Node{DB: primary}, nil, &dbrouter.Config{ProbeInterval: 10 * time.Millisecond, ProbeTimeout: 10 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	require.Eventually(t, func() bool { return r.Stats().ProbeRounds >= 3 }, 30*time.Second, 5*time.Millisecond)
	for i := 0; i < 20; i++ {
		qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := r.ExecContext(qctx, `INSERT INTO items (v) VALUES (?)`, i)
		cancel()
		require.NoError(t, err, "write %d waited on the probe's connection", i)
		time.Sleep(5 * time.Millisecond)
	}
	var n int
	require.NoError(t, primary.GetContext(ctx, &n, `SELECT count(*) FROM items`))
	require.Equal(t, 20, n)
}
