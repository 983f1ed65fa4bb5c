package secure

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// csrfChecker is the compiled CSRF configuration.
type csrfChecker struct {
	s              *Secure
	cop            *http.CrossOriginProtection
	trusted        []originPattern
	exempt         map[string]bool
	requireReferer bool
	failure        func(http.ResponseWriter, *http.Request, error)

	tokens                           bool
	cookieName, fieldName, headerKey string
}

func newCSRFChecker(c *Config, s *Secure) (*csrfChecker, error) {
	cc := &csrfChecker{
		s:              s,
		cop:            http.NewCrossOriginProtection(),
		exempt:         make(map[string]bool, len(c.CSRFExempt)),
		requireReferer: c.CSRFRequireReferer,
		failure:        c.CSRFFailure,
		tokens:         c.CSRFTokens,
		cookieName:     orDefault(c.CSRFCookieName, "csrftoken"),
		fieldName:      orDefault(c.CSRFFieldName, "csrf_token"),
		headerKey:      http.CanonicalHeaderKey(orDefault(c.CSRFHeaderName, "X-CSRF-Token")),
	}
	if cc.failure == nil {
		cc.failure = defaultCSRFFailure
	}
	for i, o := range c.TrustedOrigins {
		p, err := compileOrigin(i, o)
		if err != nil {
			return nil, err
		}
		cc.trusted = append(cc.trusted, p)
	}
	for i, p := range c.CSRFExempt {
		if !strings.HasPrefix(p, "/") {
			return nil, fmt.Errorf("%w: Config.CSRFExempt[%d] %q must be a path starting with \"/\"", ErrInvalidConfig, i, p)
		}
		cc.exempt[p] = true
	}
	if !validCookieName(cc.cookieName) {
		return nil, fmt.Errorf("%w: Config.CSRFCookieName %q is not a cookie name", ErrInvalidConfig, cc.cookieName)
	}
	return cc, nil
}

func validCookieName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return false
		}
	}
	return true
}

func defaultCSRFFailure(w http.ResponseWriter, _ *http.Request, reason error) {
	writeProblem(w, http.StatusForbidden, "CSRF verification failed: "+strings.TrimPrefix(reason.Error(), "secure: CSRF: "))
}

// CheckCSRF applies the tokenless checks to r and returns nil or an error wrapping one of the
// ErrCSRF... sentinels:
//
//  1. GET, HEAD and OPTIONS pass.
//  2. When the browser sent Sec-Fetch-Site, http.CrossOriginProtection decides ("same-origin"
//     and "none" pass, anything else fails unless Origin is a trusted origin).
//  3. Otherwise, when Origin is present, it must equal the request's own origin — scheme (from
//     the trusted-proxy resolver), host and port, not only the host as the standard library
//     compares — or match Config.TrustedOrigins. "Origin: null" fails.
//  4. Otherwise, on a secure request, a Referer must be https and name the request's host or a
//     trusted origin (a missing Referer fails only with Config.CSRFRequireReferer).
//
// A request whose path is exactly one of Config.CSRFExempt passes whatever it carries.
func (s *Secure) CheckCSRF(r *http.Request) error {
	return s.csrf.check(r)
}

func (c *csrfChecker) check(r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	err := c.checkUnsafe(r)
	if err != nil && c.exempt[r.URL.Path] {
		return nil
	}
	return err
}

