package dbrouter

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// MiddlewareConfig holds the optional settings of [Middleware]; nil means defaults.
type MiddlewareConfig struct {
	// CookieName is the cookie carrying the token. Default "dbr_rw". Ignored when Header is set.
	CookieName string
	// Header, when set, carries the token in this request and response header instead of a
	// cookie (for API clients that echo it back).
	Header string
	// TTL is how long a token stays valid after the write it records. Default 5m. Keep it above
	// the router's MaxLag: a dropped expired token is then harmless, because every replica the
	// router still uses has replayed a write that old.
	TTL time.Duration
	// Insecure drops the cookie's Secure attribute (for plain-HTTP development). Default false.
	Insecure bool
	// OldKeys still verify tokens (key rotation); only the key given to Middleware signs.
	OldKeys [][]byte
	// OnReject, when set, is told about each rejected token (ErrTokenInvalid or ErrTokenExpired).
	OnReject func(r *http.Request, err error)
}

// Middleware returns HTTP middleware that gives each request a read-your-writes [Session] (and a
// [QueryCounter]) in its ctx, seeded from a token the client sent back, and sends the updated
// token (HMAC-SHA256 signed with key, at least 16 bytes) when the request wrote, so the user's
// next request, on any app instance, still sees its own writes.
//
// Bad tokens: a forged or malformed token is ignored and that request's reads all go to the
// primary (the safe fallback: it cannot show stale data, and a client can only slow itself); an
// expired token is dropped (see MiddlewareConfig.TTL). Both are reported to OnReject.
//
// The token is sent when the response headers are written, so writes after the first byte of a
// streamed body are not carried to the next request.
func Middleware(key []byte, cfg *MiddlewareConfig) (func(http.Handler) http.Handler, error) {
	if len(key) < 16 {
		return nil, fmt.Errorf("%w: Middleware key must be at least 16 bytes, got %d", ErrBadConfig, len(key))
	}
	var c MiddlewareConfig
	if cfg != nil {
		c = *cfg
	}
	if c.CookieName == "" {
		c.CookieName = "dbr_rw"
	}
	if c.TTL == 0 {
		c.TTL = 5 * time.Minute
	}
	if c.TTL < 0 {
		return nil, fmt.Errorf("%w: MiddlewareConfig.TTL must be > 0", ErrBadConfig)
	}
	keys := append([][]byte{key}, c.OldKeys...)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var raw string
			if c.Header != "" {
				raw = r.Header.Get(c.Header)
			} else if ck, err := r.Cookie(c.CookieName); err == nil {
				raw = ck.Value
			}
			sess := &Session{}
			var in Token
			if raw != "" {
				t, err := ParseToken(keys, raw, time.Now())
				switch {
				case err == nil:
					in = t
					sess.Merge(t)
				case errors.Is(err, ErrTokenExpired):
				default:
					sess.PinPrimary()
				}
				if err != nil && c.OnReject != nil {
					c.OnReject(r, err)
				}
			}
			ctx := WithSession(r.Context(), sess)
			ctx, _ = WithQueryCounter(ctx)
			tw := &tokenWriter{ResponseWriter: w, sess: sess, in: in, cfg: &c, key: key}
			next.ServeHTTP(tw, r.WithContext(ctx))
			tw.flushToken()
		})
	}, nil
}

type tokenWriter struct {
	http.ResponseWriter
	sess *Session
	in   Token
	cfg  *MiddlewareConfig
	key  []byte
	sent bool
}

func (w *tokenWriter) flushToken() {
	if w.sent {
		return
	}
	w.sent = true
	t := w.sess.Token()
	if t.Cluster == w.in.Cluster && t.LSN <= w.in.LSN && !t.PinUntil.After(w.in.PinUntil) {
		return // nothing new to carry
	}
	exp := time.Now().Add(w.cfg.TTL)
	v := EncodeToken(w.key, t, exp)
	if w.cfg.Header != "" {
		w.Header().Set(w.cfg.Header, v)
		return
	}
	http.SetCookie(w.ResponseWriter, &http.Cookie{
		Name: w.cfg.CookieName, Value: v, Path: "/", Expires: exp, MaxAge: int(w.cfg.TTL / time.Second),
		HttpOnly: true, Secure: !w.cfg.Insecure, SameSite: http.SameSiteLaxMode,
	})
}

func (w *tokenWriter) WriteHeader(code int) {
	w.flushToken()
	w.ResponseWriter.WriteHeader(code)
}

func (w *tokenWriter) Write(b []byte) (int, error) {
	w.flushToken()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (Flush, deadlines).
func (w *tokenWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
