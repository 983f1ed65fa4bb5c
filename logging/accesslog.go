package logging

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// AccessLogConfig holds AccessLog's optional settings. A nil
// *AccessLogConfig means all defaults.
type AccessLogConfig struct {
	// Schema selects compact (default) or Elastic Common Schema field names;
	// see the Schema constants for the list.
	Schema Schema

	// ClientIP resolves the client address, typically a trusted-proxy
	// resolver such as secure's. Default nil: the host of r.RemoteAddr.
	// When it fails, r.RemoteAddr is logged instead.
	ClientIP func(r *http.Request) (netip.Addr, error)

	// SkipPaths lists exact URL paths (health checks: "/healthz") whose
	// responses are not logged when their status is below 400 and they were
	// not slow. Default: none.
	SkipPaths []string

	// Skip, when set, is asked after each request; returning true drops the
	// line. Slow requests are logged regardless. Default nil.
	Skip func(r *http.Request, status int) bool

	// SlowThreshold, when > 0, raises the line of a request that took longer
	// to at least warn and marks it slow=true. Default 0: off.
	SlowThreshold time.Duration

	// Level maps a status to the line's level. Default LevelForStatus.
	Level func(status int) zerolog.Level

	// Route returns the route pattern to log. Default: r.Pattern, which
	// net/http's ServeMux sets when AccessLog wraps the mux (directly, or
	// through middleware that does not replace the *http.Request), else the
	// pattern recorded by Routes or SetRoute.
	Route func(r *http.Request) string

	// Message is the line's message. Default "request".
	Message string

	// Now is the clock used to time requests. Default time.Now.
	Now func() time.Time
}

// LevelForStatus is the default status→level mapping: 5xx error, 429 info
// (rate limiting working as intended), other 4xx warn, everything else
// info.
func LevelForStatus(status int) zerolog.Level {
	switch {
	case status >= 500:
		return zerolog.ErrorLevel
	case status == http.StatusTooManyRequests:
		return zerolog.InfoLevel
	case status >= 400:
		return zerolog.WarnLevel
	}
	return zerolog.InfoLevel
}

type fieldNames struct {
	method, route, path, status, bytes, ip, userAgent, requestID string
	durationNS                                                   bool
	duration                                                     string
}

var (
	compactNames = fieldNames{
		method: "method", route: "route", path: "path", status: "status", bytes: "bytes",
		ip: "ip", userAgent: "user_agent", requestID: "request_id", duration: "duration_ms",
	}
	ecsNames = fieldNames{
		method: "http.request.method", route: "http.route", path: "url.path",
		status: "http.response.status_code", bytes: "http.response.body.bytes",
		ip: "client.ip", userAgent: "user_agent.original", requestID: "http.request.id",
		duration: "event.duration", durationNS: true,
	}
)

type accessLog struct {
	l     zerolog.Logger
	c     AccessLogConfig
	names *fieldNames
	skip  map[string]struct{}
}

// AccessLog returns middleware writing one line per request to l with the
// method, route pattern, path, status, body bytes, duration, client IP,
// user agent, request ID and trace IDs (see AccessLogConfig.Schema for the
// names). The level follows cfg.Level (LevelForStatus by default). A request
// whose handler panics through AccessLog is logged with aborted=true before
// the panic continues.
//
// Place it right after RequestIDMiddleware and outside the router: the pair
// then costs two allocations per request. It returns an error wrapping
// ErrInvalidConfig when a cfg field is invalid.
func AccessLog(l zerolog.Logger, cfg *AccessLogConfig) (func(http.Handler) http.Handler, error) {
	a := &accessLog{l: l}
	if cfg != nil {
		a.c = *cfg
	}
	switch a.c.Schema {
	case SchemaCompact:
		a.names = &compactNames
	case SchemaECS:
		a.names = &ecsNames
	default:
		return nil, fmt.Errorf("%w: AccessLogConfig.Schema %d is not SchemaCompact or SchemaECS", ErrInvalidConfig, a.c.Schema)
	}
	if a.c.SlowThreshold < 0 {
		return nil, fmt.Errorf("%w: AccessLogConfig.SlowThreshold must be >= 0", ErrInvalidConfig)
	}
	if a.c.Level == nil {
		a.c.Level = LevelForStatus
	}
	if a.c.Message == "" {
		a.c.Message = "request"
	}
	if len(a.c.SkipPaths) > 0 {
		a.skip = make(map[string]struct{}, len(a.c.SkipPaths))
		for _, p := range a.c.SkipPaths {
			a.skip[p] = struct{}{}
		}
	}
	return a.middleware, nil
}

