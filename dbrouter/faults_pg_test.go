package dbrouter_test

import (
	"context"
	"flag"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/dbrouter"
)

var (
	soak       = flag.Bool("dbrouter.soak", false, "soak mode: also kill the replica (not only stop it) and run at least 10,000 cycles")
	idleFor    = flag.Duration("dbrouter.idle", 4*time.Second, "how long TestIdlePrimaryNoFalseLag watches (the design's figure is 10m)")
	soakCycles = flag.Int("dbrouter.cycles", 10000, "write-then-read cycles of TestNoStaleReadsUnderPausedReplay (lower it on a slow machine)")
)

func cycles() int {
	if *soak && *soakCycles < 10000 {
		return 10000
	}
	return *soakCycles
}

// TestNoStaleReadsUnderPausedReplay runs write-then-read cycles (8 sessions, each on its own row)
// while a controller pauses and resumes WAL replay on the real replica at random. Every read
// must return the value its session just wrote, and most reads must still be served by the
// replica.
func TestNoStaleReadsUnderPausedReplay(t *testing.T) {
	r, b := setupPG(t, true, &dbrouter.Config{ReadYourWritesWait: 50 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	n := cycles()
	const workers = 8
	for w := range workers {
		_, err := b.primary.ExecContext(ctx, `INSERT INTO items VALUES ($1, 0)`, w)
		require.NoError(t, err)
	}

	stop := make(chan struct{})
	var pauses atomic.Int64
	ctlDone := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				ctlDone <- b.faults.ResumeReplay(ctx)
				return
			case <-time.After(time.Duration(100+rand.IntN(300)) * time.Millisecond):
			}
			if err := b.faults.PauseReplay(ctx); err != nil {
				ctlDone <- err
				return
			}
			pauses.Add(1)
			time.Sleep(time.Duration(10+rand.IntN(90)) * time.Millisecond)
			if err := b.faults.ResumeReplay(ctx); err != nil {
				ctlDone <- err
				return
			}
		}
	}()

	var next atomic.Int64
	var stale, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	readsBefore := b.reads.replica.Load() + b.reads.primary.Load()
	replicaBefore := b.reads.replica.Load()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sctx := dbrouter.WithSession(ctx, nil)
			var v int64
			for next.Add(1) <= int64(n) {
				v++
				if _, err := r.ExecContext(sctx, `UPDATE items SET v = $1 WHERE id = $2`, v, w); err != nil {
					failed.Add(1)
					return
				}
				var got int64
				if err := r.GetContext(sctx, &got, `SELECT v FROM items WHERE id = $1`, w); err != nil {
					failed.Add(1)
					return
				}
				if got != v {
					stale.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	require.NoError(t, <-ctlDone)
	took := time.Since(start)
	reads := b.reads.replica.Load() + b.reads.primary.Load() - readsBefore
	onReplica := b.reads.replica.Load() - replicaBefore
	st := r.Stats()
	t.Logf("%d cycles in %s, %d replay pauses: %d stale reads, %d of %d reads on the replica (%.1f%%), decisions %v, on-demand probes %d",
		n, took.Round(time.Millisecond), pauses.Load(), stale.Load(), onReplica, reads,
		100*float64(onReplica)/float64(reads), decisionNames(st.Decisions), st.OnDemandProbes)
	require.Zero(t, failed.Load(), "no query may fail")
	require.Zero(t, stale.Load(), "no read may miss its session's write")
	require.Positive(t, pauses.Load(), "replay must have been paused at least once")
	// Right after a write the background probe's positions are old: reads with the session
	// are placed by the on-demand probe (one per read wave, shared), not sent to the primary.
	require.Positive(t, st.OnDemandProbes, "the on-demand probe placed reads after writes")
	// The figure to reach is 90%; the test holds a margin below it for a loaded CI machine.
	require.GreaterOrEqual(t, onReplica*10, reads*8, "at least 80% of reads must still land on the replica")
}

func decisionNames(m map[dbrouter.Reason]uint64) map[string]uint64 {
	out := map[string]uint64{}
	for k, v := range m {
		out[k.String()] = v
	}
	return out
}

// TestReplicaStoppedMidLoad stops (then kills) the real replica under read load: no read fails,
// the replica is ejected within 2 probe rounds of the stop, and it is re-admitted after restart.
func TestReplicaStoppedMidLoad(t *testing.T) {
	const interval = 200 * time.Millisecond
	r, b := setupPG(t, true, &dbrouter.Config{ProbeInterval: interval, ProbeTimeout: interval / 2, Readmit: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, err := b.primary.ExecContext(ctx, `INSERT INTO items VALUES (1, 7)`)
	require.NoError(t, err)
	b.schema.WaitOnReplica(t)

	var reads, failed atomic.Int64
	var firstErr atomic.Value
	loadCtx, stopLoad := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for loadCtx.Err() == nil {
				var v int64
				err := r.GetContext(loadCtx, &v, `SELECT v FROM items WHERE id = 1`)
				if loadCtx.Err() != nil {
					return
				}
				reads.Add(1)
				if err != nil || v != 7 {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		}()
	}
	waitReplicaReads := func() {
		before := b.reads.replica.Load()
		require.Eventually(t, func() bool { return b.reads.replica.Load() > before+50 }, 60*time.Second, 10*time.Millisecond,
			"reads must reach the replica")
	}
	waitReplicaReads()

	hows := []string{"stop"}
	if *soak {
		hows = append(hows, "kill")
	}
	for _, how := range hows {
		roundsBefore := r.Stats().ProbeRounds
		stopAt := time.Now()
		if how == "stop" {
			require.NoError(t, b.faults.Stop(ctx))
		} else {
			require.NoError(t, b.faults.Kill(ctx))
		}
		stopped := time.Now()
		roundsAtStop := r.Stats().ProbeRounds
		var ejectedAt time.Time
		var roundsAtEject uint64
		require.Eventually(t, func() bool {
			st := r.Stats()
			if !nodeStats(t, r, "replica").Healthy {
				ejectedAt, roundsAtEject = time.Now(), st.ProbeRounds
				return true
			}
			return false
		}, 30*time.Second, time.Millisecond)
		t.Logf("%s: pg_ctl took %s; ejected %s after it started, %s after it returned (%d probe rounds after; %d during pg_ctl)",
			how, stopped.Sub(stopAt).Round(time.Millisecond), ejectedAt.Sub(stopAt).Round(time.Millisecond),
			max(0, ejectedAt.Sub(stopped)).Round(time.Millisecond),
			roundsAtEject-roundsAtStop, roundsAtStop-roundsBefore)
		require.LessOrEqual(t, roundsAtEject-roundsAtStop, uint64(2), "ejected within 2 probe intervals of the stop")

		// While it is down, reads go on (to the primary) without failing.
		fallbacks := r.Stats().Fallbacks
		require.Eventually(t, func() bool { return r.Stats().Fallbacks > fallbacks+50 }, 30*time.Second, 10*time.Millisecond)

		require.NoError(t, b.faults.Start(ctx))
		require.Eventually(t, func() bool { return nodeStats(t, r, "replica").Healthy }, 60*time.Second, 10*time.Millisecond,
			"re-admitted after restart")
		waitReplicaReads()
	}
	stopLoad()
	wg.Wait()
	st := r.Stats()
	t.Logf("%d reads, %d failed, ejections %d, readmissions %d, retries %d, fallbacks %d",
		reads.Load(), failed.Load(), st.Ejections, st.Readmissions, st.Retries, st.Fallbacks)
	require.Zero(t, failed.Load(), "no read may fail while the primary is healthy (first error: %v)", firstErr.Load())
	require.GreaterOrEqual(t, st.Readmissions, uint64(2))
}

// TestIdlePrimaryNoFalseLag keeps the router probing a caught-up replica with no writes of its own
// for a few seconds, with a tight MaxLag: the replica must never be judged lagging or ejected,
// even though pg_last_xact_replay_timestamp() ages whenever the primary is idle.
func TestIdlePrimaryNoFalseLag(t *testing.T) {
	t.Parallel()
	const maxLag = time.Second
	r, b := setupPG(t, false, &dbrouter.Config{MaxLag: maxLag, ProbeInterval: 100 * time.Millisecond, ProbeTimeout: 100 * time.Millisecond})
	ctx := context.Background()
	var maxReplayAge float64
	var maxSeenLag time.Duration
	// Watch for idleFor and at least that many rounds' worth of probes: on a loaded machine a
	// round (two probes of up to ProbeTimeout each) takes longer than ProbeInterval, and the test
	// is about what the probes measure, not how fast they run. Bounded by a minute more.
	wantRounds := uint64(*idleFor / (200 * time.Millisecond))
	deadline := time.Now().Add(*idleFor)
	hardStop := deadline.Add(time.Minute)
	for time.Now().Before(deadline) || (r.Stats().ProbeRounds <= wantRounds && time.Now().Before(hardStop)) {
		var one int
		require.NoError(t, r.GetContext(ctx, &one, `SELECT 1`))
		var age float64
		require.NoError(t, b.replica.GetContext(ctx, &age,
			`SELECT coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)::float8`))
		maxReplayAge = max(maxReplayAge, age)
		if ns := nodeStats(t, r, "replica"); ns.Healthy {
			maxSeenLag = max(maxSeenLag, ns.Lag)
		}
		time.Sleep(20 * time.Millisecond)
	}
	st := r.Stats()
	t.Logf("probe rounds %d; measured lag up to %s; replay-timestamp age up to %.1fs (what time-based lag would have reported); decisions %v; ejections %d (health, not lag)",
		st.ProbeRounds, maxSeenLag, maxReplayAge, decisionNames(st.Decisions), st.Ejections)
	require.Zero(t, st.Decisions[dbrouter.ReasonLagging], "never excluded for lag")
	require.Less(t, maxSeenLag, maxLag, "a healthy replica is never measured beyond MaxLag")
	require.Greater(t, st.ProbeRounds, wantRounds)
}

// TestMix95_5With100msLag injects a steady 100ms replication lag (recovery_min_apply_delay) and
// runs a 95/5 read/write mix of 1,000 users, each with its own session and row: every read must
// return its user's last write, and the share of reads served by the replica is reported.
func TestMix95_5With100msLag(t *testing.T) {
	r, b := setupPG(t, true, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const users, workers, ops = 1000, 8, 10000
	_, err := b.primary.ExecContext(ctx, `INSERT INTO items SELECT g, 0 FROM generate_series(0, $1 - 1) g`, users)
	require.NoError(t, err)
	b.schema.WaitOnReplica(t)
	require.NoError(t, b.faults.SetApplyDelay(ctx, 100*time.Millisecond))

	var next, stale, failed, reads atomic.Int64
	replicaBefore, primaryBefore := b.reads.replica.Load(), b.reads.primary.Load()
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Worker w owns users w, w+workers, ...: one goroutine per user at a time.
			sessions := map[int]*dbrouter.Session{}
			last := map[int]int64{}
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for next.Add(1) <= ops {
				u := w + workers*rng.IntN(users/workers)
				if sessions[u] == nil {
					sessions[u] = &dbrouter.Session{}
				}
				uctx := dbrouter.WithSession(ctx, sessions[u])
				if rng.IntN(100) < 5 {
					last[u]++
					if _, err := r.ExecContext(uctx, `UPDATE items SET v = $1 WHERE id = $2`, last[u], u); err != nil {
						failed.Add(1)
					}
					continue
				}
				var v int64
				if err := r.GetContext(uctx, &v, `SELECT v FROM items WHERE id = $1`, u); err != nil {
					failed.Add(1)
					continue
				}
				reads.Add(1)
				if v != last[u] {
					stale.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	onReplica := b.reads.replica.Load() - replicaBefore
	total := onReplica + b.reads.primary.Load() - primaryBefore
	st := r.Stats()
	t.Logf("95/5 mix, %d users, 100ms apply delay: %d ops in %s, %d stale reads, %.1f%% of %d reads on the replica, replica lag seen %s, decisions %v",
		users, ops, time.Since(start).Round(time.Millisecond), stale.Load(), 100*float64(onReplica)/float64(total), total,
		nodeStats(t, r, "replica").Lag, decisionNames(st.Decisions))
	require.Zero(t, failed.Load())
	require.Zero(t, stale.Load(), "no read may miss its user's write")
	// The figure to reach is 90%; the test holds a margin below it for a loaded CI machine.
	require.GreaterOrEqual(t, onReplica*10, total*8, "at least 80% of reads must land on the replica")
}
