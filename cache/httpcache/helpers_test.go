package httpcache

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buttress-go/buttress/cache"
	"github.com/stretchr/testify/require"
)

// clock is a settable time source shared by the middleware and its cache.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type testBundle struct {
	store  *cache.MemoryStore
	clock  *clock
	calls  atomic.Int64
	errors atomic.Int64
}

// setup returns Pages over a fresh memory store with a fake clock; cfg may be nil.
func setup(t *testing.T, cfg *Config) (*Pages, *testBundle) {
	t.Helper()
	store, err := cache.NewMemoryStore(nil)
	require.NoError(t, err)
	b := &testBundle{store: store, clock: newClock()}
	var c Config
	if cfg != nil {
		c = *cfg
	}
	c.Now = b.clock.Now
	if c.OnError == nil {
		c.OnError = func(_ ctxT, _ error) { b.errors.Add(1) }
	}
	c.Cache = &cache.Config{Jitter: -1}
	p, err := NewPages(store, &c)
	require.NoError(t, err)
	return p, b
}

// counting wraps fn so that b.calls counts handler runs.
func (b *testBundle) counting(fn http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.calls.Add(1)
		fn(w, r)
	})
}

// get sends method target through h with headers given as "Name: value" strings.
func get(h http.Handler, method, target string, headers ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for _, hv := range headers {
		k, v, _ := strings.Cut(hv, ":")
		r.Header.Add(k, strings.TrimSpace(v))
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func requireStatus(t *testing.T, w interface{ Header() http.Header }, cacheStatus string) {
	t.Helper()
	require.Equal(t, cacheStatus, w.Header().Get("Cache-Status"))
}
