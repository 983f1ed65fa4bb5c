package dbrouter

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// ErrNotStandby is the reason a replica is ejected when it answers pg_is_in_recovery() = false:
// it was promoted (or misconfigured) and no longer follows the primary.
var ErrNotStandby = errors.New("dbrouter: replica is not a standby (pg_is_in_recovery() = false)")

const sampleRing = 128

// sample is the primary's WAL position at a time, from a probe round; the ring of them turns a
// replica's replay position into a time lag without trusting pg_last_xact_replay_timestamp (which
// grows on an idle primary).
type sample struct {
	at  time.Time
	lsn LSN
}

func (r *Router) probeLoop() {
	defer close(r.done)
	for {
		iv := r.cfg.ProbeInterval
		jitter := time.Duration(rand.Int64N(int64(iv)/5+1)) - iv/10
		t := time.NewTimer(iv + jitter)
		select {
		case <-r.stop:
			t.Stop()
			return
		case <-t.C:
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-r.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		r.probeRound(ctx)
		cancel()
	}
}

// probeRound probes the primary, then every replica concurrently.
func (r *Router) probeRound(ctx context.Context) {
	defer r.probeRounds.Add(1)
	now := time.Now()
	primaryLSN, havePrimary := r.probePrimary(ctx, now)
	var wg sync.WaitGroup
	for _, n := range r.replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.probeReplica(ctx, n, primaryLSN, havePrimary)
		}()
	}
	wg.Wait()
}

func (r *Router) probePrimary(ctx context.Context, now time.Time) (LSN, bool) {
	pctx, cancel := context.WithTimeout(ctx, r.cfg.ProbeTimeout)
	defer cancel()
	p := r.primary
	if !r.lsnMode {
		if err := p.probeQuery(pctx, func(c *sql.Conn) error { return c.PingContext(pctx) }); err != nil {
			r.probeErrors.Add(1)
			p.up.Store(false)
			return 0, false
		}
		p.up.Store(true)
		return 0, false
	}
	var inRecovery bool
	var s string
	err := p.probeQuery(pctx, func(c *sql.Conn) error {
		return c.QueryRowContext(pctx, `SELECT pg_is_in_recovery(),
		(CASE WHEN pg_is_in_recovery() THEN coalesce(pg_last_wal_replay_lsn(), '0/0') ELSE pg_current_wal_lsn() END)::text`).Scan(&inRecovery, &s)
	})
	var lsn LSN
	if err == nil {
		lsn, err = ParseLSN(s)
	}
	if err != nil {
		r.probeErrors.Add(1)
		p.mu.Lock()
		p.lastErr = err
		p.mu.Unlock()
		p.up.Store(false)
		return 0, false
	}
	p.up.Store(true)
	r.demoted.Store(inRecovery)
	if inRecovery {
		return 0, false
	}
	p.replay.Store(uint64(lsn))
	r.samplesMu.Lock()
	r.samples[r.nSamples%sampleRing] = sample{at: now, lsn: lsn}
	r.nSamples++
	r.samplesMu.Unlock()
	return lsn, true
}

// lagSince returns how long ago the primary was first seen past replay position lsn: the replica
// lacks something written before that moment, so that is how long it has been behind, to within
// one probe interval. Using the first sample past lsn (not the last one at or before it) keeps
// the measure from inflating when primary samples are sparse (failed probes on a busy machine).
// With no sample at or before lsn in the ring, the ring's oldest sample is used (a lower bound;
// MaxLagBytes covers long gaps).
func (r *Router) lagSince(lsn LSN, now time.Time) time.Duration {
	r.samplesMu.Lock()
	defer r.samplesMu.Unlock()
	n := min(r.nSamples, sampleRing)
	var firstPast time.Time
	for k := 0; k < n; k++ {
		s := r.samples[(r.nSamples-1-k)%sampleRing]
		if s.lsn <= lsn {
			break
		}
		firstPast = s.at
	}
	if firstPast.IsZero() {
		return 0
	}
	return max(0, now.Sub(firstPast))
}

