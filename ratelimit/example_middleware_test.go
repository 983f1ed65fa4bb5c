package ratelimit_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/buttress-go/buttress/ratelimit"
)

// Middleware with a per-IP burst; the third request inside the minute gets 429.
func ExampleLimiter_Middleware() {
	store, _ := ratelimit.NewMemoryStore(nil)
	limiter, _ := ratelimit.New(store, nil)
	mw, err := limiter.Middleware([]ratelimit.Policy{
		// Pass secure's trusted-proxy resolver instead of nil behind a proxy.
		{Name: "ip", Limit: ratelimit.PerMinute(2), Key: ratelimit.ClientIP(nil)},
	}, nil)
	if err != nil {
		panic(err)
	}
	h := mw(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "hello") }))
	for range 3 {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "203.0.113.9:51000"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Printf("%d %s %s retry-after=%q\n", w.Code, w.Header().Get("RateLimit-Policy"), w.Header().Get("RateLimit"), w.Header().Get("Retry-After"))
	}
	// Output:
	// 200 "ip";q=2;w=60 "ip";r=1;t=30 retry-after=""
	// 200 "ip";q=2;w=60 "ip";r=0;t=60 retry-after=""
	// 429 "ip";q=2;w=60 "ip";r=0;t=60 retry-after="30"
}
