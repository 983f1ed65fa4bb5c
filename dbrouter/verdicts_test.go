package dbrouter

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestVerdictsAgreeWithIsRead: the memo answers exactly as IsRead does, for every classifier case,
// for statements built at run time (new string data each call) and for a table forced to
// overwrite its slots, so a statement is never judged by another statement's verdict.
func TestVerdictsAgreeWithIsRead(t *testing.T) {
	t.Parallel()
	var v verdicts
	v.init()
	for range 3 { // first sight, then memoised
		for _, c := range classifyCases {
			require.Equal(t, IsRead(c.q), v.isRead(c.q), c.q)
			dyn := strings.Clone(c.q) // same text, other bytes
			require.Equal(t, IsRead(dyn), v.isRead(dyn), dyn)
		}
	}
	// Far more statements than slots, reads and writes interleaved: collisions everywhere.
	for i := range 8 * verdictSlots {
		q := fmt.Sprintf("SELECT * FROM t%d WHERE id = $1", i)
		if i%3 == 0 {
			q = fmt.Sprintf("SELECT * FROM t%d WHERE id = $1 FOR UPDATE", i)
		}
		require.Equal(t, IsRead(q), v.isRead(q), q)
	}
	long := "SELECT " + strings.Repeat("a, ", maxVerdictQuery) + "b FROM t"
	require.True(t, v.isRead(long))
	require.False(t, v.isRead(long+" FOR UPDATE"))
}

func TestVerdictsHitAllocatesNothing(t *testing.T) {
	var v verdicts
	v.init()
	q := `SELECT id, name, email FROM users WHERE id = $1`
	v.isRead(q)
	require.Zero(t, testing.AllocsPerRun(100, func() { _ = v.isRead(q) }))
	dyn := strings.Clone(q) // the same text from another string still hits
	require.Zero(t, testing.AllocsPerRun(100, func() { _ = v.isRead(dyn) }))
}

// BenchmarkVerdicts is the memoised classification of a repeated statement, as the router does
// it (BenchmarkIsRead is the scan alone).
func BenchmarkVerdicts(b *testing.B) {
	var v verdicts
	v.init()
	q := `SELECT id, name, email FROM users WHERE id = $1`
	b.ReportAllocs()
	for b.Loop() {
		if !v.isRead(q) {
			b.Fatal("not a read")
		}
	}
}
