package ratelimit_test

import (
	"context"
	"fmt"

	"github.com/buttress-go/buttress/ratelimit"
)

// A Limiter outside HTTP, e.g. in a job worker: at most 2 e-mails per minute per recipient.
func ExampleNew() {
	store, _ := ratelimit.NewMemoryStore(nil)
	limiter, err := ratelimit.New(store, &ratelimit.Config{
		OnReject: func(_ context.Context, rej ratelimit.Rejection) {
			fmt.Println("rejected", rej.Requests[0].Key)
		},
	})
	if err != nil {
		panic(err)
	}
	for range 3 {
		d, _, err := limiter.Allow(context.Background(), "mail:ann@example.com", ratelimit.PerMinute(2))
		if err != nil {
			panic(err)
		}
		fmt.Println("allowed:", d.Allowed)
	}
	st := limiter.Stats()
	fmt.Println(st.Checks, st.Allowed, st.Limited)
	// Output:
	// allowed: true
	// allowed: true
	// rejected mail:ann@example.com
	// allowed: false
	// 3 2 1
}

// Shadow mode counts and reports what would be rejected but lets everything through.
func ExampleConfig_shadow() {
	store, _ := ratelimit.NewMemoryStore(nil)
	limiter, _ := ratelimit.New(store, &ratelimit.Config{Shadow: true})
	for range 3 {
		d, _, _ := limiter.Allow(context.Background(), "k", ratelimit.PerMinute(1))
		fmt.Println(d.Allowed, d.Limited)
	}
	fmt.Println("would have rejected:", limiter.Stats().ShadowAllowed)
	// Output:
	// true false
	// true true
	// true true
	// would have rejected: 2
}
