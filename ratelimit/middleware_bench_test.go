package ratelimit_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/buttress-go/buttress/ratelimit"
)

// BenchmarkMiddleware: a request through the middleware with two policies (IP and route+IP) on
// the memory store, 1,000 client addresses, admitted (headers written).
func BenchmarkMiddleware(b *testing.B) {
	s, _ := ratelimit.NewMemoryStore(nil)
	l, _ := ratelimit.New(s, nil)
	mw, err := l.Middleware([]ratelimit.Policy{
		{Name: "ip", Limit: ratelimit.PerSecond(1_000_000_000), Key: ratelimit.ClientIP(nil)},
		{Name: "route", Limit: ratelimit.PerSecond(1_000_000_000), Key: ratelimit.Join(ratelimit.Route(), ratelimit.ClientIP(nil))},
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	h := mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	reqs := make([]*http.Request, 1000)
	for i := range reqs {
		reqs[i] = httptest.NewRequest("GET", "/items", nil)
		reqs[i].RemoteAddr = "10.0." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256) + ":1234"
	}
	w := httptest.NewRecorder()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		clear(w.Header())
		h.ServeHTTP(w, reqs[i%len(reqs)])
	}
}
