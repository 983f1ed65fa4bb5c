package dbrouter

import (
	"context"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/buttress-go/buttress/dbrouter"
	"github.com/buttress-go/buttress/internal/testenv"
)

type item struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

// setup skips unless `make services` is up, then creates a schema with 1,000 rows visible on the
// replica and returns pools on both servers.
func setup(b *testing.B) (primary, replica *sqlx.DB) {
	b.Helper()
	if os.Getenv(testenv.EnvPrimary) == "" || os.Getenv(testenv.EnvReplica) == "" {
		b.Skip("BUTTRESS_PG_PRIMARY/BUTTRESS_PG_REPLICA unset: run `make services` and load .services/env")
	}
	s := testenv.NewSchema(b)
	primary = s.OpenPrimary(b)
	_, err := primary.Exec(`CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL);
		INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 1000) g`)
	if err != nil {
		b.Fatal(err)
	}
	replica = s.OpenReplica(b)
	for _, db := range []*sqlx.DB{primary, replica} {
		db.SetMaxIdleConns(8)
		db.SetMaxOpenConns(8)
		// Warm both pools and the servers' caches so the first contender pays no start-up cost.
		var it item
		for i := range 2000 {
			if err := db.Get(&it, pkSelect, int64(i%1000+1)); err != nil {
				b.Fatal(err)
			}
		}
	}
	return primary, replica
}

func newRouter(b *testing.B, primary, replica *sqlx.DB) *dbrouter.Router {
	b.Helper()
	r, err := dbrouter.New(context.Background(), dbrouter.Node{DB: primary}, []dbrouter.Node{{DB: replica}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = r.Close() })
	return r
}

const pkSelect = `SELECT id, name FROM items WHERE id = $1`

// BenchmarkPrimaryKeySelect: the same primary-key SELECT on the same replica, through the router
// (classification, routing, accounting) and on the raw *sqlx.DB, 4 goroutines per CPU.
func BenchmarkPrimaryKeySelect(b *testing.B) {
	primary, replica := setup(b)
	r := newRouter(b, primary, replica)
	run := func(b *testing.B, get func(ctx context.Context, dest any, id int64) error) {
		b.ReportAllocs()
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			var it item
			var id int64
			for pb.Next() {
				id = id%1000 + 1
				if err := get(ctx, &it, id); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.Run("buttress", func(b *testing.B) {
		before := r.Stats().ReplicaQueries
		run(b, func(ctx context.Context, dest any, id int64) error { return r.GetContext(ctx, dest, pkSelect, id) })
		b.ReportMetric(float64(r.Stats().ReplicaQueries-before)/float64(b.N)*100, "%replica")
	})
	b.Run("sqlx", func(b *testing.B) {
		run(b, func(ctx context.Context, dest any, id int64) error {
			return replica.GetContext(ctx, dest, pkSelect, id)
		})
	})
}

// BenchmarkWriteThenRead: an UPDATE then a read of the same row that must see it. buttress reads
// with its session (replica when it has replayed the write, after at most one probe, else the
// primary); sqlx_primary is the usual safe answer without a router: read the primary.
func BenchmarkWriteThenRead(b *testing.B) {
	primary, replica := setup(b)
	r := newRouter(b, primary, replica)
	b.Run("buttress", func(b *testing.B) {
		b.ReportAllocs()
		ctx := dbrouter.WithSession(context.Background(), nil)
		before := r.Stats().ReplicaQueries
		var it item
		for i := 0; b.Loop(); i++ {
			id := int64(i%1000 + 1)
			if _, err := r.ExecContext(ctx, `UPDATE items SET name = $1 WHERE id = $2`, time.Now().String(), id); err != nil {
				b.Fatal(err)
			}
			if err := r.GetContext(ctx, &it, pkSelect, id); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(r.Stats().ReplicaQueries-before)/float64(b.N)*100, "%replica")
	})
	b.Run("sqlx_primary", func(b *testing.B) {
		b.ReportAllocs()
		ctx := context.Background()
		var it item
		for i := 0; b.Loop(); i++ {
			id := int64(i%1000 + 1)
			if _, err := primary.ExecContext(ctx, `UPDATE items SET name = $1 WHERE id = $2`, time.Now().String(), id); err != nil {
				b.Fatal(err)
			}
			if err := primary.GetContext(ctx, &it, pkSelect, id); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPrimaryKeySelectPaired: the router's overhead on a primary-key SELECT, measured in
// pairs. Each iteration runs the query once through the router and once on the raw *sqlx.DB,
// in alternating order, on the same pool, timing each: drift on a noisy machine and the pool's
// state hit both sides alike, which separate sub-benchmarks run one after the other cannot
// promise. overhead-% is the router's extra time per query relative to raw sqlx.
func BenchmarkPrimaryKeySelectPaired(b *testing.B) {
	primary, replica := setup(b)
	r := newRouter(b, primary, replica)
	b.Run("buttress_vs_sqlx", func(b *testing.B) {
		var routed, raw atomic.Int64
		before := r.Stats().ReplicaQueries
		b.ReportAllocs()
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			var it item
			var id int64
			var tr, tx time.Duration
			for i := 0; pb.Next(); i++ {
				id = id%1000 + 1
				for j := range 2 {
					start := time.Now()
					var err error
					if (i+j)%2 == 0 {
						err = r.GetContext(ctx, &it, pkSelect, id)
						tr += time.Since(start)
					} else {
						err = replica.GetContext(ctx, &it, pkSelect, id)
						tx += time.Since(start)
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			}
			routed.Add(int64(tr))
			raw.Add(int64(tx))
		})
		n := float64(b.N)
		b.ReportMetric(float64(routed.Load())/n/1e3, "buttress-µs")
		b.ReportMetric(float64(raw.Load())/n/1e3, "sqlx-µs")
		b.ReportMetric((float64(routed.Load())/float64(raw.Load())-1)*100, "overhead-%")
		b.ReportMetric(float64(r.Stats().ReplicaQueries-before)/n*100, "%replica")
	})
}
