package logging

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/textproto"
	"time"
	"unsafe"

	"github.com/rs/zerolog"
)

// DefaultRequestIDHeader is the header RequestIDMiddleware reads and writes
// by default.
const DefaultRequestIDHeader = "X-Request-ID"

// Incoming request IDs are accepted only when they are between
// MinRequestIDLen and MaxRequestIDLen characters of [A-Za-z0-9+/=-]
// (Heroku's rule), which leaves no room for log injection (no quotes,
// newlines, spaces or control characters).
const (
	MinRequestIDLen = 20
	MaxRequestIDLen = 200
)

// idLen is the length of a generated ID (a ULID).
const idLen = 26

// RequestIDConfig holds RequestIDMiddleware's optional settings. A nil
// *RequestIDConfig means all defaults.
type RequestIDConfig struct {
	// Header is read for an incoming ID and set on the response.
	// Default: DefaultRequestIDHeader.
	Header string

	// IgnoreIncoming always generates a fresh ID, for servers that face
	// untrusted clients directly and want IDs they minted themselves.
	// Default: false (a valid incoming ID is kept).
	IgnoreIncoming bool

	// IgnoreTraceparent skips the W3C traceparent header. Default: false
	// (a valid traceparent adds trace.id and span.id to the request logger).
	IgnoreTraceparent bool

	// Schema names the request ID field on the request logger: request_id
	// (SchemaCompact, default) or http.request.id (SchemaECS).
	Schema Schema
}

// ValidRequestID reports whether id may be accepted from a client:
// MinRequestIDLen to MaxRequestIDLen characters of [A-Za-z0-9+/=-].
func ValidRequestID(id string) bool {
	if len(id) < MinRequestIDLen || len(id) > MaxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !idChar[id[i]] {
			return false
		}
	}
	return true
}

var idChar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	t['+'], t['/'], t['='], t['-'] = true, true, true, true
	return t
}()

// crockford is the ULID alphabet (Crockford's base32).
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewRequestID returns a fresh request ID: a ULID (26 characters, 48-bit
// millisecond timestamp then 80 random bits), so IDs sort by time. It
// always satisfies ValidRequestID.
func NewRequestID() string {
	var b [idLen]byte
	fillULID(&b, time.Now())
	return string(b[:])
}

func fillULID(b *[idLen]byte, now time.Time) {
	ms := uint64(now.UnixMilli())
	for i := 9; i >= 0; i-- {
		b[i] = crockford[ms&31]
		ms >>= 5
	}
	r1, r2 := rand.Uint64(), rand.Uint64() // 80 of these 128 bits are used
	for i := 10; i < 26; i++ {
		var v uint64
		if i < 18 {
			v, r1 = r1&31, r1>>5
		} else {
			v, r2 = r2&31, r2>>5
		}
		b[i] = crockford[v]
	}
}

// RequestIDMiddleware returns middleware giving every request an ID: a valid
// incoming one (see ValidRequestID) or a fresh ULID. The ID is set on the
// response header, put in the request context (RequestID(ctx)), and bound
// with any W3C traceparent IDs to the request logger, a child of l returned
// by Ctx(ctx) and zerolog.Ctx(ctx).
//
// It returns an error wrapping ErrInvalidConfig when cfg.Header is not a
// valid header name or cfg.Schema is unknown.
func RequestIDMiddleware(l zerolog.Logger, cfg *RequestIDConfig) (func(http.Handler) http.Handler, error) {
	var c RequestIDConfig
	if cfg != nil {
		c = *cfg
	}
	if c.Header == "" {
		c.Header = DefaultRequestIDHeader
	}
	if !validHeaderName(c.Header) {
		return nil, fmt.Errorf("%w: RequestIDConfig.Header %q is not a valid header name", ErrInvalidConfig, c.Header)
	}
	if c.Schema != SchemaCompact && c.Schema != SchemaECS {
		return nil, fmt.Errorf("%w: RequestIDConfig.Schema %d is not SchemaCompact or SchemaECS", ErrInvalidConfig, c.Schema)
	}
	header := textproto.CanonicalMIMEHeaderKey(c.Header)
	ecs := c.Schema == SchemaECS
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := &reqState{Context: r.Context(), base: &l, schemaECS: ecs}
			if v := r.Header[header]; !c.IgnoreIncoming && len(v) == 1 && ValidRequestID(v[0]) {
				s.id = v[0]
			} else {
				s.start = time.Now()
				fillULID(&s.idBuf, s.start)
				s.id = unsafe.String(&s.idBuf[0], idLen) // idBuf is never written again
			}
			if !c.IgnoreTraceparent {
				if v := r.Header["Traceparent"]; len(v) == 1 {
					s.trace, _ = ParseTraceparent(v[0])
				}
			}
			s.hdr[0] = s.id
			w.Header()[header] = s.hdr[:]
			next.ServeHTTP(w, r.WithContext(s))
		})
	}, nil
}

// validHeaderName reports whether s is an RFC 9110 token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !alnum && !isTokenPunct(c) {
			return false
		}
	}
	return true
}

func isTokenPunct(c byte) bool {
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}
