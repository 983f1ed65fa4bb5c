package redisstore_test

import (
	"context"
	"fmt"

	"github.com/buttress-go/buttress/ratelimit"
	"github.com/buttress-go/buttress/ratelimit/redisstore"
	"github.com/redis/rueidis"
)

// A limiter shared by every app server through Redis, failing closed if Redis is down.
// (Not run as a test: it needs a Redis server; store_test.go covers it against a real one.)
func ExampleNew() {
	client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{"127.0.0.1:6379"}})
	if err != nil {
		panic(err)
	}
	defer client.Close()
	store, err := redisstore.New(client, &redisstore.Config{Prefix: "myapp:rl:"})
	if err != nil {
		panic(err)
	}
	limiter, err := ratelimit.New(store, &ratelimit.Config{FailClosed: true})
	if err != nil {
		panic(err)
	}
	d, res, err := limiter.Allow(context.Background(), "login:ann", ratelimit.PerMinute(5))
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Allowed, res.Remaining)
}
