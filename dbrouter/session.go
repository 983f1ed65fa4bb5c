package dbrouter

import (
	"sync/atomic"
	"time"
)

// Token is the read-your-writes position of a session: the primary's WAL position after its
// last write (PostgreSQL), and the end of its pin window (databases without WAL positions).
// Tokens merge by taking the maximum of each field. A position is only comparable within its
// cluster: a session holds the position of the cluster it last wrote to.
type Token struct {
	// Cluster identifies the PostgreSQL cluster LSN belongs to (its system_identifier, shared by
	// a primary and its physical replicas; 0 when unknown).
	Cluster uint64
	// LSN is the primary's WAL position after the session's last write; 0 if none.
	LSN LSN
	// PinUntil is when the session's time-window pin ends; zero if none.
	PinUntil time.Time
}

// IsZero reports whether the token carries no position.
func (t Token) IsZero() bool { return t.LSN == 0 && t.PinUntil.IsZero() }

// Session is the read-your-writes state of one user or request, safe for concurrent use. Its
// position only moves forward. Put it in a ctx with [WithSession]; [Middleware] does that per
// HTTP request and round-trips it in a signed cookie or header.
type Session struct {
	pos      atomic.Pointer[position] // immutable once stored
	pinUntil atomic.Int64             // unix nanoseconds
	primary  atomic.Bool              // every read on the primary (a rejected token)
}

// NewSession returns a session starting at t.
func NewSession(t Token) *Session {
	s := &Session{}
	s.Merge(t)
	return s
}

// Token returns the session's current position.
func (s *Session) Token() Token {
	var t Token
	if p := s.pos.Load(); p != nil {
		t.Cluster, t.LSN = p.cluster, p.lsn
	}
	if p := s.pinUntil.Load(); p != 0 {
		t.PinUntil = time.Unix(0, p)
	}
	return t
}

// Merge advances the session to t where t is ahead (a monotonic max).
func (s *Session) Merge(t Token) {
	if t.LSN != 0 {
		s.advanceLSN(t.Cluster, t.LSN)
	}
	if !t.PinUntil.IsZero() {
		s.pinTo(t.PinUntil.UnixNano())
	}
}

// PinPrimary sends every later read of the session to the primary (reason "sticky"). The
// middleware does this for a forged or malformed token.
func (s *Session) PinPrimary() { s.primary.Store(true) }

// position is a WAL position within one cluster.
type position struct {
	cluster uint64
	lsn     LSN
}

// advanceLSN moves the session to lsn of cluster: the maximum within the same cluster; a write
// to another cluster replaces the position (reads on the cluster it replaced then go to that
// cluster's primary: see Router routing with a foreign token).
func (s *Session) advanceLSN(cluster uint64, l LSN) {
	next := &position{cluster: cluster, lsn: l}
	for {
		cur := s.pos.Load()
		if cur != nil && cur.cluster == cluster && l <= cur.lsn {
			return
		}
		if s.pos.CompareAndSwap(cur, next) {
			return
		}
	}
}

// need returns the LSN a read on cluster must wait for, and false when the session's position
// belongs to another cluster (so no replica of this one can be shown to be fresh).
func (s *Session) need(cluster uint64) (LSN, bool) {
	p := s.pos.Load()
	if p == nil || p.lsn == 0 {
		return 0, true
	}
	if p.cluster != cluster {
		return 0, false
	}
	return p.lsn, true
}

func (s *Session) pinTo(unixNano int64) {
	for {
		cur := s.pinUntil.Load()
		if unixNano <= cur || s.pinUntil.CompareAndSwap(cur, unixNano) {
			return
		}
	}
}
