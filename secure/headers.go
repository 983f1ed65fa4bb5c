package secure

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// header is one prebuilt header: the canonical key and a value slice shared by every response.
type header struct {
	key string
	val []string
}

// headerSet holds everything the Headers middleware writes, built once by New.
type headerSet struct {
	always []header // every response
	hsts   []string // secure responses only; nil when off
	// CSP with a nonce: the policy split around "{nonce}".
	cspKey   string
	cspParts []string
}

var (
	validFrameOptions = map[string]bool{"DENY": true, "SAMEORIGIN": true}
	validReferrer     = map[string]bool{
		"no-referrer": true, "no-referrer-when-downgrade": true, "origin": true,
		"origin-when-cross-origin": true, "same-origin": true, "strict-origin": true,
		"strict-origin-when-cross-origin": true, "unsafe-url": true,
	}
	validCOOP = map[string]bool{"same-origin": true, "same-origin-allow-popups": true, "unsafe-none": true, "noopener-allow-popups": true}
	validCORP = map[string]bool{"same-origin": true, "same-site": true, "cross-origin": true}
)

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// one returns a single-value slice whose capacity equals its length, so that a handler's
// Header().Add appends to a copy, never to the shared array.
func one(v string) []string { return []string{v}[:1:1] }

func buildHeaders(c *Config) (headerSet, error) {
	var hs headerSet
	add := func(key, v string) { hs.always = append(hs.always, header{http.CanonicalHeaderKey(key), one(v)}) }

	if v := orDefault(c.ContentTypeOptions, "nosniff"); v != Off {
		if v != "nosniff" {
			return hs, fmt.Errorf("%w: Config.ContentTypeOptions %q must be \"nosniff\" or Off", ErrInvalidConfig, v)
		}
		add("X-Content-Type-Options", v)
	}
	if v := orDefault(c.FrameOptions, "DENY"); v != Off {
		if !validFrameOptions[strings.ToUpper(v)] {
			return hs, fmt.Errorf("%w: Config.FrameOptions %q must be DENY, SAMEORIGIN or Off", ErrInvalidConfig, v)
		}
		add("X-Frame-Options", strings.ToUpper(v))
	}
	if v := orDefault(c.ReferrerPolicy, "same-origin"); v != Off {
		if err := validReferrerPolicy(v); err != nil {
			return hs, err
		}
		add("Referrer-Policy", v)
	}
	if v := orDefault(c.CrossOriginOpenerPolicy, "same-origin"); v != Off {
		if !validCOOP[v] {
			return hs, fmt.Errorf("%w: Config.CrossOriginOpenerPolicy %q is not a COOP value", ErrInvalidConfig, v)
		}
		add("Cross-Origin-Opener-Policy", v)
	}
	if v := c.CrossOriginResourcePolicy; v != "" {
		if !validCORP[v] {
			return hs, fmt.Errorf("%w: Config.CrossOriginResourcePolicy %q must be same-origin, same-site or cross-origin", ErrInvalidConfig, v)
		}
		add("Cross-Origin-Resource-Policy", v)
	}
	if v := c.PermissionsPolicy; v != "" {
		if strings.ContainsAny(v, "\r\n") {
			return hs, fmt.Errorf("%w: Config.PermissionsPolicy contains a line break", ErrInvalidConfig)
		}
		add("Permissions-Policy", v)
	}
	if v := c.ContentSecurityPolicy; v != "" {
		if strings.ContainsAny(v, "\r\n") {
			return hs, fmt.Errorf("%w: Config.ContentSecurityPolicy contains a line break", ErrInvalidConfig)
		}
		key := "Content-Security-Policy"
		if c.ContentSecurityPolicyReportOnly {
			key = "Content-Security-Policy-Report-Only"
		}
		if strings.Contains(v, "{nonce}") {
			hs.cspKey, hs.cspParts = key, strings.Split(v, "{nonce}")
		} else {
			add(key, v)
		}
	}
	if c.HSTSMaxAge < 0 {
		return hs, fmt.Errorf("%w: Config.HSTSMaxAge %v must be >= 0", ErrInvalidConfig, c.HSTSMaxAge)
	}
	if secs := int64(c.HSTSMaxAge / time.Second); secs > 0 {
		v := "max-age=" + strconv.FormatInt(secs, 10)
		if c.HSTSIncludeSubdomains {
			v += "; includeSubDomains"
		}
		if c.HSTSPreload {
			v += "; preload"
		}
		hs.hsts = one(v)
	}
	return hs, nil
}

func validReferrerPolicy(v string) error {
	for p := range strings.SplitSeq(v, ",") {
		if !validReferrer[strings.TrimSpace(p)] {
			return fmt.Errorf("%w: Config.ReferrerPolicy %q: %q is not a referrer policy", ErrInvalidConfig, v, strings.TrimSpace(p))
		}
	}
	return nil
}

type nonceKey struct{}

// NonceFromContext returns the request's CSP nonce, set by the Headers middleware when
// Config.ContentSecurityPolicy contains "{nonce}".
func NonceFromContext(ctx context.Context) (string, bool) {
	n, ok := ctx.Value(nonceKey{}).(string)
	return n, ok
}

// Nonce returns the request's CSP nonce, or "" when there is none. In html/template:
//
//	<script nonce="{{ .Nonce }}">...</script>
func Nonce(ctx context.Context) string {
	n, _ := NonceFromContext(ctx)
	return n
}

// Headers is middleware adding the security headers with setdefault semantics: they are set
// before the handler runs, so a handler may replace (Header().Set) or remove (Header().Del) any
// of them. Strict-Transport-Security is sent on secure responses only. Values are built once;
// without a CSP nonce a request costs no allocation. The value slices are shared between
// responses: replace them, never write into them.
func (s *Secure) Headers(next http.Handler) http.Handler {
	hs := &s.headers
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if len(h) == 0 { // nothing to keep: skip the lookups
			for i := range hs.always {
				h[hs.always[i].key] = hs.always[i].val
			}
		} else {
			for i := range hs.always {
				if _, ok := h[hs.always[i].key]; !ok {
					h[hs.always[i].key] = hs.always[i].val
				}
			}
		}
		if hs.hsts != nil && s.proxies.IsSecure(r) {
			if _, ok := h["Strict-Transport-Security"]; !ok {
				h["Strict-Transport-Security"] = hs.hsts
			}
		}
		if hs.cspParts != nil {
			nonce := newNonce()
			if _, ok := h[hs.cspKey]; !ok {
				h[hs.cspKey] = []string{strings.Join(hs.cspParts, nonce)}
			}
			r = r.WithContext(context.WithValue(r.Context(), nonceKey{}, nonce))
		}
		next.ServeHTTP(w, r)
	})
}

// newNonce returns 128 random bits, base64url-encoded (22 characters html/template leaves as
// they are; CSP allows "-" and "_" in nonces).
func newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
