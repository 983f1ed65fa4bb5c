package httpcache

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// concurrent sends n requests at once through h and returns the recorders. release is closed
// once every request's goroutine has been started (not necessarily once all are waiting), so a
// handler blocking on it holds the first fill while the others arrive.
func concurrent(h http.Handler, n int, release chan struct{}, headers func(i int) []string) []*httptest.ResponseRecorder {
	out := make([]*httptest.ResponseRecorder, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var hs []string
			if headers != nil {
				hs = headers(i)
			}
			out[i] = get(h, "GET", "/hot", hs...)
		})
	}
	close(release)
	wg.Wait()
	return out
}

func TestConcurrentMissesRunTheHandlerOnce(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	release := make(chan struct{})
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		<-release
		_, _ = w.Write([]byte("hot"))
	}))
	ws := concurrent(h, 200, release, nil)
	for _, w := range ws {
		require.Equal(t, 200, w.Code)
		require.Equal(t, "hot", w.Body.String())
	}
	// Requests that arrived while the first ran waited for it ("collapsed"); later ones hit.
	require.Equal(t, int64(1), b.calls.Load())
	st := p.Stats()
	require.Equal(t, uint64(1), st.Misses)
	require.Equal(t, uint64(199), st.Hits+st.Collapsed)
}

func TestConcurrentUncacheableMissesEachRun(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	release := make(chan struct{})
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		<-release
		// Personal: the response must never be shared with a waiter.
		http.SetCookie(w, &http.Cookie{Name: "n", Value: r.Header.Get("X-N")})
		fmt.Fprint(w, r.Header.Get("X-N"))
	}))
	ws := concurrent(h, 50, release, func(i int) []string { return []string{fmt.Sprint("X-N: ", i)} })
	for i, w := range ws {
		require.Equal(t, fmt.Sprint(i), w.Body.String())
	}
	require.Equal(t, int64(50), b.calls.Load())
}

func TestConcurrentVaryVariants(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	release := make(chan struct{})
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.Header().Set("Vary", "X-Lang")
		fmt.Fprint(w, r.Header.Get("X-Lang"))
	}))
	langs := []string{"en", "fr", "de"}
	ws := concurrent(h, 60, release, func(i int) []string { return []string{"X-Lang: " + langs[i%3]} })
	for i, w := range ws {
		require.Equal(t, langs[i%3], w.Body.String())
	}
	// Every request got its own language, and each language ran the handler once: requests for
	// the other languages that waited on the first fill join their own variant's fill.
	require.Equal(t, int64(3), b.calls.Load())
	for _, l := range langs {
		requireStatus(t, get(h, "GET", "/hot", "X-Lang: "+l), "buttress; hit")
	}
}

func TestWaiterThatGivesUpLeaves(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	release, started := make(chan struct{}), make(chan struct{})
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		_, _ = w.Write([]byte("slow"))
	}))
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- get(h, "GET", "/slow") }()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	r := httptestRequest("GET", "/slow").WithContext(ctx)
	w := httptest.NewRecorder()
	waiterDone := make(chan struct{})
	go func() { h.ServeHTTP(w, r); close(waiterDone) }()
	cancel()
	<-waiterDone // returns without waiting for the leader
	close(release)
	require.Equal(t, "slow", (<-done).Body.String())
	require.Equal(t, int64(1), b.calls.Load())
}

// Once a page's response could not be stored, concurrent requests for it run at once instead
// of queueing behind each other (hit-for-pass); a storable response ends that.
func TestUncacheablePagesAreNotQueued(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	const n = 8
	var mu sync.Mutex
	arrived, burst := 0, false
	all := make(chan struct{})
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inBurst := burst
		if inBurst {
			arrived++
			if arrived == n {
				close(all)
			}
		}
		mu.Unlock()
		if inBurst {
			// Each request waits until all n are in the handler together: with queueing,
			// they never would.
			select {
			case <-all:
			case <-time.After(5 * time.Second):
				http.Error(w, "queued", http.StatusServiceUnavailable)
				return
			}
		}
		http.SetCookie(w, &http.Cookie{Name: "csrf", Value: "t"})
		_, _ = w.Write([]byte("form"))
	}))
	requireStatus(t, get(h, "GET", "/form"), "buttress; fwd=uri-miss; detail=set-cookie")
	mu.Lock()
	burst = true
	mu.Unlock()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			w := get(h, "GET", "/form")
			require.Equal(t, "form", w.Body.String())
		})
	}
	wg.Wait()

	// A storable response clears the mark.
	p2 := p.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("plain")) }))
	requireStatus(t, get(p2, "GET", "/form"), "buttress; fwd=uri-miss; stored")
	requireStatus(t, get(p2, "GET", "/form"), "buttress; hit")
}
