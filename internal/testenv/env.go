package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"
)

// Environment variables written by `make services` (scripts/services.sh) and read here.
const (
	EnvPrimary     = "BUTTRESS_PG_PRIMARY"       // DSN of the PostgreSQL primary
	EnvReplica     = "BUTTRESS_PG_REPLICA"       // DSN of its streaming replica
	EnvRedis       = "BUTTRESS_REDIS"            // host:port of Redis
	EnvRequire     = "BUTTRESS_REQUIRE_SERVICES" // "1": a missing service fails instead of skipping
	EnvServicesCtl = "BUTTRESS_SERVICES_CTL"     // path of scripts/services.sh, for fault injection
	EnvServicesDir = "BUTTRESS_SERVICES_DIR"     // data folder of the services, for cross-process locks
)

// lookup returns the variable's value, or skips (fails under EnvRequire=1) the test.
func lookup(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	msg := name + " is not set: run `make services` and export what it prints (or run `make test`)"
	if os.Getenv(EnvRequire) == "1" {
		t.Fatalf("testenv: %s; %s=1 forbids skipping", msg, EnvRequire)
	}
	t.Skip("testenv: " + msg)
	return ""
}

// PrimaryDSN is the DSN of the PostgreSQL primary (database postgres, superuser postgres).
func PrimaryDSN(t testing.TB) string { t.Helper(); return lookup(t, EnvPrimary) }

// ReplicaDSN is the DSN of the primary's streaming replica. Tests that read from it should go
// through [Schema.OpenReplica] or [UseReplica] so that [ReplicaFaults] in another test waits.
func ReplicaDSN(t testing.TB) string { t.Helper(); return lookup(t, EnvReplica) }

// RedisAddr is the host:port of the shared Redis server.
func RedisAddr(t testing.TB) string { t.Helper(); return lookup(t, EnvRedis) }

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// UniqueName returns a lower-case identifier unique to this test run, built from the test's
// name and random bytes, at most 60 characters: usable as a schema name or key prefix.
func UniqueName(t testing.TB) string {
	t.Helper()
	base := unsafeChars.ReplaceAllString(strings.ToLower(t.Name()), "_")
	base = strings.Trim(base, "_")
	if len(base) > 40 {
		base = base[:40]
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("testenv: random name: %v", err)
	}
	return "t_" + base + "_" + hex.EncodeToString(b[:])
}
