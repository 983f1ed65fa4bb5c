package dbrouter

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// offlineRouter builds a router over node records only (no pools), for the pure routing logic:
// pickRead on a fresh, healthy replica never touches a pool.
func offlineRouter(t testing.TB, weights []int, cfg *Config) *Router {
	t.Helper()
	c, err := cfg.withDefaults()
	require.NoError(t, err)
	r := &Router{cfg: c, maxNanos: int64(c.MaxLag), lsnMode: true}
	r.verdicts.init()
	r.primary = &node{name: "primary"}
	r.primary.up.Store(true)
	for i, w := range weights {
		n := &node{name: "replica-" + strconv.Itoa(i+1), weight: w, replica: true}
		n.up.Store(true)
		n.replay.Store(1000)
		r.replicas = append(r.replicas, n)
	}
	return r
}

func TestChooseBalances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	r := offlineRouter(t, []int{1, 1, 1}, nil)
	counts := map[string]int{}
	for range 300 {
		n, reason := r.pickRead(ctx, nil)
		require.Equal(t, ReasonFresh, reason)
		counts[n.name]++
	}
	require.Equal(t, map[string]int{"replica-1": 100, "replica-2": 100, "replica-3": 100}, counts, "round-robin")

	r = offlineRouter(t, []int{1, 3}, &Config{Balance: Weighted})
	counts = map[string]int{}
	for range 400 {
		n, _ := r.pickRead(ctx, nil)
		counts[n.name]++
	}
	require.Equal(t, map[string]int{"replica-1": 100, "replica-2": 300}, counts, "weighted 1:3")

	r = offlineRouter(t, []int{1, 1, 1}, &Config{Balance: LeastInFlight})
	r.replicas[0].inflight.Store(5)
	r.replicas[1].inflight.Store(1)
	r.replicas[2].inflight.Store(3)
	for range 10 {
		n, _ := r.pickRead(ctx, nil)
		require.Equal(t, "replica-2", n.name, "least in-flight")
	}
}

func TestPickReadReasons(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := offlineRouter(t, []int{1, 1}, &Config{MaxLag: time.Second})

	n, reason := r.pickRead(WithPrimary(ctx), scopeFrom(WithPrimary(ctx)))
	require.Equal(t, "primary", n.name)
	require.Equal(t, ReasonForced, reason)

	// A session token both replicas have replayed: a replica.
	sctx := WithSession(ctx, NewSession(Token{LSN: 900}))
	_, reason = r.pickRead(sctx, scopeFrom(sctx))
	require.Equal(t, ReasonFresh, reason)

	// Lag limits: one replica lagging in time, the other in bytes.
	r.replicas[0].lagNanos.Store(int64(2 * time.Second))
	r.replicas[1].lagBytes.Store(r.cfg.MaxLagBytes + 1)
	n, reason = r.pickRead(ctx, nil)
	require.Equal(t, "primary", n.name)
	require.Equal(t, ReasonLagging, reason)

	// WithMaxStaleness tightens MaxLag.
	r.replicas[0].lagNanos.Store(int64(300 * time.Millisecond))
	_, reason = r.pickRead(ctx, nil)
	require.Equal(t, ReasonFresh, reason)
	st := WithMaxStaleness(ctx, 100*time.Millisecond)
	_, reason = r.pickRead(st, scopeFrom(st))
	require.Equal(t, ReasonLagging, reason)

	// Every replica ejected: fallback.
	for _, n := range r.replicas {
		n.up.Store(false)
	}
	n, reason = r.pickRead(ctx, nil)
	require.Equal(t, "primary", n.name)
	require.Equal(t, ReasonFallback, reason)

	// No replica at all.
	r0 := offlineRouter(t, nil, nil)
	_, reason = r0.pickRead(ctx, nil)
	require.Equal(t, ReasonNoReplica, reason)

	// A session pinned to the primary (rejected cookie) and a pin window.
	s := &Session{}
	s.PinPrimary()
	pctx := WithSession(ctx, s)
	r1 := offlineRouter(t, []int{1}, nil)
	_, reason = r1.pickRead(pctx, scopeFrom(pctx))
	require.Equal(t, ReasonSticky, reason)
	wctx := WithSession(ctx, NewSession(Token{PinUntil: time.Now().Add(time.Hour)}))
	_, reason = r1.pickRead(wctx, scopeFrom(wctx))
	require.Equal(t, ReasonSticky, reason)

	// A position from another cluster (another shard's primary) proves nothing here.
	fctx := WithSession(ctx, NewSession(Token{Cluster: 99, LSN: 5}))
	_, reason = r1.pickRead(fctx, scopeFrom(fctx))
	require.Equal(t, ReasonSticky, reason)
	// Within one cluster positions only move forward; a write elsewhere replaces the position.
	s2 := NewSession(Token{LSN: 500})
	s2.Merge(Token{LSN: 400})
	require.Equal(t, LSN(500), s2.Token().LSN)
	s2.advanceLSN(99, 7)
	require.Equal(t, Token{Cluster: 99, LSN: 7}, s2.Token())

	// ReplicaShare 50: half the reads stay on the primary.
	r2 := offlineRouter(t, []int{1}, &Config{ReplicaShare: 50})
	shares := map[Reason]int{}
	for range 200 {
		_, reason := r2.pickRead(ctx, nil)
		shares[reason]++
	}
	require.Equal(t, map[Reason]int{ReasonFresh: 100, ReasonShare: 100}, shares)
}

