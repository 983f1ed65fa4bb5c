// Package secure is Django's production checklist as net/http middleware: a trusted-proxy
// resolver, allowed hosts, HTTPS redirect and HSTS, security headers, CSRF protection, cookie
// hardening, a body-size limit and a deploy check — without the mistakes behind 2025's CVEs in
// gorilla/csrf (CVE-2025-24358, CVE-2025-47909), nosurf (CVE-2025-46721) and
// http.CrossOriginProtection's bypass patterns (CVE-2025-47910).
//
// One Config (nil means defaults) builds everything once; New validates it and names the field
// at fault:
//
//	sec, err := secure.New(&secure.Config{
//		TrustedProxies: []string{"10.0.0.0/8"},
//		AllowedHosts:   []string{"example.com", ".example.com"},
//		SSLRedirect:    true,
//		HSTSMaxAge:     365 * 24 * time.Hour,
//		TrustedOrigins: []string{"https://*.example.com"},
//	})
//	if err != nil { ... }
//	for _, f := range secure.Check(cfg) { log.Print(f) } // like manage.py check --deploy
//	http.ListenAndServe(addr, sec.Middleware(mux))
//
// # Trusted proxies
//
// Proxies decides the client IP, scheme and host for every other piece. Forwarded headers are
// believed only from a peer in Config.TrustedProxies; the client IP is the rightmost hop that is
// not a trusted proxy. Proxies.ClientIP has the resolver shape the other Buttress packages take,
// func(*http.Request) (netip.Addr, error). Nothing else in the package reads forwarded headers,
// and only one family (X-Forwarded-* or RFC 7239 Forwarded) is read.
//
// # Hosts, HTTPS and headers
//
// Hosts rejects a malformed or unlisted host with 400 (problem+json) before anything uses it;
// the grammar and matching are Django's ALLOWED_HOSTS. Redirect sends plain HTTP to
// https://<validated or canonical host>; HSTS goes on secure responses only. Headers adds
// nosniff, Referrer-Policy, Cross-Origin-Opener-Policy and X-Frame-Options by default, plus
// optional CSP (with a per-request nonce, see Nonce), Permissions-Policy and CORP, with Django's
// setdefault semantics (a handler may replace any of them) and no allocation per request.
//
// # CSRF
//
// CSRF is tokenless first: Sec-Fetch-Site decisions come from http.CrossOriginProtection; without
// it, Origin must equal the request's own origin — scheme included, as the proxy reports it — or
// a trusted origin ("https://*.example.com" is scheme-bound); HTTPS requests with neither header
// must not carry an http:// or foreign Referer. Exemptions are exact paths. With
// Config.CSRFTokens, a masked-token layer (fresh mask per render, constant-time compare) adds
// tokens for old browsers: put CSRFField(r) in forms.
//
// # Cookies, limits and the deploy check
//
// SessionCookie and Secure.SetCookie make cookies with Secure, HttpOnly and SameSite=Lax; the
// Cookies middleware adds missing flags to every Set-Cookie a handler writes. BodyLimit answers
// 413. Check(cfg) reports Django's security.W0xx findings that apply plus Buttress's own (B0xx);
// cmd/buttress-check audits a running site from outside with the same IDs.
package secure
