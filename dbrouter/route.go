package dbrouter

import (
	"context"
	"database/sql"
	"time"
)

// pickRead chooses the node for a read. It allocates nothing and takes no lock unless no replica
// has replayed the session's last write (then it probes one replica once, and may wait).
func (r *Router) pickRead(ctx context.Context, sc *scope) (*node, Reason) {
	var need LSN
	maxNanos := r.maxNanos
	if sc != nil {
		if sc.primary {
			return r.primary, ReasonForced
		}
		if sc.session != nil {
			if sc.session.primary.Load() {
				return r.primary, ReasonSticky
			}
			if pin := sc.session.pinUntil.Load(); pin != 0 && time.Now().UnixNano() < pin {
				return r.primary, ReasonSticky
			}
			if r.lsnMode {
				var ok bool
				if need, ok = sc.session.need(r.cluster); !ok {
					return r.primary, ReasonSticky
				}
			}
		}
		if sc.hasStaleness && int64(sc.staleness) < maxNanos {
			maxNanos = int64(sc.staleness)
		}
	}
	if len(r.replicas) == 0 {
		return r.primary, ReasonNoReplica
	}
	if r.cfg.ReplicaShare < 100 && r.shareCtr.Add(1)%100 >= uint64(r.cfg.ReplicaShare) {
		return r.primary, ReasonShare
	}
	if n := r.choose(need, maxNanos); n != nil {
		return n, ReasonFresh
	}
	healthy, inLag := 0, 0
	for _, n := range r.replicas {
		if n.up.Load() {
			healthy++
			if n.lagOK(maxNanos, r.cfg.MaxLagBytes) {
				inLag++
			}
		}
	}
	switch {
	case healthy == 0:
		return r.primary, ReasonFallback
	case inLag == 0:
		return r.primary, ReasonLagging
	}
	if n := r.catchUp(ctx, need, maxNanos); n != nil {
		return n, ReasonFresh
	}
	return r.primary, ReasonSticky
}

func (r *Router) qualifies(n *node, need LSN, maxNanos int64) bool {
	return n.up.Load() && LSN(n.replay.Load()) >= need && n.lagOK(maxNanos, r.cfg.MaxLagBytes)
}

// choose applies the balance policy to the replicas that qualify; nil if none does.
func (r *Router) choose(need LSN, maxNanos int64) *node {
	reps := r.replicas
	switch r.cfg.Balance {
	case LeastInFlight:
		start := int(r.rr.Add(1) % uint64(len(reps)))
		var best *node
		var bestN int64
		for k := range reps {
			n := reps[(start+k)%len(reps)]
			if !r.qualifies(n, need, maxNanos) {
				continue
			}
			if f := n.inflight.Load(); best == nil || f < bestN {
				best, bestN = n, f
			}
		}
		return best
	case Weighted:
		total := 0
		for _, n := range reps {
			if r.qualifies(n, need, maxNanos) {
				total += n.weight
			}
		}
		if total == 0 {
			return nil
		}
		x := int(r.rr.Add(1) % uint64(total))
		for _, n := range reps {
			if r.qualifies(n, need, maxNanos) {
				if x < n.weight {
					return n
				}
				x -= n.weight
			}
		}
		return nil
	default:
		start := int(r.rr.Add(1) % uint64(len(reps)))
		for k := range reps {
			if n := reps[(start+k)%len(reps)]; r.qualifies(n, need, maxNanos) {
				return n
			}
		}
		return nil
	}
}

// catchUp is the slow path of a read with a session token no replica is known to have replayed:
// probe the most advanced healthy replica once, then poll it for up to ReadYourWritesWait.
func (r *Router) catchUp(ctx context.Context, need LSN, maxNanos int64) *node {
	var best *node
	for _, n := range r.replicas {
		if n.up.Load() && n.lagOK(maxNanos, r.cfg.MaxLagBytes) && (best == nil || n.replay.Load() > best.replay.Load()) {
			best = n
		}
	}
	if best == nil {
		return nil
	}
	var deadline time.Time
	for {
		lsn, err := r.refreshReplay(ctx, best)
		if err != nil {
			return nil
		}
		if lsn >= need && r.qualifies(best, need, maxNanos) {
			return best
		}
		if r.cfg.ReadYourWritesWait <= 0 {
			return nil
		}
		now := time.Now()
		if deadline.IsZero() {
			deadline = now.Add(r.cfg.ReadYourWritesWait)
		}
		if !now.Before(deadline) {
			return nil
		}
		t := time.NewTimer(2 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// refreshReplay reads one replica's replay position now; concurrent callers share one query.
func (r *Router) refreshReplay(ctx context.Context, n *node) (LSN, error) {
	n.refreshMu.Lock()
	if c := n.refresh; c != nil {
		n.refreshMu.Unlock()
		select {
		case <-c.done:
			return c.lsn, c.err
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	c := &refreshCall{done: make(chan struct{})}
	n.refresh = c
	n.refreshMu.Unlock()

	r.onDemandProbes.Add(1)
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.ProbeTimeout)
	var s string
	// On the probe's warm connection: a pool connection cancelled by the short timeout would be
	// closed, and the next probe would pay for a new connection on a busy server.
	c.err = n.probeQuery(pctx, func(conn *sql.Conn) error {
		return conn.QueryRowContext(pctx, `SELECT coalesce(pg_last_wal_replay_lsn()::text, '0/0')`).Scan(&s)
	})
	cancel()
	if c.err == nil {
		c.lsn, c.err = ParseLSN(s)
	}
	if c.err == nil {
		for {
			cur := n.replay.Load()
			if uint64(c.lsn) <= cur || n.replay.CompareAndSwap(cur, uint64(c.lsn)) {
				break
			}
		}
	} else if IsConnError(c.err) {
		r.ejectNode(n, c.err)
	}
	n.refreshMu.Lock()
	n.refresh = nil
	n.refreshMu.Unlock()
	close(c.done)
	return c.lsn, c.err
}
