package dbrouter

import (
	"database/sql"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
)

// Node is one database server given to [New]: a real *sqlx.DB and how to call it.
type Node struct {
	// Name identifies the node in decisions, stats and errors. Default "primary" for the primary
	// and "replica-N" (1-based) for replicas.
	Name string
	// DB is the connection pool. Required. The background probe keeps one of its connections
	// open for itself, so that a probe neither queues behind a busy pool (and mistakes the wait
	// for lag) nor dials each round: size a bounded pool one larger than the queries it must run
	// at once. A pool of at most two connections (SQLite) lends the probe one per round instead.
	DB *sqlx.DB
	// Weight is the node's share of reads under the Weighted balance. 0 means 1; negative is an
	// error.
	Weight int
}

// node is a Node with its live state. Fields read on the routing hot path are atomics.
type node struct {
	name    string
	db      *sqlx.DB
	weight  int
	replica bool

	up       atomic.Bool
	replay   atomic.Uint64 // last known replay LSN (replicas) or current LSN (primary)
	lagBytes atomic.Int64
	lagNanos atomic.Int64
	inflight atomic.Int64
	queries  atomic.Uint64
	errs     atomic.Uint64

	mu          sync.Mutex // guards the fields below (never taken on the hot path)
	consecOK    int
	failStreak  int // consecutive probe failures that were not connection errors
	ejections   []time.Time
	quarantined time.Time
	lastErr     error

	refreshMu sync.Mutex
	refresh   *refreshCall

	probeMu     sync.Mutex
	probeConn   *sql.Conn // dedicated connection of the background probe
	probeClosed bool      // the router was closed: keep no connection
}

type refreshCall struct {
	done chan struct{}
	lsn  LSN
	err  error
}

// lagOK reports whether the node is within the byte and time limits.
func (n *node) lagOK(maxNanos, maxBytes int64) bool {
	if maxBytes >= 0 && n.lagBytes.Load() > maxBytes {
		return false
	}
	return n.lagNanos.Load() <= maxNanos
}

// eject takes the node out of rotation; it reports whether it was in. err becomes the node's
// LastError, except that a timeout never replaces a more informative reason while the node stays
// out: a probe that merely ran out of time on a busy machine says nothing new about a replica
// ejected as ErrNotStandby or for a refused connection.
func (n *node) eject(now time.Time, err error, cfg *Config) (was, quarantined bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.consecOK = 0
	was = n.up.Swap(false)
	if was || n.lastErr == nil || !isTimeout(err) || isTimeout(n.lastErr) {
		n.lastErr = err
	}
	if !was {
		return false, false
	}
	keep := n.ejections[:0]
	for _, t := range n.ejections {
		if now.Sub(t) <= cfg.FlapWindow {
			keep = append(keep, t)
		}
	}
	n.ejections = append(keep, now)
	if len(n.ejections) >= cfg.FlapThreshold {
		n.quarantined = now.Add(cfg.Quarantine)
		n.ejections = n.ejections[:0]
		return true, true
	}
	return true, false
}

// probeFailed counts a failed probe that was not a connection error (a timeout, a server error)
// and reports whether the node should now be ejected: on the second failure in a row, so that
// one slow probe on a busy machine does not eject a healthy replica.
func (n *node) probeFailed() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.failStreak++
	return n.failStreak >= 2
}

// probeOK counts a successful probe; it reports whether the node was re-admitted by it.
func (n *node) probeOK(now time.Time, cfg *Config) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.failStreak = 0
	if n.up.Load() {
		return false
	}
	n.consecOK++
	if n.consecOK < cfg.Readmit || now.Before(n.quarantined) {
		return false
	}
	n.consecOK = 0
	n.lastErr = nil
	return !n.up.Swap(true)
}
