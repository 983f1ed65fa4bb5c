package dbrouter

import "time"

// Stats is a snapshot of a router's counters, from [Router.Stats].
type Stats struct {
	// Decisions counts routing decisions by reason.
	Decisions map[Reason]uint64
	// ReplicaQueries counts queries run on replicas (reads and read-only transactions' queries).
	ReplicaQueries uint64
	// Writes counts write calls and read-write transactions (each sent to the primary once).
	Writes uint64
	// Fallbacks counts reads sent to the primary because every replica was ejected.
	Fallbacks uint64
	// Retries counts reads (or read-only transaction begins) retried on another node.
	Retries uint64
	// Ejections, Readmissions and Quarantines count replica health changes.
	Ejections, Readmissions, Quarantines uint64
	// ProbeRounds counts completed background probe rounds; ProbeErrors failed node probes;
	// OnDemandProbes the single probes made for reads whose session no replica was known to satisfy.
	ProbeRounds, ProbeErrors, OnDemandProbes uint64
	// PositionReads counts WAL-position reads after writes (one round trip each).
	PositionReads uint64
	// Demoted reports that the last probe found the primary in recovery (or a write got 25006).
	Demoted bool
	// Nodes describes each node, the primary first.
	Nodes []NodeStats
}

// NodeStats describes one node.
type NodeStats struct {
	Name        string
	Role        Role
	Healthy     bool
	Quarantined bool
	// Position is the replica's last known replay LSN (the primary's current LSN for the primary).
	Position LSN
	// LagBytes and Lag are the replica's last measured lag.
	LagBytes int64
	Lag      time.Duration
	InFlight int64
	Queries  uint64
	Errors   uint64
	// LastError is why the node is out of rotation (or was last ejected), nil once re-admitted.
	// A later probe failure while the node stays out replaces it, unless that failure is only a
	// timeout: a slow probe never hides a known reason such as [ErrNotStandby].
	LastError error
}

// Stats returns a snapshot of the router's counters and node states.
func (r *Router) Stats() Stats {
	s := Stats{
		Decisions:      make(map[Reason]uint64, numReasons),
		ReplicaQueries: r.replicaReads.Load(),
		Writes:         r.writes.Load(),
		Fallbacks:      r.reasons[ReasonFallback].Load(),
		Retries:        r.retries.Load(),
		Ejections:      r.ejections.Load(),
		Readmissions:   r.readmissions.Load(),
		Quarantines:    r.quarantines.Load(),
		ProbeRounds:    r.probeRounds.Load(),
		ProbeErrors:    r.probeErrors.Load(),
		OnDemandProbes: r.onDemandProbes.Load(),
		PositionReads:  r.lsnReads.Load(),
		Demoted:        r.demoted.Load(),
	}
	for i := range r.reasons {
		if v := r.reasons[i].Load(); v > 0 {
			s.Decisions[Reason(i)] = v
		}
	}
	now := time.Now()
	for _, n := range r.all {
		role := RolePrimary
		if n.replica {
			role = RoleReplica
		}
		n.mu.Lock()
		q, lastErr := now.Before(n.quarantined), n.lastErr
		n.mu.Unlock()
		s.Nodes = append(s.Nodes, NodeStats{
			Name: n.name, Role: role, Healthy: n.up.Load(), Quarantined: q,
			Position: LSN(n.replay.Load()), LagBytes: n.lagBytes.Load(), Lag: time.Duration(n.lagNanos.Load()),
			InFlight: n.inflight.Load(), Queries: n.queries.Load(), Errors: n.errs.Load(), LastError: lastErr,
		})
	}
	return s
}