func (r *Router) probeReplica(ctx context.Context, n *node, primaryLSN LSN, havePrimary bool) {
	pctx, cancel := context.WithTimeout(ctx, r.cfg.ProbeTimeout)
	defer cancel()
	if !r.lsnMode {
		if err := n.probeQuery(pctx, func(c *sql.Conn) error { return c.PingContext(pctx) }); err != nil {
			r.probeErrors.Add(1)
			if IsConnError(err) || n.probeFailed() {
				r.ejectNode(n, err)
			}
			return
		}
		r.probeSucceeded(n)
		return
	}
	var inRecovery bool
	var s string
	err := n.probeQuery(pctx, func(c *sql.Conn) error {
		return c.QueryRowContext(pctx, `SELECT pg_is_in_recovery(), coalesce(pg_last_wal_replay_lsn()::text, '0/0')`).Scan(&inRecovery, &s)
	})
	var lsn LSN
	if err == nil {
		lsn, err = ParseLSN(s)
	}
	if err == nil && !inRecovery {
		err = ErrNotStandby
	}
	if err != nil {
		if ctx.Err() != nil {
			return // router closing
		}
		r.probeErrors.Add(1)
		if IsConnError(err) || errors.Is(err, ErrNotStandby) || !n.up.Load() || n.probeFailed() {
			r.ejectNode(n, err)
		}
		return
	}
	n.replay.Store(uint64(lsn))
	if havePrimary {
		if lsn >= primaryLSN {
			n.lagBytes.Store(0)
			n.lagNanos.Store(0)
		} else {
			n.lagBytes.Store(int64(primaryLSN - lsn))
			n.lagNanos.Store(int64(r.lagSince(lsn, time.Now())))
		}
	}
	r.probeSucceeded(n)
}

func (r *Router) probeSucceeded(n *node) {
	if n.probeOK(time.Now(), &r.cfg) {
		r.readmissions.Add(1)
		if r.cfg.OnHealthChange != nil {
			r.cfg.OnHealthChange(n.name, true, nil)
		}
	}
}

// ejectNode takes a replica out of rotation at once (a connection-class error or a failed probe).
func (r *Router) ejectNode(n *node, err error) {
	if !n.replica {
		return
	}
	was, quarantined := n.eject(time.Now(), err, &r.cfg)
	n.replay.Store(0) // a restarted replica must prove its position again
	if !was {
		return
	}
	r.ejections.Add(1)
	if quarantined {
		r.quarantines.Add(1)
	}
	if r.cfg.OnHealthChange != nil {
		r.cfg.OnHealthChange(n.name, false, err)
	}
}

// probeQuery runs fn on the node's dedicated probe connection, so that a probe neither waits for
// a busy pool nor pays for a new connection each round. The connection is dropped after any error
// and opened again on the next probe.
func (n *node) probeQuery(ctx context.Context, fn func(*sql.Conn) error) error {
	n.probeMu.Lock()
	defer n.probeMu.Unlock()
	if n.probeClosed { // after Router.Close: a one-off connection, returned at once
		c, err := n.db.Conn(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		return fn(c)
	}
	if n.probeConn == nil {
		c, err := n.db.Conn(ctx)
		if err != nil {
			return err
		}
		n.probeConn = c
	}
	err := fn(n.probeConn)
	// A pool of one or two connections (SQLite wants one writer) cannot spare one for the probe
	// for good: keeping it would starve the application's own queries. Hand it back after each
	// probe instead.
	if err != nil || smallPool(n.db) {
		_ = n.probeConn.Close()
		n.probeConn = nil
	}
	return err
}

// smallPool reports whether db allows at most two open connections.
func smallPool(db *sqlx.DB) bool {
	max := db.Stats().MaxOpenConnections
	return max > 0 && max <= 2
}

func (n *node) closeProbe() {
	n.probeMu.Lock()
	defer n.probeMu.Unlock()
	n.probeClosed = true
	if n.probeConn != nil {
		_ = n.probeConn.Close()
		n.probeConn = nil
	}
}