func (a *accessLog) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := stateFrom(r.Context())
		var start time.Time
		switch {
		case a.c.Now != nil:
			start = a.c.Now()
		case s != nil && !s.start.IsZero():
			start = s.start // read by RequestIDMiddleware a moment ago
		default:
			start = time.Now()
		}
		rw := takeWriter(w, s)
		completed := false
		defer func() { a.log(r, rw, s, start, !completed) }()
		next.ServeHTTP(rw, r)
		completed = true
	})
}

func (a *accessLog) log(r *http.Request, rw *responseWriter, s *reqState, start time.Time, aborted bool) {
	var took time.Duration
	if a.c.Now != nil {
		took = a.c.Now().Sub(start)
	} else {
		took = time.Since(start) // monotonic clock only: cheaper than time.Now
	}
	status := rw.status
	if !rw.wroteHeader {
		status = http.StatusOK // what net/http sends for a handler that wrote nothing
		if aborted {
			status = http.StatusInternalServerError
		}
	}
	slow := a.c.SlowThreshold > 0 && took > a.c.SlowThreshold
	if !slow && !aborted {
		if _, ok := a.skip[r.URL.Path]; ok && status < 400 {
			return
		}
		if a.c.Skip != nil && a.c.Skip(r, status) {
			return
		}
	}
	lvl := a.c.Level(status)
	if slow && lvl < zerolog.WarnLevel {
		lvl = zerolog.WarnLevel
	}
	e := a.l.WithLevel(lvl)
	if e == nil {
		return
	}
	n := a.names
	e.Str(n.method, r.Method)
	route := r.Pattern
	if route == "" && s != nil {
		route = s.route
	}
	if a.c.Route != nil {
		route = a.c.Route(r)
	}
	if route != "" {
		e.Str(n.route, route)
	}
	e.Str(n.path, r.URL.Path).Int(n.status, status).Int64(n.bytes, rw.bytes)
	if n.durationNS {
		e.Int64(n.duration, int64(took))
	} else {
		e.Float64(n.duration, float64(took)/float64(time.Millisecond))
	}
	if a.c.ClientIP != nil {
		if ip, err := a.c.ClientIP(r); err == nil && ip.IsValid() {
			var scratch [48]byte // the longest IPv6 text with a zone fits
			e.Bytes(n.ip, ip.AppendTo(scratch[:0]))
		} else if r.RemoteAddr != "" {
			e.Str(n.ip, remoteHost(r.RemoteAddr))
		}
	} else if r.RemoteAddr != "" {
		e.Str(n.ip, remoteHost(r.RemoteAddr))
	}
	if ua := r.Header["User-Agent"]; len(ua) > 0 && ua[0] != "" {
		e.Str(n.userAgent, ua[0])
	}
	if s != nil {
		e.Str(n.requestID, s.id)
		if s.trace.TraceID != "" {
			e.Str("trace.id", s.trace.TraceID).Str("span.id", s.trace.SpanID)
		}
	} else if id := RequestID(r.Context()); id != "" {
		e.Str(n.requestID, id)
	}
	if slow {
		e.Bool("slow", true)
	}
	if aborted {
		e.Bool("aborted", true)
	}
	e.Msg(a.c.Message)
}

// remoteHost returns the host part of an http.Request.RemoteAddr without
// parsing it in full: "192.0.2.1:1234" → "192.0.2.1", "[2001:db8::1]:1234"
// → "2001:db8::1", an IPv4-mapped IPv6 address → its IPv4 form. Anything
// else is returned as it is (zerolog escapes it).
func remoteHost(addr string) string {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return addr
	}
	host := addr[:i]
	if len(host) >= 2 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
		if strings.HasPrefix(host, "::ffff:") {
			if ip, err := netip.ParseAddr(host); err == nil && ip.Is4In6() {
				return ip.Unmap().String()
			}
		}
		return host
	}
	if strings.IndexByte(host, ':') >= 0 { // a bare IPv6 address without a port
		return addr
	}
	return host
}
