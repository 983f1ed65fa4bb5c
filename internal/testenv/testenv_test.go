package testenv_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/internal/testenv"
)

func TestSchemaIsolatedAndOnReplica(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.NewSchema(t)
	primary := s.OpenPrimary(t)
	_, err := primary.ExecContext(ctx, `CREATE TABLE items (id int PRIMARY KEY, name text)`)
	require.NoError(t, err)
	_, err = primary.ExecContext(ctx, `INSERT INTO items VALUES (1, 'one')`)
	require.NoError(t, err)

	replica := s.OpenReplica(t)
	var name string
	require.NoError(t, replica.GetContext(ctx, &name, `SELECT name FROM items WHERE id = 1`))
	require.Equal(t, "one", name)

	var inRecovery bool
	require.NoError(t, replica.GetContext(ctx, &inRecovery, `SELECT pg_is_in_recovery()`))
	require.True(t, inRecovery, "the replica must be a standby")
	require.NoError(t, primary.GetContext(ctx, &inRecovery, `SELECT pg_is_in_recovery()`))
	require.False(t, inRecovery, "the primary must not be a standby")

	// Another test's schema does not see this table.
	other := testenv.NewSchema(t).OpenPrimary(t)
	var n int
	require.NoError(t, other.GetContext(ctx, &n,
		`SELECT count(*) FROM information_schema.tables WHERE table_name = 'items' AND table_schema = current_schema()`))
	require.Zero(t, n)
}

func TestPauseAndResumeReplay(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	faults := testenv.ReplicaFaults(t)
	s := testenv.NewSchema(t)
	primary := s.OpenPrimary(t)
	_, err := primary.ExecContext(ctx, `CREATE TABLE items (id int PRIMARY KEY)`)
	require.NoError(t, err)
	replica := s.OpenReplica(t) // same test holds the replica exclusively: must not block

	require.NoError(t, faults.PauseReplay(ctx))
	paused, err := faults.ReplayPaused(ctx)
	require.NoError(t, err)
	require.True(t, paused)

	_, err = primary.ExecContext(ctx, `INSERT INTO items VALUES (1)`)
	require.NoError(t, err)
	lsn, err := testenv.CurrentLSN(ctx, primary)
	require.NoError(t, err)

	// While paused, the row stays invisible on the replica, however long we wait.
	time.Sleep(300 * time.Millisecond)
	var n int
	require.NoError(t, replica.GetContext(ctx, &n, `SELECT count(*) FROM items`))
	require.Equal(t, 0, n, "row visible on the replica while replay is paused")
	waitCtx, waitCancel := context.WithTimeout(ctx, 200*time.Millisecond)
	require.Error(t, faults.WaitReplayed(waitCtx, lsn), "WaitReplayed must not succeed while paused")
	waitCancel()

	require.NoError(t, faults.ResumeReplay(ctx))
	require.NoError(t, faults.WaitReplayed(ctx, lsn))
	require.NoError(t, replica.GetContext(ctx, &n, `SELECT count(*) FROM items`))
	require.Equal(t, 1, n, "row invisible on the replica after resume")
}

func TestStopAndStartReplica(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	faults := testenv.ReplicaFaults(t)
	replica := testenv.Open(t, faults.DSN())
	require.NoError(t, replica.PingContext(ctx))

	require.NoError(t, faults.Stop(ctx))
	replica.SetMaxIdleConns(0) // force a new connection
	pingCtx, pingCancel := context.WithTimeout(ctx, 2*time.Second)
	require.Error(t, replica.PingContext(pingCtx), "a stopped replica must refuse connections")
	pingCancel()

	require.NoError(t, faults.Start(ctx))
	require.NoError(t, replica.PingContext(ctx))

	// It streams again: a write on the primary reaches it.
	s := testenv.NewSchema(t)
	primary := s.OpenPrimary(t)
	_, err := primary.ExecContext(ctx, `CREATE TABLE after_restart (id int)`)
	require.NoError(t, err)
	lsn, err := testenv.CurrentLSN(ctx, primary)
	require.NoError(t, err)
	require.NoError(t, faults.WaitReplayed(ctx, lsn))
}

func TestRedisPrefixIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, prefix := testenv.Redis(t)
	_, prefix2 := testenv.Redis(t)
	require.NotEqual(t, prefix, prefix2)
	require.NoError(t, client.Do(ctx, client.B().Set().Key(prefix+"k").Value("v").Build()).Error())
	v, err := client.Do(ctx, client.B().Get().Key(prefix+"k").Build()).ToString()
	require.NoError(t, err)
	require.Equal(t, "v", v)
	_, err = client.Do(ctx, client.B().Get().Key(prefix2+"k").Build()).ToString()
	require.True(t, rueidis.IsRedisNil(err))
}

func TestPrivateRedisStopStartAndKillClients(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv := testenv.StartRedis(t)
	client := testenv.NewRedisClient(t, srv.Addr)
	require.NoError(t, client.Do(ctx, client.B().Set().Key("k").Value("v").Build()).Error())

	killed, err := srv.KillClients(ctx)
	require.NoError(t, err)
	require.GreaterOrEqual(t, killed, int64(1), "our client's connection must be killed")
	// rueidis reconnects on its own after a killed connection.
	require.Eventually(t, func() bool {
		return client.Do(ctx, client.B().Ping().Build()).Error() == nil
	}, 10*time.Second, 20*time.Millisecond)

	require.NoError(t, srv.Stop())
	require.False(t, srv.Running())
	opCtx, opCancel := context.WithTimeout(ctx, time.Second)
	require.Error(t, client.Do(opCtx, client.B().Get().Key("k").Build()).Error(), "a stopped Redis must fail")
	opCancel()

	require.NoError(t, srv.Start(ctx))
	require.Eventually(t, func() bool {
		return client.Do(ctx, client.B().Ping().Build()).Error() == nil
	}, 10*time.Second, 20*time.Millisecond)
	// Nothing is kept across a restart.
	_, err = client.Do(ctx, client.B().Get().Key("k").Build()).ToString()
	require.True(t, rueidis.IsRedisNil(err), "got %v", err)
}
