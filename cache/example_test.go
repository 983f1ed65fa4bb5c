package cache_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/buttress-go/buttress/cache"
)

type Product struct {
	ID    int
	Name  string
	Price int
}

func ExampleNew() {
	store, err := cache.NewMemoryStore(&cache.MemoryConfig{MaxEntries: 10_000})
	if err != nil {
		panic(err)
	}
	defer store.Close()
	products, err := cache.New[Product](store, &cache.Config{Prefix: "product", DefaultTTL: 5 * time.Minute})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	_ = products.Set(ctx, "42", Product{ID: 42, Name: "Teapot"}, cache.Tags("product:42", "catalog"))
	p, err := products.Get(ctx, "42")
	fmt.Println(p.Name, err)
	// Output: Teapot <nil>
}

func ExampleCache_GetOrLoad() {
	store, _ := cache.NewMemoryStore(nil)
	defer store.Close()
	products, _ := cache.New[Product](store, nil)
	ctx := context.Background()
	queries := 0
	load := func(ctx context.Context) (Product, error) {
		queries++ // SELECT ... FROM products WHERE id = 42
		return Product{ID: 42, Name: "Teapot", Price: 1200}, nil
	}
	for range 3 {
		p, _ := products.GetOrLoad(ctx, "42", load, cache.Tags("product:42"))
		fmt.Println(p.Name, p.Price)
	}
	fmt.Println("queries:", queries)
	// Output:
	// Teapot 1200
	// Teapot 1200
	// Teapot 1200
	// queries: 1
}

func ExampleCache_InvalidateTags() {
	store, _ := cache.NewMemoryStore(nil)
	defer store.Close()
	products, _ := cache.New[Product](store, &cache.Config{Prefix: "product"})
	pages, _ := cache.New[[]byte](store, &cache.Config{Prefix: "page"})
	ctx := context.Background()
	_ = products.Set(ctx, "42", Product{ID: 42, Price: 1200}, cache.Tags("product:42"))
	_ = pages.Set(ctx, "/products/42", []byte("<h1>Teapot</h1>"), cache.Tags("product:42", "catalog"))

	// The price changed: one call drops the product and every page showing it.
	_ = products.InvalidateTags(ctx, "product:42")
	_, err1 := products.Get(ctx, "42")
	_, err2 := pages.Get(ctx, "/products/42")
	fmt.Println(errors.Is(err1, cache.ErrNotFound), errors.Is(err2, cache.ErrNotFound))
	// Output: true true
}

func ExampleCache_GetOrLoad_negative() {
	store, _ := cache.NewMemoryStore(nil)
	defer store.Close()
	products, _ := cache.New[Product](store, &cache.Config{NegativeTTL: 30 * time.Second})
	ctx := context.Background()
	queries := 0
	load := func(ctx context.Context) (Product, error) {
		queries++
		return Product{}, fmt.Errorf("product 7: %w", cache.ErrNotFound) // sql.ErrNoRows, say
	}
	for range 3 {
		_, err := products.GetOrLoad(ctx, "7", load, nil)
		fmt.Println(errors.Is(err, cache.ErrNotFound))
	}
	fmt.Println("queries:", queries)
	// Output:
	// true
	// true
	// true
	// queries: 1
}

func ExampleNewMemoryStore() {
	// Bounded by an estimate of bytes instead of entries; values kept as they are.
	store, err := cache.NewMemoryStore(&cache.MemoryConfig{MaxBytes: 64 << 20})
	if err != nil {
		panic(err)
	}
	defer store.Close()
	pages, _ := cache.New[[]byte](store, nil)
	ctx := context.Background()
	_ = pages.Set(ctx, "/", []byte("<html>home</html>"), &cache.Options{TTL: time.Minute})
	b, _ := pages.Get(ctx, "/")
	fmt.Println(string(b))
	// Output: <html>home</html>
}

func ExampleConfig_failures() {
	store, _ := cache.NewMemoryStore(nil)
	defer store.Close()
	c, err := cache.New[string](store, &cache.Config{
		BreakerThreshold: 5,                // five store failures in a row open the breaker
		BreakerCooldown:  time.Second,      // for a second, then one call probes the store
		StaleIfError:     10 * time.Minute, // serve a stale value when the loader fails
		OnError: func(ctx context.Context, err error) {
			// log it; err is a *cache.OpError
		},
	})
	fmt.Println(err == nil, c.Stats().BackendErrors)
	_, err = cache.New[string](store, &cache.Config{Jitter: 2})
	fmt.Println(err)
	// Output:
	// true 0
	// cache: Config.Jitter must be <= 1, got 2
}
