package dbrouter

import (
	"testing"

	"github.com/stretchr/testify/require"
)

var classifyCases = []struct {
	q    string
	read bool
}{
	{`SELECT * FROM users WHERE id = $1`, true},
	{`  select 1`, true},
	{"\n\t-- comment\n/* block /* nested */ */ SELECT 1", true},
	{`(SELECT 1) UNION (SELECT 2)`, true},
	{`WITH t AS (SELECT 1) SELECT * FROM t`, true},
	{`VALUES (1), (2)`, true},
	{`TABLE users`, true},
	{`SHOW search_path`, true},
	{`SELECT 'insert into x' AS s`, true},
	{`SELECT "update" FROM t`, true},
	{`SELECT $$ delete $$`, true},
	{`SELECT $tag$ delete $tag$`, true},
	{`SELECT E'it\'s' AS s`, true},
	{`SELECT updated_at, inserted FROM t`, true},
	{`SELECT count(*) FROM t -- delete everything`, true},
	{`SELECT * FROM t FOR UPDATE`, false},
	{`SELECT * FROM t FOR NO KEY UPDATE`, false},
	{`SELECT * FROM t FOR SHARE`, false},
	{`SELECT * FROM t FOR KEY SHARE`, false},
	{`WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d`, false},
	{`WITH u AS (UPDATE t SET a = 1 RETURNING *) SELECT 1`, false},
	{`INSERT INTO t VALUES (1)`, false},
	{`insert into t values (1) returning id`, false},
	{`UPDATE t SET a = 1`, false},
	{`DELETE FROM t`, false},
	{`SELECT * INTO new_t FROM t`, false},
	{`SELECT nextval('seq')`, false},
	{`SELECT NEXTVAL ('seq')`, false},
	{`SELECT setval('seq', 1)`, false},
	{`SELECT currval('seq')`, false},
	{`SELECT pg_advisory_lock(1)`, false},
	{`SELECT pg_try_advisory_lock(1)`, false},
	{`SELECT pg_try_advisory_xact_lock(1, 2)`, false},
	{`select PG_TRY_ADVISORY_LOCK_SHARED(1)`, false},
	{`SELECT pg_advisory_unlock_all()`, false},
	{`SELECT 1; DELETE FROM t`, false},
	{`EXPLAIN ANALYZE DELETE FROM t`, false},
	{`CALL proc()`, false},
	{`BEGIN`, false},
	{``, false},
	{`   `, false},
	{`/* unterminated SELECT 1`, false},
	{`SELECT 'unterminated`, false},
	{`SELECT 'a\' ; DELETE FROM t; SELECT '`, false}, // backslash: depends on standard_conforming_strings
	{`SELECT E'\'' , 1; DELETE FROM t; --'`, false},
	{`SELECT $x$ unterminated`, false},
	{`selectx 1`, false},
	{`MERGE INTO t USING s ON true WHEN MATCHED THEN DO NOTHING`, false},
	{`SELECT lock FROM t`, false}, // a column named like a write word: safe default
	{`SELECT pg_notify('c', 'x')`, false},
	{`SELECT txid_current()`, false},
	{`SELECT pg_current_xact_id()`, false},
	{`SELECT pg_last_wal_replay_lsn()`, true},
}

func TestIsRead(t *testing.T) {
	t.Parallel()
	for _, c := range classifyCases {
		require.Equal(t, c.read, IsRead(c.q), "IsRead(%q)", c.q)
	}
}

func TestIsReadAllocatesNothing(t *testing.T) {
	q := `WITH t AS (SELECT id FROM users WHERE name = 'x' /* c */) SELECT * FROM t WHERE id = ANY($1) FOR SHARE`
	allocs := testing.AllocsPerRun(100, func() { _ = IsRead(q) })
	require.Zero(t, allocs)
}

// FuzzIsRead checks the classifier never panics and never lets a trailing write hide: whatever
// q is, q followed by a statement separator and a DELETE is not a read, unless q leaves a
// literal, identifier or comment open (which is itself "not a read").
func FuzzIsRead(f *testing.F) {
	for _, c := range classifyCases {
		f.Add(c.q)
	}
	var v verdicts
	v.init()
	f.Fuzz(func(t *testing.T, q string) {
		read := IsRead(q)
		if read && IsRead(q+"\n; DELETE FROM t") {
			t.Fatalf("IsRead(%q + DELETE) = true", q)
		}
		if read && IsRead(q+"\n FOR UPDATE") {
			t.Fatalf("IsRead(%q + FOR UPDATE) = true", q)
		}
		if read != IsRead(" \n"+q) {
			t.Fatalf("leading whitespace changed IsRead(%q)", q)
		}
		for range 2 { // first sight, then from the memo
			if v.isRead(q) != read {
				t.Fatalf("memoised verdict of %q differs from IsRead", q)
			}
		}
	})
}

func BenchmarkIsRead(b *testing.B) {
	q := `SELECT id, name, email FROM users WHERE id = $1`
	b.ReportAllocs()
	for b.Loop() {
		if !IsRead(q) {
			b.Fatal("not a read")
		}
	}
}
