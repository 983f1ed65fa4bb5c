package testenv

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/jmoiron/sqlx"
)

// DriverName is the database/sql driver testenv opens PostgreSQL with (pgx's stdlib driver).
const DriverName = "pgx"

// Schema is a PostgreSQL schema private to one test, created on the primary and dropped (with
// everything in it) when the test ends.
type Schema struct {
	// Name is the schema's name.
	Name string
	// PrimaryDSN connects to the primary with search_path set to the schema.
	PrimaryDSN string
	// ReplicaDSN connects to the replica with search_path set to the schema; empty when no
	// replica is configured.
	ReplicaDSN string
}

// WithSearchPath returns dsn with the search_path runtime parameter set to schema.
func WithSearchPath(dsn, schema string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("testenv: parse DSN: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Open opens dsn with the pgx driver, pings it and closes it when the test ends.
func Open(t testing.TB, dsn string) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Open(DriverName, dsn)
	if err != nil {
		t.Fatalf("testenv: open: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		t.Fatalf("testenv: ping %s: %v (is `make services` running?)", redact(dsn), err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable DSN)"
	}
	return u.Redacted()
}

// NewSchema creates a schema private to this test on the primary and drops it at cleanup.
func NewSchema(t testing.TB) *Schema {
	t.Helper()
	primary := PrimaryDSN(t)
	name := UniqueName(t)
	admin := Open(t, primary)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+name); err != nil {
		t.Fatalf("testenv: create schema %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// The admin pool may already be closed by its own cleanup (cleanups run last-in first-out,
		// and this one was registered after it), so drop through a fresh connection.
		db, err := sqlx.Open(DriverName, primary)
		if err != nil {
			t.Errorf("testenv: drop schema %s: %v", name, err)
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+name+` CASCADE`); err != nil {
			t.Errorf("testenv: drop schema %s: %v", name, err)
		}
	})
	s := &Schema{Name: name}
	var err error
	if s.PrimaryDSN, err = WithSearchPath(primary, name); err != nil {
		t.Fatal(err)
	}
	if replica := os.Getenv(EnvReplica); replica != "" {
		if s.ReplicaDSN, err = WithSearchPath(replica, name); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// OpenPrimary opens the primary with search_path set to the schema; closed at cleanup.
func (s *Schema) OpenPrimary(t testing.TB) *sqlx.DB {
	t.Helper()
	return Open(t, s.PrimaryDSN)
}

// OpenReplica marks the test a replica reader ([UseReplica]), waits until the replica has
// replayed everything the primary has written so far (so the schema and any tables created
// before the call are visible) and opens the replica with search_path set to the schema.
func (s *Schema) OpenReplica(t testing.TB) *sqlx.DB {
	t.Helper()
	UseReplica(t)
	if s.ReplicaDSN == "" {
		s.ReplicaDSN, _ = WithSearchPath(ReplicaDSN(t), s.Name)
	}
	s.WaitOnReplica(t)
	return Open(t, s.ReplicaDSN)
}

// WaitOnReplica waits (up to 30s) until the replica has replayed the primary's current WAL
// position, so that everything committed before the call is visible there.
func (s *Schema) WaitOnReplica(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	primary := Open(t, PrimaryDSN(t))
	lsn, err := CurrentLSN(ctx, primary)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	replica := Open(t, ReplicaDSN(t))
	if err := WaitReplayed(ctx, replica, lsn); err != nil {
		t.Fatalf("testenv: schema %s not on the replica: %v", s.Name, err)
	}
}

// CurrentLSN returns the primary's current WAL write position, e.g. "0/3000148".
func CurrentLSN(ctx context.Context, primary sqlx.QueryerContext) (string, error) {
	var lsn string
	if err := sqlx.GetContext(ctx, primary, &lsn, `SELECT pg_current_wal_lsn()::text`); err != nil {
		return "", fmt.Errorf("read primary WAL position: %w", err)
	}
	return lsn, nil
}

// ReplayedLSN returns the replica's last replayed WAL position.
func ReplayedLSN(ctx context.Context, replica sqlx.QueryerContext) (string, error) {
	var lsn string
	if err := sqlx.GetContext(ctx, replica, &lsn, `SELECT coalesce(pg_last_wal_replay_lsn()::text, '0/0')`); err != nil {
		return "", fmt.Errorf("read replica replay position: %w", err)
	}
	return lsn, nil
}

// WaitReplayed polls the replica every 5ms until it has replayed lsn, or ctx ends.
func WaitReplayed(ctx context.Context, replica sqlx.QueryerContext, lsn string) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		var done bool
		err := sqlx.GetContext(ctx, replica, &done,
			`SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)`, lsn)
		if err == nil && done {
			return nil
		}
		select {
		case <-ctx.Done():
			if err != nil {
				return fmt.Errorf("wait for replay of %s: %w (last error: %v)", lsn, ctx.Err(), err)
			}
			return fmt.Errorf("wait for replay of %s: %w", lsn, ctx.Err())
		case <-tick.C:
		}
	}
}
