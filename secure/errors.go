package secure

import "errors"

// Sentinel errors. Callers branch on them with errors.Is; the errors returned by this package wrap
// them with the detail (the offending value, the field to change).
var (
	// ErrInvalidConfig is wrapped by every validation error of New and NewProxies. The message
	// names the Config field to change.
	ErrInvalidConfig = errors.New("secure: invalid config")

	// ErrRemoteAddr means http.Request.RemoteAddr is not an IP address with or without a port.
	ErrRemoteAddr = errors.New("secure: RemoteAddr is not an IP address")
	// ErrForwardedInvalid means a trusted proxy sent a Forwarded or X-Forwarded-For header that
	// does not parse, or whose client hop is not an IP address ("unknown", "_hidden").
	ErrForwardedInvalid = errors.New("secure: invalid forwarded header")

	// ErrHostInvalid means the Host (or trusted X-Forwarded-Host) does not follow the host grammar.
	ErrHostInvalid = errors.New("secure: invalid host")
	// ErrHostNotAllowed means the host is well formed but not in Config.AllowedHosts.
	ErrHostNotAllowed = errors.New("secure: host not allowed")

	// ErrCSRFCrossSite means the browser said the request is cross-site or same-site
	// (Sec-Fetch-Site) and its Origin is not trusted.
	ErrCSRFCrossSite = errors.New("secure: CSRF: cross-site request")
	// ErrCSRFOriginMismatch means the Origin header (scheme, host and port) is neither the
	// request's own origin nor a trusted origin. "Origin: null" fails with this error too.
	ErrCSRFOriginMismatch = errors.New("secure: CSRF: origin does not match")
	// ErrCSRFRefererMissing means an HTTPS request without Origin or Sec-Fetch-Site also had no
	// Referer, and Config.CSRFRequireReferer is set.
	ErrCSRFRefererMissing = errors.New("secure: CSRF: no Referer on a secure request")
	// ErrCSRFRefererMalformed means the Referer of an HTTPS request without Origin does not parse
	// as an absolute URL.
	ErrCSRFRefererMalformed = errors.New("secure: CSRF: malformed Referer")
	// ErrCSRFRefererInsecure means an HTTPS request without Origin came with an http:// Referer
	// (Django's defence against a man in the middle on the HTTP side).
	ErrCSRFRefererInsecure = errors.New("secure: CSRF: insecure Referer on a secure request")
	// ErrCSRFRefererMismatch means the Referer's host is neither the request's host nor a
	// trusted origin.
	ErrCSRFRefererMismatch = errors.New("secure: CSRF: Referer does not match")
	// ErrCSRFTokenMissing means the masked-token layer is on and the request carried no token
	// (form field or header) or no token cookie.
	ErrCSRFTokenMissing = errors.New("secure: CSRF: token missing")
	// ErrCSRFTokenInvalid means the token has the wrong length or alphabet, or does not unmask to
	// the cookie's secret.
	ErrCSRFTokenInvalid = errors.New("secure: CSRF: token invalid")
)
