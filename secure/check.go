package secure

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Severity grades a Finding.
type Severity int

const (
	// Info is worth knowing; nothing is wrong.
	Info Severity = iota
	// Warning is a setting production sites should change (Django's W-checks).
	Warning
	// Error is a setting that is broken or unsafe as it is (Django's E-checks).
	Error
)

// String returns "info", "warning" or "error".
func (s Severity) String() string {
	switch s {
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return "info"
}

// Finding is one result of Check (or of cmd/buttress-check). IDs are stable: W0xx and E0xx
// mirror Django's security.W0xx/E0xx checks of the same meaning, B0xx are Buttress's own.
type Finding struct {
	ID       string
	Severity Severity
	Message  string
	Hint     string
}

// String formats the finding as "ID severity: message (hint)".
func (f Finding) String() string {
	s := f.ID + " " + f.Severity.String() + ": " + f.Message
	if f.Hint != "" {
		s += " (" + f.Hint + ")"
	}
	return s
}

// hstsPreloadMin is the max-age the HSTS preload list requires.
const hstsPreloadMin = 365 * 24 * time.Hour

// hstsShort is the max-age under which HSTS protects little: a browser that has not visited for
// longer is back to trusting plain HTTP (Mozilla's guidance asks for at least six months).
const hstsShort = 180 * 24 * time.Hour

// Check audits cfg as `manage.py check --deploy` audits Django settings, and returns the findings
// in ID order (nil when there are none). The IDs:
//
//	W002  X-Frame-Options is off (clickjacking)
//	W003  CSRF protection is disabled
//	W004  HSTS is off
//	W005  HSTS without includeSubDomains
//	W006  X-Content-Type-Options: nosniff is off
//	W008  no HTTP to HTTPS redirect
//	W009  SecretKey is weak (short, few distinct bytes, or a placeholder)
//	W012  cookies are not made Secure
//	W013  a session-like cookie is script-readable (in ScriptCookies)
//	W016  the CSRF token cookie is not made Secure
//	W019  X-Frame-Options is not DENY
//	W020  AllowedHosts is empty (only local hosts are served)
//	W021  HSTS without preload
//	W022  Referrer-Policy is off
//	E023  Referrer-Policy has an invalid value
//	E024  Cross-Origin-Opener-Policy has an invalid value
//	B001  a trusted proxy prefix covers every address: forwarded headers are trusted from anyone
//	B002  HSTS preload with max-age under a year (or without includeSubDomains)
//	B003  a trusted origin has no scheme or does not parse
//	B004  AllowedHosts contains "*" (host validation off)
//	B005  the request body limit is disabled
//	B006  no Content-Security-Policy (info)
//	B007  a setting New rejects (the message names the field)
//	B008  HSTS max-age under 180 days (without preload, where B002 applies)
func Check(cfg *Config) []Finding {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	var out []Finding
	add := func(id string, sev Severity, msg, hint string) {
		out = append(out, Finding{ID: id, Severity: sev, Message: msg, Hint: hint})
	}

	if c.FrameOptions == Off {
		add("W002", Warning, "X-Frame-Options is off: pages can be framed by other sites (clickjacking).", "leave Config.FrameOptions empty (DENY)")
	} else if v := strings.ToUpper(orDefault(c.FrameOptions, "DENY")); v != "DENY" && validFrameOptions[v] {
		add("W019", Warning, "X-Frame-Options is "+v+", not DENY.", "use DENY unless the site frames its own pages")
	}
	if c.CSRFDisabled {
		add("W003", Warning, "CSRF protection is disabled.", "unset Config.CSRFDisabled; exempt single paths with Config.CSRFExempt")
	}
	if c.HSTSMaxAge <= 0 {
		add("W004", Warning, "Strict-Transport-Security is not sent.", "set Config.HSTSMaxAge once the whole site is served over HTTPS")
	} else {
		if !c.HSTSIncludeSubdomains {
			add("W005", Warning, "HSTS does not include subdomains.", "set Config.HSTSIncludeSubdomains if every subdomain is HTTPS-only")
		}
		if !c.HSTSPreload {
			add("W021", Warning, "HSTS preload is not set.", "set Config.HSTSPreload and submit the site to hstspreload.org")
		}
	}
	if c.ContentTypeOptions == Off {
		add("W006", Warning, "X-Content-Type-Options: nosniff is not sent.", "leave Config.ContentTypeOptions empty")
	}
	if !c.SSLRedirect {
		add("W008", Warning, "Plain-HTTP requests are not redirected to HTTPS.", "set Config.SSLRedirect (or redirect at the proxy and ignore this)")
	}
	if len(c.SecretKey) > 0 && weakKey(c.SecretKey) {
		add("W009", Warning, "Config.SecretKey is weak: it needs at least 32 random bytes.", "generate one with: head -c 32 /dev/urandom | base64")
	}
	if c.InsecureCookies {
		add("W012", Warning, "Cookies are not made Secure, so session cookies can leak over HTTP.", "unset Config.InsecureCookies")
		if c.CSRFTokens {
			add("W016", Warning, "The CSRF token cookie is not made Secure.", "unset Config.InsecureCookies")
		}
	}
	for _, n := range c.ScriptCookies {
		l := strings.ToLower(n)
		if strings.Contains(l, "session") || strings.Contains(l, "sid") || l == strings.ToLower(orDefault(c.CSRFCookieName, "csrftoken")) {
			add("W013", Warning, fmt.Sprintf("Cookie %q looks like a session or token cookie but is script-readable (Config.ScriptCookies).", n), "keep it HttpOnly")
		}
	}
	if len(c.AllowedHosts) == 0 {
		add("W020", Warning, "Config.AllowedHosts is empty: only localhost is served, every other host gets 400.", "list the site's hosts, e.g. \"example.com\", \".example.com\"")
	}
	if c.ReferrerPolicy == Off {
		add("W022", Warning, "Referrer-Policy is not sent.", "leave Config.ReferrerPolicy empty (same-origin)")
	} else if c.ReferrerPolicy != "" {
		if err := validReferrerPolicy(c.ReferrerPolicy); err != nil {
			add("E023", Error, fmt.Sprintf("Config.ReferrerPolicy %q is invalid.", c.ReferrerPolicy), "use a value such as same-origin or strict-origin-when-cross-origin")
		}
	}
	if v := c.CrossOriginOpenerPolicy; v != "" && v != Off && !validCOOP[v] {
		add("E024", Error, fmt.Sprintf("Config.CrossOriginOpenerPolicy %q is invalid.", v), "use same-origin, same-origin-allow-popups or unsafe-none")
	}
	for _, t := range c.TrustedProxies {
		if p, err := parsePrefix(t); err == nil && p.Bits() == 0 {
			add("B001", Error, fmt.Sprintf("Config.TrustedProxies contains %q: forwarded headers are believed from anyone, so clients choose their IP, scheme and host.", t), "list only your proxies' addresses")
		}
	}
	if c.HSTSPreload && (c.HSTSMaxAge < hstsPreloadMin || !c.HSTSIncludeSubdomains) {
		add("B002", Error, fmt.Sprintf("HSTS preload needs max-age of at least a year and includeSubDomains (max-age is %v).", c.HSTSMaxAge), "set Config.HSTSMaxAge >= 8760h and Config.HSTSIncludeSubdomains")
	}
	for i, o := range c.TrustedOrigins {
		if _, err := compileOrigin(i, o); err != nil {
			add("B003", Error, fmt.Sprintf("Config.TrustedOrigins[%d] %q is not a scheme://host[:port] origin.", i, o), "write the scheme, e.g. https://"+strings.TrimPrefix(o, "//"))
		}
	}
	for _, h := range c.AllowedHosts {
		if h == "*" {
			add("B004", Warning, "Config.AllowedHosts contains \"*\": any Host is accepted, so forged hosts reach URLs and e-mails.", "list the site's hosts")
			break
		}
	}
	if c.MaxBodyBytes < 0 {
		add("B005", Warning, "The request body limit is disabled.", "set Config.MaxBodyBytes, or leave it 0 for 10 MiB")
	}
	if c.HSTSMaxAge > 0 && c.HSTSMaxAge < hstsShort && !c.HSTSPreload {
		add("B008", Warning, fmt.Sprintf("HSTS max-age is short (%v): a browser away for longer trusts plain HTTP again.", c.HSTSMaxAge), "raise Config.HSTSMaxAge to at least 4320h (180 days) once HTTPS is settled")
	}
	if c.ContentSecurityPolicy == "" {
		add("B006", Info, "No Content-Security-Policy.", "set Config.ContentSecurityPolicy, with {nonce} for inline scripts")
	}
	if _, err := New(&c); err != nil {
		add("B007", Error, strings.TrimPrefix(err.Error(), "secure: invalid config: "), "New rejects this Config")
	}
	sortFindings(out)
	return out
}

// weakKey mirrors Django's W009 for byte keys: too short, too few distinct bytes, or a
// well-known placeholder.
func weakKey(k []byte) bool {
	if len(k) < 32 {
		return true
	}
	var seen [256]bool
	distinct := 0
	for _, b := range k {
		if !seen[b] {
			seen[b] = true
			distinct++
		}
	}
	l := bytes.ToLower(k)
	return distinct < 5 || bytes.HasPrefix(l, []byte("django-insecure")) || bytes.Contains(l, []byte("changeme")) ||
		bytes.Contains(l, []byte("insecure")) || bytes.Contains(l, []byte("secret"))
}

func sortFindings(f []Finding) {
	slices.SortStableFunc(f, func(a, b Finding) int { return strings.Compare(a.ID, b.ID) })
}
