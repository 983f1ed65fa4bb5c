package ratelimit_test

import (
	"context"
	"fmt"
	"time"

	"github.com/buttress-go/buttress/ratelimit"
)

// A memory store checked directly: 3 per second admits a burst of 3, then one every 333ms.
func ExampleNewMemoryStore() {
	now := time.Unix(0, 0)
	store, err := ratelimit.NewMemoryStore(&ratelimit.MemoryConfig{Now: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}
	reqs := []ratelimit.Request{{Key: "client-1", Limit: ratelimit.PerSecond(3)}}
	res := make([]ratelimit.Result, 1)
	for range 4 {
		ok, _ := store.Take(context.Background(), reqs, res)
		fmt.Println(ok, res[0].Remaining, res[0].RetryAfter.Round(time.Millisecond))
	}
	// Output:
	// true 2 0s
	// true 1 0s
	// true 0 0s
	// false 0 333ms
}

// Bad limits are errors, never an unlimited bucket.
func ExampleLimit_Validate() {
	fmt.Println(ratelimit.Limit{Rate: 10, Period: time.Minute}.Validate())
	fmt.Println(ratelimit.PerMinute(0).Validate())
	fmt.Println(ratelimit.PerMinute(10).Validate())
	// Output:
	// ratelimit: invalid limit: Limit.Burst must be >= 1 (got 0); use Burst = Rate for a plain rate
	// ratelimit: invalid limit: Limit.Rate must be >= 1 (got 0)
	// <nil>
}
