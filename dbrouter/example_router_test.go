package dbrouter_test

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/buttress-go/buttress/dbrouter"
)

// exampleDBs opens an in-memory SQLite database twice: as the primary and as a "replica".
// With PostgreSQL, open the primary and each streaming replica with the pgx driver instead.
func exampleDBs(name string) (primary, replica *sqlx.DB) {
	dsn := "file:" + name + "?mode=memory&cache=shared"
	primary = sqlx.MustOpen("sqlite", dsn)
	primary.MustExec(`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)`)
	replica = sqlx.MustOpen("sqlite", dsn)
	return primary, replica
}

func ExampleNew() {
	primary, replica := exampleDBs("example_new")
	defer primary.Close()
	defer replica.Close()
	ctx := context.Background()
	r, err := dbrouter.New(ctx, dbrouter.Node{Name: "primary", DB: primary},
		[]dbrouter.Node{{Name: "replica", DB: replica}},
		&dbrouter.Config{OnDecision: func(_ context.Context, d dbrouter.Decision) {
			fmt.Println(d.Node, d.Reason)
		}})
	if err != nil {
		panic(err)
	}
	defer r.Close()

	// One session per user or request (dbrouter.Middleware does this for HTTP).
	ctx = dbrouter.WithSession(ctx, nil)
	_, _ = r.ExecContext(ctx, `INSERT INTO users VALUES (1, 'ada')`)
	var name string
	_ = r.GetContext(ctx, &name, `SELECT name FROM users WHERE id = 1`)                             // its own write: primary
	_ = r.GetContext(context.Background(), &name, `SELECT name FROM users WHERE id = 1`)            // anyone else: replica
	_ = r.GetContext(context.Background(), &name, `SELECT name FROM users WHERE id = 1 FOR UPDATE`) // may lock: primary
	fmt.Println(name)
	// Output:
	// primary write
	// primary sticky
	// replica fresh
	// primary write
	// ada
}

func ExampleIsRead() {
	fmt.Println(dbrouter.IsRead(`SELECT * FROM users WHERE id = $1`))
	fmt.Println(dbrouter.IsRead(`WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d`))
	fmt.Println(dbrouter.IsRead(`SELECT nextval('users_id_seq')`))
	// Output:
	// true
	// false
	// false
}

func ExampleWithPrimary() {
	primary, replica := exampleDBs("example_with_primary")
	defer primary.Close()
	defer replica.Close()
	r, _ := dbrouter.New(context.Background(), dbrouter.Node{DB: primary}, []dbrouter.Node{{DB: replica}}, nil)
	defer r.Close()
	fmt.Println(r.Reader(context.Background()) == replica)
	fmt.Println(r.Reader(dbrouter.WithPrimary(context.Background())) == primary)
	// Output:
	// true
	// true
}

func ExampleRouter_BeginTxx() {
	primary, replica := exampleDBs("example_tx")
	defer primary.Close()
	defer replica.Close()
	ctx := context.Background()
	r, _ := dbrouter.New(ctx, dbrouter.Node{DB: primary}, []dbrouter.Node{{Name: "replica", DB: replica}}, nil)
	defer r.Close()

	tx, _ := r.BeginTxx(ctx, nil) // read-write: the primary
	_, _ = tx.ExecContext(ctx, `INSERT INTO users VALUES (2, 'bob')`)
	_ = tx.Commit()
	fmt.Println(tx.Node())
	// Application code can take a dbrouter.Queryer and run on either.
	var q dbrouter.Queryer = r
	var n int
	_ = q.GetContext(ctx, &n, `SELECT count(*) FROM users`)
	fmt.Println(n)
	// Output:
	// primary
	// 1
}

func ExampleWithQueryCounter() {
	primary, replica := exampleDBs("example_counter")
	defer primary.Close()
	defer replica.Close()
	r, _ := dbrouter.New(context.Background(), dbrouter.Node{DB: primary}, []dbrouter.Node{{DB: replica}}, nil)
	defer r.Close()
	ctx, counter := dbrouter.WithQueryCounter(context.Background())
	_, _ = r.ExecContext(ctx, `INSERT INTO users VALUES (3, 'cy')`)
	var name string
	_ = r.GetContext(ctx, &name, `SELECT name FROM users WHERE id = 3`)
	// An empty batch runs no query.
	users, _ := dbrouter.SelectAny[string, int](ctx, r, `SELECT name FROM users WHERE id = ANY($1)`, nil)
	fmt.Println(counter.Count(), dbrouter.CountQueries(ctx), len(users))
	// Output: 2 2 0
}