func (c *csrfChecker) checkUnsafe(r *http.Request) error {
	if sfs := r.Header["Sec-Fetch-Site"]; len(sfs) > 0 && sfs[0] != "" {
		// "same-origin" and "none" always pass http.CrossOriginProtection; answering them here
		// spares its second header lookup on the path every current browser takes.
		if v := sfs[0]; v == "same-origin" || v == "none" || c.cop.Check(r) == nil {
			return nil
		}
		if len(c.trusted) > 0 && c.trustedOrigin(headerFirst(r.Header, "Origin")) {
			return nil
		}
		return fmt.Errorf("%w (Sec-Fetch-Site: %s)", ErrCSRFCrossSite, sfs[0])
	}
	if origin := headerFirst(r.Header, "Origin"); origin != "" {
		if c.exactOrigin(r, origin) {
			return nil
		}
		scheme, host, port, ok := parseOrigin(origin)
		if ok && (c.sameOrigin(r, scheme, host, port) || c.matchTrusted(scheme, host, port)) {
			return nil
		}
		return fmt.Errorf("%w: Origin %q is neither %s nor a trusted origin", ErrCSRFOriginMismatch, origin, c.ownOrigin(r))
	}
	if !c.s.proxies.IsSecure(r) {
		return nil // no browser signal at all: a non-browser client or same-origin old browser
	}
	return c.checkReferer(r)
}

func (c *csrfChecker) checkReferer(r *http.Request) error {
	ref := headerFirst(r.Header, "Referer")
	if ref == "" {
		if c.requireReferer {
			return ErrCSRFRefererMissing
		}
		return nil
	}
	u, err := url.Parse(ref)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("%w: %q", ErrCSRFRefererMalformed, ref)
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return fmt.Errorf("%w: Referer %q on an HTTPS request", ErrCSRFRefererInsecure, ref)
	}
	host, port, err := ParseHost(u.Host)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrCSRFRefererMalformed, ref)
	}
	port = normalizePort("https", port)
	if c.sameOrigin(r, "https", host, port) || c.matchTrusted("https", host, port) {
		return nil
	}
	return fmt.Errorf("%w: Referer %q is neither %s nor a trusted origin", ErrCSRFRefererMismatch, ref, c.ownOrigin(r))
}

// exactOrigin is the fast path of sameOrigin: Origin is byte for byte scheme + "://" + Host.
func (c *csrfChecker) exactOrigin(r *http.Request, origin string) bool {
	scheme := c.s.proxies.Scheme(r)
	host := c.s.proxies.Host(r)
	n := len(scheme)
	return host != "" && len(origin) == n+3+len(host) && origin[:n] == scheme && origin[n:n+3] == "://" && origin[n+3:] == host
}

// sameOrigin compares a parsed origin with the request's own (proxy-aware scheme and host).
func (c *csrfChecker) sameOrigin(r *http.Request, scheme, host, port string) bool {
	rs := c.s.proxies.Scheme(r)
	if scheme != rs {
		return false
	}
	rh, rp, err := ParseHost(c.s.proxies.Host(r))
	return err == nil && rh == host && normalizePort(rs, rp) == port
}

func (c *csrfChecker) ownOrigin(r *http.Request) string {
	return c.s.proxies.Scheme(r) + "://" + c.s.proxies.Host(r)
}

func (c *csrfChecker) trustedOrigin(origin string) bool {
	scheme, host, port, ok := parseOrigin(origin)
	return ok && c.matchTrusted(scheme, host, port)
}

func (c *csrfChecker) matchTrusted(scheme, host, port string) bool {
	for i := range c.trusted {
		if c.trusted[i].match(scheme, host, port) {
			return true
		}
	}
	return false
}

func headerFirst(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// CSRF is middleware rejecting cross-origin unsafe requests (see CheckCSRF) through
// Config.CSRFFailure. With Config.CSRFTokens it also keeps a token secret in a cookie, makes
// CSRFToken and CSRFField work in handlers, and requires unsafe requests to carry a valid masked
// token in the Config.CSRFHeaderName header or the Config.CSRFFieldName form field.
func (s *Secure) CSRF(next http.Handler) http.Handler {
	c := s.csrf
	if s.cfg.CSRFDisabled {
		return next
	}
	if !c.tokens {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := c.check(r); err != nil {
				c.failure(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = c.withToken(w, r)
		err := c.check(r)
		if err == nil {
			err = c.checkToken(r)
		}
		if err != nil {
			c.failure(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}