func TestPickReadAllocatesNothing(t *testing.T) {
	r := offlineRouter(t, []int{1, 2, 3}, &Config{Balance: Weighted})
	ctx := WithSession(context.Background(), NewSession(Token{LSN: 10}))
	sc := scopeFrom(ctx)
	require.Zero(t, testing.AllocsPerRun(1000, func() { _, _ = r.pickRead(ctx, sc) }))
}

// BenchmarkRoute is the routing decision of a read: ctx lookup, classification, replica choice
// under each balance policy, with a session token.
func BenchmarkRoute(b *testing.B) {
	for _, bal := range []struct {
		name string
		b    Balance
	}{{"round_robin", RoundRobin}, {"least_in_flight", LeastInFlight}, {"weighted", Weighted}} {
		b.Run(bal.name, func(b *testing.B) {
			r := offlineRouter(b, []int{1, 2, 3}, &Config{Balance: bal.b})
			ctx := WithSession(context.Background(), NewSession(Token{LSN: 10}))
			q := `SELECT id, name, email FROM users WHERE id = $1`
			b.ReportAllocs()
			for b.Loop() {
				if !r.verdicts.isRead(q) {
					b.Fatal("not a read")
				}
				n, reason := r.pickRead(ctx, scopeFrom(ctx))
				r.decided(ctx, n, reason)
			}
		})
	}
}

// BenchmarkPickRead is the replica choice alone (ctx lookup, session check, balance), without
// classifying the SQL.
func BenchmarkPickRead(b *testing.B) {
	r := offlineRouter(b, []int{1, 2, 3}, nil)
	ctx := WithSession(context.Background(), NewSession(Token{LSN: 10}))
	b.ReportAllocs()
	for b.Loop() {
		n, reason := r.pickRead(ctx, scopeFrom(ctx))
		r.decided(ctx, n, reason)
	}
}

func TestLagSince(t *testing.T) {
	t.Parallel()
	r := offlineRouter(t, nil, nil)
	t0 := time.Unix(1000, 0)
	for i, l := range []LSN{100, 100, 200, 300} { // idle, then two writes
		r.samples[r.nSamples%sampleRing] = sample{at: t0.Add(time.Duration(i) * time.Second), lsn: l}
		r.nSamples++
	}
	now := t0.Add(3500 * time.Millisecond)
	require.Zero(t, r.lagSince(300, now), "caught up")
	require.Zero(t, r.lagSince(400, now))
	require.Equal(t, 500*time.Millisecond, r.lagSince(200, now), "behind since the sample that first passed it")
	require.Equal(t, 1500*time.Millisecond, r.lagSince(100, now))
	require.Equal(t, 3500*time.Millisecond, r.lagSince(50, now), "behind the whole ring: its age")
}
