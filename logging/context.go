package logging

import (
	"context"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

type requestIDKey struct{}

// zerologKey is the key zerolog stores its logger under (zerolog.ctxKey{},
// unexported). It is learnt once, through zerolog's public API, by asking
// zerolog.Ctx to look a logger up in a context that records the key it is
// asked for. It never changes afterwards.
var zerologKey = func() any {
	var p keyProbe
	zerolog.Ctx(&p)
	return p.key
}()

type keyProbe struct{ key any }

func (p *keyProbe) Value(key any) any { p.key = key; return nil }

// Done, Err and Deadline complete context.Context.
func (p *keyProbe) Done() <-chan struct{}       { return nil }
func (p *keyProbe) Err() error                  { return nil }
func (p *keyProbe) Deadline() (time.Time, bool) { return time.Time{}, false }

// WithRequestID returns a copy of ctx carrying id, read back by RequestID.
// Background workers use it to continue a request's ID (jobs'
// Config.WithRequestID hook).
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFromContext returns the request ID carried by ctx and whether
// there is one.
func RequestIDFromContext(ctx context.Context) (string, bool) {
	if ctx == nil {
		return "", false
	}
	id, ok := ctx.Value(requestIDKey{}).(string)
	return id, ok && id != ""
}

// RequestID returns the request ID carried by ctx, or "" when there is none.
func RequestID(ctx context.Context) string {
	id, _ := RequestIDFromContext(ctx)
	return id
}

// Ctx returns the logger attached to ctx with zerolog's
// Logger.WithContext, or by the RequestID middleware; it is the same logger
// zerolog.Ctx returns. When ctx holds none it returns
// zerolog.DefaultContextLogger if set, else a disabled logger: never nil.
func Ctx(ctx context.Context) *zerolog.Logger {
	if ctx == nil {
		return zerolog.Ctx(context.Background())
	}
	return zerolog.Ctx(ctx)
}

// reqState is everything the RequestID, AccessLog and Recover middleware keep
// for one request, in one allocation. It is also the request's context: its
// Value answers the request ID, the trace context and the request logger
// (built lazily on first use, so a handler that never logs pays nothing for
// it).
type reqState struct {
	context.Context // parent

	id    string
	trace Traceparent
	start time.Time // when the ID was minted; zero for an accepted one

	base      *zerolog.Logger // the middleware's, shared
	schemaECS bool
	once      sync.Once
	logger    zerolog.Logger

	rw     responseWriter
	rwUsed bool   // rw was handed to a middleware
	route  string // set by Routes or SetRoute when the access log's request has no Pattern

	idBuf [idLen]byte
	hdr   [1]string
}

type stateKey struct{}

// Value implements context.Context.
func (s *reqState) Value(key any) any {
	switch key {
	case requestIDKey{}:
		return s.id
	case zerologKey:
		s.once.Do(s.initLogger)
		return &s.logger
	case stateKey{}:
		return s
	case traceKey{}:
		if s.trace.TraceID == "" {
			return nil
		}
		return s.trace
	}
	return s.Context.Value(key)
}

func (s *reqState) initLogger() {
	idKey, traceKey, spanKey := "request_id", "trace.id", "span.id"
	if s.schemaECS {
		idKey = "http.request.id"
	}
	c := s.base.With().Str(idKey, s.id)
	if s.trace.TraceID != "" {
		c = c.Str(traceKey, s.trace.TraceID).Str(spanKey, s.trace.SpanID)
	}
	s.logger = c.Logger()
}

func stateFrom(ctx context.Context) *reqState {
	if s, ok := ctx.(*reqState); ok {
		return s
	}
	s, _ := ctx.Value(stateKey{}).(*reqState)
	return s
}
