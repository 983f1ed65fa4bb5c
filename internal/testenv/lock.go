package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// A cross-process reader/writer lock on a shared server, built on flock(2) over a file in the
// services folder. Tests that read the replica hold it shared; a test that injects faults into
// the replica holds it exclusively, so a paused or stopped replica never surprises another test,
// whichever package (process) it runs in.

var exclusiveHolders sync.Map // root test name -> true, while that test holds a lock exclusively

func lockPath(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv(EnvServicesDir)
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "buttress-testenv-locks")
	}
	dir = filepath.Join(dir, "locks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("testenv: lock folder: %v", err)
	}
	return filepath.Join(dir, name)
}

func rootName(t testing.TB) string {
	n := t.Name()
	if i := strings.IndexByte(n, '/'); i >= 0 {
		n = n[:i]
	}
	return n
}

// holdLock takes the named lock for the rest of the test, shared or exclusive. A test that
// already holds it exclusively (or one of whose parents does) is not blocked by itself.
func holdLock(t testing.TB, name string, exclusive bool) {
	t.Helper()
	key := name + "\x00" + rootName(t)
	if _, ok := exclusiveHolders.Load(key); ok {
		return
	}
	f, err := os.OpenFile(lockPath(t, name), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatalf("testenv: open lock %s: %v", name, err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		_ = f.Close()
		t.Fatalf("testenv: lock %s: %v", name, err)
	}
	if exclusive {
		exclusiveHolders.Store(key, true)
	}
	t.Cleanup(func() {
		if exclusive {
			exclusiveHolders.Delete(key)
		}
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	})
}

// UseReplica marks the test as a reader of the shared replica until it ends: a test in any
// process that calls [ReplicaFaults] waits until this one is done, and this call waits while
// such a test runs. [Schema.OpenReplica] calls it for you.
func UseReplica(t testing.TB) {
	t.Helper()
	ReplicaDSN(t)
	holdLock(t, "replica", false)
}
