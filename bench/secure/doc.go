// Package secure compares Buttress's secure middleware with unrolled/secure (security headers),
// gorilla/csrf, justinas/nosurf and the standard library's http.CrossOriginProtection (CSRF).
// Every contender runs as middleware around an empty handler on the same request, with a
// ResponseWriter whose header map is reused, so that the figures measure the middleware alone.
package secure
