package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

func TestMetaRoundTrip(t *testing.T) {
	t.Parallel()
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	md, err := updateMeta([]byte(`{"river:x":1,"other":"keep"}`), func(m *jobMeta) {
		m.RequestID, m.ExpiresAt, m.Next = "r1", &exp, []int64{7, 8}
	})
	require.NoError(t, err)
	require.Contains(t, string(md), `"other":"keep"`)
	m, err := parseMeta(md)
	require.NoError(t, err)
	require.Equal(t, jobMeta{RequestID: "r1", ExpiresAt: &exp, Next: []int64{7, 8}}, m)

	m, err = parseMeta([]byte(`{}`))
	require.NoError(t, err)
	require.Equal(t, jobMeta{}, m)
	_, err = updateMeta([]byte(`[1]`), func(*jobMeta) {})
	require.Error(t, err)
}

func TestRetryDelay(t *testing.T) {
	t.Parallel()
	r := RetryPolicy{Base: 100 * time.Millisecond, Max: time.Second}
	require.Equal(t, 100*time.Millisecond, r.delay(1, 0.5))
	require.Equal(t, 200*time.Millisecond, r.delay(2, 0.5))
	require.Equal(t, time.Second, r.delay(30, 0.5))
	r.Jitter = 0.5
	require.Equal(t, 50*time.Millisecond, r.delay(1, 0))
	require.Equal(t, 150*time.Millisecond, r.delay(1, 1))
	require.Equal(t, 24*time.Hour, RetryPolicy{Base: time.Hour}.delay(1000, 0.5))
}

func BenchmarkInsertMiddleware(b *testing.B) {
	c := &Client{cfg: Config{RequestID: RequestID, Traceparent: Traceparent}}
	m := &insertMiddleware{c: c}
	ctx := WithRequestID(context.Background(), "req-0123456789")
	inner := func(context.Context) ([]*rivertype.JobInsertResult, error) { return nil, nil }
	b.Run("with_request_id", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := []*rivertype.JobInsertParams{{Kind: "k", Metadata: []byte(`{}`)}}
			_, _ = m.InsertMany(ctx, p, inner)
		}
	})
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := []*rivertype.JobInsertParams{{Kind: "k", Metadata: []byte(`{}`)}}
			_, _ = m.InsertMany(context.Background(), p, inner)
		}
	})
}

func BenchmarkWorkMiddleware(b *testing.B) {
	c := &Client{cfg: Config{WithRequestID: WithRequestID, WithTraceparent: WithTraceparent}, metrics: newMetrics(), log: zerolog.Nop()}
	c.limiter = newLimiter(c)
	m := &workMiddleware{c: c}
	job := &rivertype.JobRow{ID: 1, Kind: "k", Queue: "default", Attempt: 1, MaxAttempts: 25,
		Metadata: []byte(`{"buttress":{"request_id":"req-0123456789"}}`)}
	inner := func(context.Context) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Work(context.Background(), job, inner)
	}
}
