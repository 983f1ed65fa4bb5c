package dbroutertest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/buttress-go/buttress/dbrouter"
	"github.com/buttress-go/buttress/dbrouter/dbroutertest"
)

func newRouter(t testing.TB) *dbrouter.Router {
	t.Helper()
	db, err := sqlx.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "a.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	_, err = db.Exec(`CREATE TABLE items (id INTEGER PRIMARY KEY, v INTEGER)`)
	require.NoError(t, err)
	r, err := dbrouter.New(context.Background(), dbrouter.Node{DB: db}, nil, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
}

func TestAssertQueries(t *testing.T) {
	t.Parallel()
	r := newRouter(t)
	dbroutertest.AssertQueries(t, 2, func(ctx context.Context) {
		_, err := r.ExecContext(ctx, `INSERT INTO items VALUES (1, 1)`)
		require.NoError(t, err)
		var v int
		require.NoError(t, r.GetContext(ctx, &v, `SELECT v FROM items WHERE id = 1`))
	})

	rec := &recorder{TB: t}
	dbroutertest.AssertQueries(rec, 1, func(ctx context.Context) {
		for range 3 {
			var v int
			require.NoError(t, r.GetContext(ctx, &v, `SELECT v FROM items WHERE id = 1`))
		}
	})
	require.Len(t, rec.failed, 1)
	require.Contains(t, rec.failed[0], "3 queries ran, want 1")
	require.Equal(t, 3, strings.Count(rec.failed[0], "SELECT v FROM items"))
}

// printT stands in for the *testing.T of a real test, printing failures.
type printT struct{ testing.TB }

func (printT) Helper()                           {}
func (printT) Context() context.Context          { return context.Background() }
func (printT) Errorf(format string, args ...any) { fmt.Printf(format+"\n", args...) }

func ExampleAssertQueries() {
	db := sqlx.MustOpen("sqlite", "file:example?mode=memory&cache=shared")
	defer db.Close()
	db.MustExec(`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)`)
	db.MustExec(`INSERT INTO users VALUES (1, 'ada'), (2, 'bob')`)
	r, _ := dbrouter.New(context.Background(), dbrouter.Node{DB: db}, nil, nil)
	defer r.Close()

	t := printT{} // in a test: the *testing.T
	// An N+1 loop: one query per id, where the test allows one.
	dbroutertest.AssertQueries(t, 1, func(ctx context.Context) {
		for _, id := range []int{1, 2} {
			var name string
			_ = r.GetContext(ctx, &name, `SELECT name FROM users WHERE id = ?`, id)
		}
	})
	// Output:
	// dbroutertest: 2 queries ran, want 1:
	//   1. SELECT name FROM users WHERE id = ?
	//   2. SELECT name FROM users WHERE id = ?
}
