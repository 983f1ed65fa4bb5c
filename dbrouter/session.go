package dbrouter

import (
	"sync/atomic"
	"time"
)

// Token is the read-your-writes position of a session: the primary's WAL position after its
// last write (PostgreSQL), and the end of its pin window (databases without WAL positions).
// Tokens merge by taking the maximum of each field.
type Token struct {
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
	lsn      atomic.Uint64
	pinUntil atomic.Int64 // unix nanoseconds
	primary  atomic.Bool  // every read on the primary (a rejected token)
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
	t.LSN = LSN(s.lsn.Load())
	if p := s.pinUntil.Load(); p != 0 {
		t.PinUntil = time.Unix(0, p)
	}
	return t
}

// Merge advances the session to t where t is ahead (a monotonic max).
func (s *Session) Merge(t Token) {
	s.advanceLSN(t.LSN)
	if !t.PinUntil.IsZero() {
		s.pinTo(t.PinUntil.UnixNano())
	}
}

// PinPrimary sends every later read of the session to the primary (reason "sticky"). The
// middleware does this for a forged or malformed token.
func (s *Session) PinPrimary() { s.primary.Store(true) }

func (s *Session) advanceLSN(l LSN) {
	for {
		cur := s.lsn.Load()
		if uint64(l) <= cur || s.lsn.CompareAndSwap(cur, uint64(l)) {
			return
		}
	}
}

func (s *Session) pinTo(unixNano int64) {
	for {
		cur := s.pinUntil.Load()
		if unixNano <= cur || s.pinUntil.CompareAndSwap(cur, unixNano) {
			return
		}
	}
}
