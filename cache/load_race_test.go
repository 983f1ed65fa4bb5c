package cache_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/cache"
)

type pauseKey struct{}

// pausingStore is a MemoryStore whose first Get made with a pauseKey ctx returns its result
// only once resume is closed: a caller descheduled between its store read and the singleflight.
type pausingStore struct {
	*cache.MemoryStore
	once           sync.Once
	missed, resume chan struct{}
}

func (s *pausingStore) Get(ctx context.Context, k cache.Key, vc cache.ValueCodec) (*cache.Entry, error) {
	e, err := s.MemoryStore.Get(ctx, k, vc)
	if ctx.Value(pauseKey{}) != nil {
		s.once.Do(func() {
			close(s.missed)
			<-s.resume
		})
	}
	return e, err
}

// TestNoSecondLoadAfterLanding: a caller whose store read missed while a load was in flight,
// but who reaches the singleflight only after that load stored its value and left, gets the
// stored value: concurrent misses for one key make exactly one loader call.
func TestNoSecondLoadAfterLanding(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string]*cache.Options{"untagged": nil, "tagged": cache.Tags("t")} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := &pausingStore{MemoryStore: newMemory(t), missed: make(chan struct{}), resume: make(chan struct{})}
			c, err := cache.New[int](s, nil)
			require.NoError(t, err)
			var calls atomic.Int32
			started, release := make(chan struct{}), make(chan struct{})
			load := func(context.Context) (int, error) {
				if calls.Add(1) == 1 {
					close(started)
				}
				<-release
				return 7, nil
			}
			type result struct {
				v   int
				err error
			}
			get := func(ctx context.Context) <-chan result {
				ch := make(chan result, 1)
				go func() {
					v, err := c.GetOrLoad(ctx, "k", load, opts)
					ch <- result{v, err}
				}()
				return ch
			}
			first := get(ctx)
			<-started
			late := get(context.WithValue(ctx, pauseKey{}, true))
			<-s.missed // the late caller's read missed: the load is still in flight
			close(release)
			r := <-first // the flight has stored its value and left
			require.NoError(t, r.err)
			require.Equal(t, 7, r.v)
			close(s.resume)
			r = <-late
			require.NoError(t, r.err)
			require.Equal(t, 7, r.v)
			v, err := c.GetOrLoad(ctx, "k", load, opts)
			require.NoError(t, err)
			require.Equal(t, 7, v)
			require.Equal(t, int32(1), calls.Load(), "loader calls")
			st := c.Stats()
			require.Equal(t, uint64(1), st.Loads)
			require.Equal(t, uint64(1), st.Hits)
		})
	}
}
