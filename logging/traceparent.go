package logging

import (
	"context"
	"errors"
)

// ErrInvalidTraceparent is returned by ParseTraceparent for a header that is
// not a valid W3C Trace Context traceparent.
var ErrInvalidTraceparent = errors.New("logging: invalid traceparent")

type traceKey struct{}

// Traceparent is a parsed W3C traceparent header
// (https://www.w3.org/TR/trace-context/#traceparent-header).
type Traceparent struct {
	// TraceID is 32 lowercase hex digits, not all zero.
	TraceID string
	// SpanID is the parent-id: 16 lowercase hex digits, not all zero.
	SpanID string
	// Flags holds the trace-flags byte (bit 0: sampled).
	Flags byte
}

// Sampled reports whether the caller recorded its span (trace-flags bit 0).
func (t Traceparent) Sampled() bool { return t.Flags&1 == 1 }

// ParseTraceparent parses a traceparent header value. Version 00 must be
// exactly 55 characters; a later version may append "-..." fields, which
// are ignored as the specification asks. Version ff, uppercase hex and
// all-zero IDs are rejected. The returned IDs are substrings of s.
func ParseTraceparent(s string) (Traceparent, error) {
	// 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
	if len(s) < 55 || s[2] != '-' || s[35] != '-' || s[52] != '-' {
		return Traceparent{}, ErrInvalidTraceparent
	}
	ver, ok := hexByte(s[0], s[1])
	if !ok || ver == 0xff {
		return Traceparent{}, ErrInvalidTraceparent
	}
	if ver == 0 && len(s) != 55 {
		return Traceparent{}, ErrInvalidTraceparent
	}
	if len(s) > 55 && s[55] != '-' {
		return Traceparent{}, ErrInvalidTraceparent
	}
	traceID, spanID := s[3:35], s[36:52]
	if !lowerHexNonZero(traceID) || !lowerHexNonZero(spanID) {
		return Traceparent{}, ErrInvalidTraceparent
	}
	flags, ok := hexByte(s[53], s[54])
	if !ok {
		return Traceparent{}, ErrInvalidTraceparent
	}
	return Traceparent{TraceID: traceID, SpanID: spanID, Flags: flags}, nil
}

// TraceFromContext returns the traceparent RequestIDMiddleware parsed for
// the request, and whether there was a valid one.
func TraceFromContext(ctx context.Context) (Traceparent, bool) {
	if ctx == nil {
		return Traceparent{}, false
	}
	t, ok := ctx.Value(traceKey{}).(Traceparent)
	return t, ok
}

func lowerHexNonZero(s string) bool {
	nonZero := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '0':
		case c >= '1' && c <= '9', c >= 'a' && c <= 'f':
			nonZero = true
		default:
			return false
		}
	}
	return nonZero
}

func hexByte(hi, lo byte) (byte, bool) {
	h, ok1 := hexVal(hi)
	l, ok2 := hexVal(lo)
	return h<<4 | l, ok1 && ok2
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
