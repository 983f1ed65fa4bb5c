package testenv

import (
	"context"
	"fmt"
	"os/exec"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// Replica injects faults into the shared streaming replica. Get one with [ReplicaFaults].
type Replica struct {
	t   testing.TB
	ctl string
	dsn string
}

// ReplicaFaults takes the shared replica for this test alone (it waits for every other test
// that holds it through [UseReplica], in any process) and returns its fault controls. At cleanup
// the replica is started if stopped and its replay resumed if paused, so the next test finds it
// healthy.
func ReplicaFaults(t testing.TB) *Replica {
	t.Helper()
	dsn := ReplicaDSN(t)
	ctl := lookup(t, EnvServicesCtl)
	holdLock(t, "replica", true)
	r := &Replica{t: t, ctl: ctl, dsn: dsn}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := r.Start(ctx); err != nil {
			t.Errorf("testenv: restore replica: %v", err)
			return
		}
		if err := r.ResumeReplay(ctx); err != nil {
			t.Errorf("testenv: restore replica: %v", err)
		}
	})
	return r
}

// DSN is the replica's DSN (database postgres).
func (r *Replica) DSN() string { return r.dsn }

// withConn runs fn on a short-lived connection to the replica, retried until it connects or
// ctx ends (the replica may be starting up).
func (r *Replica) withConn(ctx context.Context, fn func(*sqlx.DB) error) error {
	db, err := sqlx.Open(DriverName, r.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	for {
		err = db.PingContext(ctx)
		if err == nil {
			return fn(db)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("connect to replica: %w (last error: %v)", ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// PauseReplay stops the replica from applying WAL (pg_wal_replay_pause): rows committed on the
// primary afterwards stay invisible there until [Replica.ResumeReplay]. It returns once the pause
// has taken effect.
func (r *Replica) PauseReplay(ctx context.Context) error {
	return r.withConn(ctx, func(db *sqlx.DB) error {
		if _, err := db.ExecContext(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
			return fmt.Errorf("pause replay: %w", err)
		}
		for {
			var state string
			if err := db.GetContext(ctx, &state, `SELECT pg_get_wal_replay_pause_state()`); err != nil {
				return fmt.Errorf("pause replay: %w", err)
			}
			if state == "paused" {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("pause replay: state %q: %w", state, ctx.Err())
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
}

// ResumeReplay undoes [Replica.PauseReplay].
func (r *Replica) ResumeReplay(ctx context.Context) error {
	return r.withConn(ctx, func(db *sqlx.DB) error {
		if _, err := db.ExecContext(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
			return fmt.Errorf("resume replay: %w", err)
		}
		return nil
	})
}

// ReplayPaused reports whether replay is paused (or pausing).
func (r *Replica) ReplayPaused(ctx context.Context) (bool, error) {
	var paused bool
	err := r.withConn(ctx, func(db *sqlx.DB) error {
		return db.GetContext(ctx, &paused, `SELECT pg_get_wal_replay_pause_state() <> 'not paused'`)
	})
	return paused, err
}

// WaitReplayed waits until the replica has replayed lsn (from [CurrentLSN]).
func (r *Replica) WaitReplayed(ctx context.Context, lsn string) error {
	return r.withConn(ctx, func(db *sqlx.DB) error { return WaitReplayed(ctx, db, lsn) })
}

// Stop stops the replica's postgres process (pg_ctl stop -m fast): its connections break and
// new ones are refused until [Replica.Start].
func (r *Replica) Stop(ctx context.Context) error { return r.run(ctx, "replica-stop") }

// Kill stops the replica at once (pg_ctl stop -m immediate), as a crash would.
func (r *Replica) Kill(ctx context.Context) error { return r.run(ctx, "replica-stop", "immediate") }

// Start starts the replica if it is stopped and waits until it accepts connections.
func (r *Replica) Start(ctx context.Context) error {
	if err := r.run(ctx, "replica-start"); err != nil {
		return err
	}
	return r.withConn(ctx, func(*sqlx.DB) error { return nil })
}

func (r *Replica) run(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, r.ctl, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %v: %w: %s", r.ctl, args, err, out)
	}
	return nil
}
