package httpcache

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/buttress-go/buttress/cache"
	"github.com/buttress-go/buttress/cache/httpcache"
	"github.com/buttress-go/buttress/internal/testenv"
)

// setup skips unless `make services` is up, then creates a schema holding 10,000 products.
func setup(b *testing.B) *sqlx.DB {
	b.Helper()
	if os.Getenv(testenv.EnvPrimary) == "" {
		b.Skip("BUTTRESS_PG_PRIMARY unset: run `make services` and load .services/env")
	}
	db := testenv.NewSchema(b).OpenPrimary(b)
	_, err := db.Exec(`CREATE TABLE products (id bigint PRIMARY KEY, category int NOT NULL, name text NOT NULL,
			price numeric(10,2) NOT NULL, description text NOT NULL);
		INSERT INTO products SELECT g, g % 50, 'product ' || g, (g % 997) / 10.0, repeat('lorem ipsum ', 20)
			FROM generate_series(1, 10000) g;
		CREATE INDEX ON products (category, price);
		ANALYZE products`)
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	return db
}

type product struct {
	ID          int64   `db:"id"`
	Category    int     `db:"category"`
	Name        string  `db:"name"`
	Price       float64 `db:"price"`
	Description string  `db:"description"`
}

var page = template.Must(template.New("page").Parse(`<!doctype html><title>{{.P.Name}}</title>
<h1>{{.P.Name}}</h1><p>{{.P.Description}}</p><p>{{printf "%.2f" .P.Price}} €</p>
<h2>Related</h2><ul>{{range .Related}}<li><a href="/products/{{.ID}}">{{.Name}}</a> {{printf "%.2f" .Price}}</li>{{end}}</ul>`))

// productPage is a typical read-heavy view: the product by primary key, then ten related
// products by an indexed range, rendered with html/template.
func productPage(db *sqlx.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		httpcache.AddTags(r.Context(), fmt.Sprint("product:", id), "catalog")
		var data struct {
			P       product
			Related []product
		}
		ctx := r.Context()
		if err := db.GetContext(ctx, &data.P, `SELECT id, category, name, price, description FROM products WHERE id = $1`, id); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if err := db.SelectContext(ctx, &data.Related, `SELECT id, category, name, price, description FROM products
				WHERE category = $1 AND id <> $2 ORDER BY price DESC LIMIT 10`, data.P.Category, id); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = page.Execute(w, data)
	})
}

// BenchmarkProductPage: requests per second of the same PostgreSQL-backed page with the page
// cache (memory store) and without, over HTTP on loopback, 8 client goroutines per CPU, on
// 200 distinct product pages.
func BenchmarkProductPage(b *testing.B) {
	db := setup(b)
	store, err := cache.NewMemoryStore(nil)
	if err != nil {
		b.Fatal(err)
	}
	pages, err := httpcache.NewPages(store, &httpcache.Config{TTL: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	mux := func(h http.Handler) http.Handler {
		m := http.NewServeMux()
		m.Handle("GET /products/{id}", h)
		return m
	}
	for _, c := range []struct {
		name string
		h    http.Handler
	}{
		{"buttress", mux(pages.Middleware(productPage(db)))},
		{"uncached", mux(productPage(db))},
	} {
		b.Run(c.name, func(b *testing.B) { runPage(b, c.h) })
	}
	_ = pages.InvalidateTags(context.Background(), "catalog")
}

func runPage(b *testing.B, h http.Handler) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	get := func(id int) error {
		resp, err := client.Get(srv.URL + "/products/" + strconv.Itoa(id))
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	// Warm up with as many concurrent clients as the run uses, so that HTTP and PostgreSQL
	// connections are open (and, for buttress, the pages cached) before timing.
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			for id := 1 + g; id <= 200; id += 16 {
				if err := get(id); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(rand.Uint64(), 1))
		for pb.Next() {
			if err := get(1 + rng.IntN(200)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
