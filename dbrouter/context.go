package dbrouter

import (
	"context"
	"time"
)

// scope is everything the router reads from a ctx, under one key so that a routing decision
// costs one ctx.Value lookup. Each With* function copies it.
type scope struct {
	primary      bool
	hasStaleness bool
	staleness    time.Duration
	session      *Session
	counter      *QueryCounter
	shards       *Shards
	shard        int
}

type scopeKey struct{}

func scopeFrom(ctx context.Context) *scope {
	s, _ := ctx.Value(scopeKey{}).(*scope)
	return s
}

func withScope(ctx context.Context, edit func(*scope)) context.Context {
	var s scope
	if old := scopeFrom(ctx); old != nil {
		s = *old
	}
	edit(&s)
	return context.WithValue(ctx, scopeKey{}, &s)
}

// WithPrimary returns a ctx whose reads all go to the primary (reason "forced").
func WithPrimary(ctx context.Context) context.Context {
	return withScope(ctx, func(s *scope) { s.primary = true })
}

// IsPrimaryForced reports whether ctx came from [WithPrimary].
func IsPrimaryForced(ctx context.Context) bool {
	s := scopeFrom(ctx)
	return s != nil && s.primary
}

// WithMaxStaleness returns a ctx whose reads accept only replicas at most d behind the primary
// (tighter than Config.MaxLag; a larger d does not loosen MaxLag). d <= 0 means only replicas
// with no measured lag. Session tokens still apply.
func WithMaxStaleness(ctx context.Context, d time.Duration) context.Context {
	if d < 0 {
		d = 0
	}
	return withScope(ctx, func(s *scope) { s.hasStaleness, s.staleness = true, d })
}

// WithSession returns a ctx carrying sess, the read-your-writes session that writes through the
// router advance and reads honour. A nil sess starts a new, empty session. Without a session in
// ctx the router records nothing after writes (and skips the extra WAL-position round trip), so
// reads have no read-your-writes guarantee: use [Middleware] or WithSession per request or job.
func WithSession(ctx context.Context, sess *Session) context.Context {
	if sess == nil {
		sess = &Session{}
	}
	return withScope(ctx, func(s *scope) { s.session = sess })
}

// SessionFrom returns the session carried by ctx, if any.
func SessionFrom(ctx context.Context) (*Session, bool) {
	s := scopeFrom(ctx)
	if s == nil || s.session == nil {
		return nil, false
	}
	return s.session, true
}
