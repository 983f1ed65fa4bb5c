package rediscache_test

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/rueidis"

	"github.com/buttress-go/buttress/cache"
	"github.com/buttress-go/buttress/cache/rediscache"
)

type Product struct {
	ID    int
	Name  string
	Price int
}

// Open owns its rueidis client and hooks Redis's invalidation pushes: the fastest tag checks
// and the distributed fill lock. (Needs a running Redis, so this example is not run.)
func ExampleOpen() {
	store, err := rediscache.Open(rueidis.ClientOption{InitAddress: []string{"127.0.0.1:6379"}},
		&rediscache.Config{Prefix: "shop:", FillLock: true})
	if err != nil {
		panic(err)
	}
	defer store.Close()
	products, err := cache.New[Product](store, &cache.Config{Prefix: "product", DefaultTTL: 10 * time.Minute})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	p, err := products.GetOrLoad(ctx, "42", func(ctx context.Context) (Product, error) {
		return Product{ID: 42, Name: "Teapot"}, nil // the database query
	}, cache.Tags("product:42", "catalog"))
	fmt.Println(p.Name, err)
	// After an UPDATE of product 42, in any process:
	_ = products.InvalidateTags(ctx, "product:42")
}

// New wraps a client the application already has (client-side caching must stay enabled, the
// rueidis default). (Needs a running Redis, so this example is not run.)
func ExampleNew() {
	client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{"127.0.0.1:6379"}})
	if err != nil {
		panic(err)
	}
	defer client.Close()
	store, err := rediscache.New(client, &rediscache.Config{Prefix: "shop:", TagTTL: 48 * time.Hour})
	if err != nil {
		panic(err)
	}
	pages, _ := cache.New[[]byte](store, &cache.Config{Prefix: "page"})
	_ = pages.Set(context.Background(), "/", []byte("<html>"), cache.Tags("home"))
}
