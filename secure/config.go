package secure

import (
	"fmt"
	"net/http"
	"net/netip"
	"time"
)

// Off disables a header whose default is on (Config.ContentTypeOptions, FrameOptions,
// ReferrerPolicy, CrossOriginOpenerPolicy).
const Off = "off"

// DefaultMaxBodyBytes is the request body limit when Config.MaxBodyBytes is 0: 10 MiB.
const DefaultMaxBodyBytes = 10 << 20

// Config holds every optional setting. The zero value (or a nil *Config) gives Django's
// defaults: security headers on, HSTS and the HTTPS redirect off, only local hosts allowed, no
// trusted proxy, tokenless CSRF on, cookie hardening on, a 10 MiB body limit. Check(cfg) lists
// what a production deployment should change.
type Config struct {
	// TrustedProxies lists the proxies (CIDR prefixes or addresses) whose forwarded headers are
	// believed. Default: none, so forwarded headers are ignored.
	TrustedProxies []string
	// ProxyHeader is the header family trusted proxies send. Default XForwarded.
	ProxyHeader ProxyHeader

	// AllowedHosts uses Django's ALLOWED_HOSTS grammar: "example.com" matches exactly,
	// ".example.com" matches the apex and every subdomain, "*" matches anything (host validation
	// off). Ports are ignored. Default (empty): ".localhost", "127.0.0.1" and "[::1]" only.
	AllowedHosts []string
	// CanonicalHost, when set ("www.example.com" or "www.example.com:8443"), is the host HTTPS
	// redirects go to (Django's SECURE_SSL_HOST). Default: the request's validated host.
	CanonicalHost string

	// SSLRedirect redirects plain-HTTP requests to HTTPS (301 for GET and HEAD, 308 otherwise).
	// Default false (Check reports W008).
	SSLRedirect bool
	// HTTPSPort is the port redirects use when CanonicalHost is empty. Default 443 (omitted from
	// the URL).
	HTTPSPort int
	// RedirectExempt lists paths never redirected: "/healthz" matches exactly, "/.well-known/*"
	// matches that prefix.
	RedirectExempt []string

	// HSTSMaxAge is Strict-Transport-Security's max-age, sent on secure responses only. Zero
	// (the default) sends no HSTS header; it is rounded down to whole seconds.
	HSTSMaxAge time.Duration
	// HSTSIncludeSubdomains adds includeSubDomains.
	HSTSIncludeSubdomains bool
	// HSTSPreload adds preload (needs a max-age of at least a year and includeSubDomains).
	HSTSPreload bool

	// ContentTypeOptions is X-Content-Type-Options. Default "nosniff"; Off omits it.
	ContentTypeOptions string
	// FrameOptions is X-Frame-Options: "DENY" (default), "SAMEORIGIN", or Off.
	FrameOptions string
	// ReferrerPolicy is Referrer-Policy. Default "same-origin"; Off omits it. A comma-separated
	// list of policies is allowed.
	ReferrerPolicy string
	// CrossOriginOpenerPolicy is Cross-Origin-Opener-Policy. Default "same-origin"; Off omits it.
	CrossOriginOpenerPolicy string
	// CrossOriginResourcePolicy is Cross-Origin-Resource-Policy ("same-origin", "same-site",
	// "cross-origin"). Default: not sent.
	CrossOriginResourcePolicy string
	// PermissionsPolicy is Permissions-Policy, e.g. "camera=(), microphone=()". Default: not sent.
	PermissionsPolicy string
	// ContentSecurityPolicy is Content-Security-Policy. Each "{nonce}" is replaced by a fresh
	// per-request nonce, also available to templates through Nonce(ctx). Default: not sent.
	ContentSecurityPolicy string
	// ContentSecurityPolicyReportOnly sends the policy as Content-Security-Policy-Report-Only.
	ContentSecurityPolicyReportOnly bool

	// CSRFDisabled turns the CSRF middleware into a pass-through (Check reports W003).
	CSRFDisabled bool
	// TrustedOrigins are origins allowed to send unsafe requests, each a full
	// "scheme://host[:port]"; a leading "*." in the host matches subdomains
	// ("https://*.example.com" matches https://a.example.com but neither https://example.com nor
	// http://a.example.com).
	TrustedOrigins []string
	// CSRFExempt lists paths exempt from CSRF checks. Matching is exact: "/webhook/" does not
	// exempt "/webhook" or "/webhook/x".
	CSRFExempt []string
	// CSRFRequireReferer rejects HTTPS unsafe requests that carry none of Sec-Fetch-Site, Origin
	// and Referer (Django's behaviour). Default false: such requests come from non-browser
	// clients, which CSRF cannot target, and are allowed, as http.CrossOriginProtection does.
	CSRFRequireReferer bool
	// CSRFFailure answers a rejected request; reason wraps one of the ErrCSRF... sentinels.
	// Default: 403 with a problem+json body naming the reason.
	CSRFFailure func(w http.ResponseWriter, r *http.Request, reason error)
	// CSRFTokens turns on the masked-token layer on top of the tokenless checks, for forms that
	// must work in browsers too old to send Origin. Default false.
	CSRFTokens bool
	// CSRFCookieName names the cookie holding the token secret. Default "csrftoken".
	CSRFCookieName string
	// CSRFFieldName names the form field carrying the masked token. Default "csrf_token".
	CSRFFieldName string
	// CSRFHeaderName names the request header carrying the masked token. Default "X-CSRF-Token".
	CSRFHeaderName string

	// InsecureCookies stops the cookie middleware and helper from adding Secure (Check reports
	// W012). Default false: Secure is added on every response to an HTTPS request.
	InsecureCookies bool
	// ScriptCookies names cookies scripts must read: HttpOnly is not added to them.
	ScriptCookies []string

	// MaxBodyBytes limits request bodies; a larger body gets 413. Default DefaultMaxBodyBytes;
	// -1 disables the limit.
	MaxBodyBytes int64

	// SecretKey is the application's signing key (sessions, signed cookies). secure does not use
	// it; Check audits it (W009) so that one Config carries the whole checklist.
	SecretKey []byte
}

