package rediscache

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestOwnWritesRecords(t *testing.T) {
	t.Parallel()
	o := newOwnWrites(time.Minute, 1024)
	_, verify := o.check("k", 1)
	require.False(t, verify, "no own write: trust the local copy")

	o.mark("k", 7)
	require.True(t, o.pending("k"))
	gen, verify := o.check("k", 6)
	require.True(t, verify, "local copy differs from the own write: read the server")
	o.confirm("k", gen, 9) // the server already had a newer value
	_, verify = o.check("k", 7)
	require.True(t, verify, "the own write is now older than what the server showed")
	_, verify = o.check("k", 9)
	require.False(t, verify, "local copy caught up: settled")
	require.False(t, o.pending("k"), "a settled record is dropped")

	// A confirm for a record written again meanwhile is ignored.
	o.mark("k", 1)
	gen, _ = o.check("k", 2)
	o.mark("k", 3)
	o.confirm("k", gen, 2)
	_, verify = o.check("k", 2)
	require.True(t, verify)

	// Two own writes of one key: dirty until a server read.
	o.mark("d", 1)
	o.mark("d", 2)
	gen, verify = o.check("d", 2)
	require.True(t, verify, "records of concurrent own writes may be out of order")
	o.confirm("d", gen, 2)
	_, verify = o.check("d", 2)
	require.False(t, verify)

	_, verify = o.check("u", tokUnknown)
	require.False(t, verify)
	o.mark("u", tokUnknown)
	_, verify = o.check("u", tokUnknown)
	require.True(t, verify, "an unidentified value never settles a record")
}

func TestOwnWritesExpire(t *testing.T) {
	t.Parallel()
	o := newOwnWrites(time.Millisecond, 1024)
	o.mark("k", 1)
	time.Sleep(5 * time.Millisecond)
	_, verify := o.check("k", 2)
	require.False(t, verify, "past LocalTTL every local copy is newer than the write")
}

func TestOwnWritesBounded(t *testing.T) {
	t.Parallel()
	o := newOwnWrites(time.Minute, 64)
	for i := range 1000 {
		o.mark(fmt.Sprint("k", i), uint64(i+1))
		require.LessOrEqual(t, len(o.m), 64)
	}
	// Every key written is still checked against the server, in the map or spilled.
	for i := range 1000 {
		_, verify := o.check(fmt.Sprint("k", i), uint64(i+2))
		require.True(t, verify, "k%d", i)
	}
}

// TestOwnWritesHeldCounts: the lock-free per-bucket record counts stay equal to the records
// through marks, settles, expiries and spills, so a key with a record is never reported clear.
func TestOwnWritesHeldCounts(t *testing.T) {
	t.Parallel()
	o := newOwnWrites(20*time.Millisecond, 64)
	requireHeld := func() {
		t.Helper()
		o.mu.RLock()
		defer o.mu.RUnlock()
		var want [spillSize]int32
		for k := range o.m {
			want[o.bucket(k)]++
		}
		for b := range want {
			require.Equal(t, want[b], o.held[b].Load(), "bucket %d", b)
		}
	}
	for round := range 6 {
		for i := range 100 { // past max: shrink drops expired records and spills the rest
			k := fmt.Sprintf("k%d", (i*7+round)%150)
			o.mark(k, uint64(i+1))
			require.True(t, o.pending(k), "just written: %s", k)
		}
		requireHeld()
		for i := range 150 {
			k := fmt.Sprintf("k%d", i)
			if _, verify := o.check(k, 0); !verify && i%2 == 0 {
				o.mark(k, 1) // marked again after settling
			}
		}
		requireHeld()
		time.Sleep(25 * time.Millisecond) // records expire; the next round's marks replace them
	}
}
