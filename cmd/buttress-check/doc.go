// Command buttress-check audits a running web site from the outside, like a local
// securityheaders.com: security headers, the HTTP to HTTPS redirect, cookie flags, the answer to
// a forged Host header and to cross-site POSTs. It prints one finding per line, with stable IDs
// that name the same checks as secure.Check, as far as they can be seen from outside (W0xx/E0xx
// mirror Django's security checks, B0xx are Buttress's, R0xx are specific to a remote audit):
// W020, for instance, is "AllowedHosts is empty" in a config and "a forged Host is served" on a
// live site, and W013 is any cookie without HttpOnly, since the audit cannot tell which cookies
// scripts must read. It exits 1 when a finding is an error (or, with -strict, a warning), 2 when
// the site cannot be audited.
//
// Usage:
//
//	buttress-check [flags] URL
//
// URL should be an HTTPS page that accepts POST (a form page or the home page), so that the
// CSRF probes reach the CSRF protection. Flags:
//
//	-http URL     plain-HTTP URL to test the redirect on (default: URL with http:// and no port)
//	-cacert FILE  PEM certificates to trust besides the system roots (internal CAs, test servers)
//	-host NAME    the forged Host to send (default buttress-check.invalid)
//	-timeout D    per-request timeout (default 10s)
//	-strict       exit 1 on warnings too
package main