// Secure holds the compiled configuration and hands out the middleware. Create it with New.
type Secure struct {
	cfg       Config
	proxies   *Proxies
	hosts     hostList
	headers   headerSet
	redirect  redirectRules
	csrf      *csrfChecker
	noHTTPOnl map[string]bool
	maxBody   int64
}

// New validates cfg (nil means defaults) and builds every piece once, so that requests only read
// prebuilt values. Errors wrap ErrInvalidConfig and name the field.
func New(cfg *Config) (*Secure, error) {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	s := &Secure{cfg: c}
	var err error
	if s.proxies, err = NewProxies(c.TrustedProxies, c.ProxyHeader); err != nil {
		return nil, err
	}
	if s.hosts, err = compileHosts(c.AllowedHosts); err != nil {
		return nil, err
	}
	if c.CanonicalHost != "" {
		if _, _, err := ParseHost(c.CanonicalHost); err != nil {
			return nil, fmt.Errorf("%w: Config.CanonicalHost %q is not a host[:port]", ErrInvalidConfig, c.CanonicalHost)
		}
	}
	if c.HTTPSPort < 0 || c.HTTPSPort > 65535 {
		return nil, fmt.Errorf("%w: Config.HTTPSPort %d is not a port", ErrInvalidConfig, c.HTTPSPort)
	}
	if s.redirect, err = compileRedirect(c.RedirectExempt); err != nil {
		return nil, err
	}
	if s.headers, err = buildHeaders(&c); err != nil {
		return nil, err
	}
	if s.csrf, err = newCSRFChecker(&c, s); err != nil {
		return nil, err
	}
	s.noHTTPOnl = make(map[string]bool, len(c.ScriptCookies))
	for _, n := range c.ScriptCookies {
		s.noHTTPOnl[n] = true
	}
	switch {
	case c.MaxBodyBytes == 0:
		s.maxBody = DefaultMaxBodyBytes
	case c.MaxBodyBytes < -1:
		return nil, fmt.Errorf("%w: Config.MaxBodyBytes %d must be > 0, 0 (default) or -1 (no limit)", ErrInvalidConfig, c.MaxBodyBytes)
	default:
		s.maxBody = c.MaxBodyBytes
	}
	return s, nil
}

// Proxies returns the trusted-proxy resolver. Its ClientIP method is the client-IP resolver to
// give ratelimit and logging.
func (s *Secure) Proxies() *Proxies { return s.proxies }

// ClientIP is s.Proxies().ClientIP, the client-IP resolver shape the other packages accept.
func (s *Secure) ClientIP(r *http.Request) (netip.Addr, error) { return s.proxies.ClientIP(r) }

// Middleware chains every piece in Django's order: security headers (so that even error
// responses carry them), allowed hosts (400 before anything reads the host), HTTPS redirect,
// body limit, cookie hardening, CSRF.
func (s *Secure) Middleware(next http.Handler) http.Handler {
	return s.Headers(s.Hosts(s.Redirect(s.BodyLimit(s.Cookies(s.CSRF(next))))))
}
