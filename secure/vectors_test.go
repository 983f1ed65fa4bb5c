package secure

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The design note's test vectors, one test each.

func TestVectorEvilHostWithEmptyAllowlistIs400NeverRedirect(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{SSLRedirect: true})
	for _, h := range []http.Handler{s.Middleware(okHandler), s.Redirect(okHandler), s.Hosts(okHandler)} {
		rec := serve(h, req("GET", "http://evil.com/account"))
		requireProblem(t, rec, http.StatusBadRequest)
		require.NotContains(t, rec.Body.String(), "https://evil.com")
	}
}

func TestVectorUppercaseTrailingDotAndPortAllowed(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{AllowedHosts: []string{"example.com"}})
	h := s.Middleware(okHandler)
	for _, host := range []string{"EXAMPLE.com.", "example.com:8443", "example.com"} {
		r := req("GET", "http://example.com/")
		r.Host = host
		rec := serve(h, r)
		require.Equal(t, http.StatusOK, rec.Code, host)
	}
	r := req("GET", "http://example.com/")
	r.Host = "EXAMPLE.com.:8443"
	got, err := s.Host(r)
	require.NoError(t, err)
	require.Equal(t, "example.com:8443", got)
}

func TestVectorMalformedHostsAre400(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{AllowedHosts: []string{"*"}})
	h := s.Middleware(okHandler)
	for _, host := range []string{"a@b", "[::1]x"} {
		r := req("GET", "http://example.com/")
		r.Host = host
		requireProblem(t, serve(h, r), http.StatusBadRequest)
		_, err := s.Host(r)
		require.ErrorIs(t, err, ErrHostInvalid, host)
	}
}

func TestVectorForwardedHostFromUntrustedPeerIgnored(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{AllowedHosts: []string{"example.com"}, TrustedProxies: []string{"10.0.0.1"}})
	r := req("GET", "http://example.com/", "X-Forwarded-Host", "evil.com", "X-Forwarded-Proto", "https")
	got, err := s.Host(r)
	require.NoError(t, err)
	require.Equal(t, "example.com", got)
	require.Equal(t, "http", s.Proxies().Scheme(r))
	require.Equal(t, http.StatusOK, serve(s.Middleware(okHandler), r).Code)

	// The same headers from the trusted proxy are honoured (and evil.com is then refused).
	r.RemoteAddr = "10.0.0.1:5555"
	_, err = s.Host(r)
	require.ErrorIs(t, err, ErrHostNotAllowed)
	require.Equal(t, "https", s.Proxies().Scheme(r))
}

func postWith(headers ...string) *http.Request {
	return req("POST", "https://example.com/transfer", headers...)
}

func TestVectorSecFetchSiteCrossSiteAndSameSiteForbiddenNonePasses(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{AllowedHosts: []string{"example.com"}})
	h := s.Middleware(okHandler)
	for _, v := range []string{"cross-site", "same-site"} {
		r := postWith("Sec-Fetch-Site", v)
		requireProblem(t, serve(h, r), http.StatusForbidden)
		require.ErrorIs(t, s.CheckCSRF(r), ErrCSRFCrossSite)
	}
	r := postWith("Sec-Fetch-Site", "none")
	require.NoError(t, s.CheckCSRF(r))
	require.Equal(t, http.StatusOK, serve(h, r).Code)
}

func TestVectorOriginNullWithoutSecFetchSiteForbidden(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{AllowedHosts: []string{"example.com"}})
	r := postWith("Origin", "null")
	require.ErrorIs(t, s.CheckCSRF(r), ErrCSRFOriginMismatch)
	requireProblem(t, serve(s.Middleware(okHandler), r), http.StatusForbidden)
}

// CVE-2025-47909: gorilla/csrf matched trusted origins by host only, so http:// passed.
func TestVectorHTTPOriginAgainstTrustedHTTPSOriginForbidden(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{AllowedHosts: []string{".example.com"}, TrustedOrigins: []string{"https://example.com"}})
	for _, target := range []string{"https://app.example.com/transfer", "https://example.com/transfer"} {
		r := req("POST", target, "Origin", "http://example.com")
		require.ErrorIs(t, s.CheckCSRF(r), ErrCSRFOriginMismatch, target)
		requireProblem(t, serve(s.Middleware(okHandler), r), http.StatusForbidden)
	}
	// The trusted origin itself passes on the other host.
	require.NoError(t, s.CheckCSRF(req("POST", "https://app.example.com/transfer", "Origin", "https://example.com")))
}

func TestVectorWildcardTrustedOriginDoesNotMatchSuffix(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{AllowedHosts: []string{"api.example.net"}, TrustedOrigins: []string{"https://*.example.com"}})
	for _, o := range []string{"https://evilexample.com", "https://example.com", "http://a.example.com", "https://a.example.com:8443"} {
		require.ErrorIs(t, s.CheckCSRF(req("POST", "https://api.example.net/x", "Origin", o)), ErrCSRFOriginMismatch, o)
		r := req("POST", "https://api.example.net/x", "Origin", o, "Sec-Fetch-Site", "cross-site")
		require.ErrorIs(t, s.CheckCSRF(r), ErrCSRFCrossSite, o)
	}
	for _, o := range []string{"https://a.example.com", "https://a.b.example.com", "https://A.Example.com:443"} {
		require.NoError(t, s.CheckCSRF(req("POST", "https://api.example.net/x", "Origin", o)), o)
		require.NoError(t, s.CheckCSRF(req("POST", "https://api.example.net/x", "Origin", o, "Sec-Fetch-Site", "cross-site")), o)
	}
}

// CVE-2025-47910: CrossOriginProtection's bypass patterns also matched requests ServeMux would
// redirect to the pattern.
func TestVectorExemptionIsExactMatch(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{AllowedHosts: []string{"example.com"}, CSRFExempt: []string{"/webhook/"}})
	for _, p := range []string{"/webhook", "/webhook/x", "//webhook/", "/webhook/."} {
		r := req("POST", "https://example.com/", "Sec-Fetch-Site", "cross-site")
		r.URL.Path = p
		require.ErrorIs(t, s.CheckCSRF(r), ErrCSRFCrossSite, p)
	}
	require.NoError(t, s.CheckCSRF(req("POST", "https://example.com/webhook/", "Sec-Fetch-Site", "cross-site")))
}

func TestVectorHTTPSRequestWithHTTPRefererAndNoOriginForbidden(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{AllowedHosts: []string{"example.com"}})
	r := postWith("Referer", "http://example.com/form")
	require.ErrorIs(t, s.CheckCSRF(r), ErrCSRFRefererInsecure)
	requireProblem(t, serve(s.Middleware(okHandler), r), http.StatusForbidden)
	// The same request over plain HTTP is not subject to the Referer check.
	require.NoError(t, s.CheckCSRF(req("POST", "http://example.com/transfer", "Referer", "http://example.com/form")))
	// An https Referer of the same host passes; a foreign one does not.
	require.NoError(t, s.CheckCSRF(postWith("Referer", "https://example.com/form")))
	require.ErrorIs(t, s.CheckCSRF(postWith("Referer", "https://evil.com/form")), ErrCSRFRefererMismatch)
}

func TestVectorMaskedTokenOfWrongLengthOrAlphabetForbidden(t *testing.T) {
	t.Parallel()
	s, cookie := tokenSetup(t)
	good := renderToken(t, s, cookie)
	bad := map[string]string{
		"short":       good[:len(good)-1],
		"long":        good + "A",
		"empty-ish":   " ",
		"alphabet +":  "+" + good[1:],
		"alphabet /":  good[:40] + "/" + good[41:],
		"alphabet =":  good[:85] + "=",
		"unmasked":    cookie.Value,
		"other mask":  strings.Repeat("A", maskedTokenLen),
		"non-ascii":   good[:84] + "é",
		"padded std":  good[:84] + "==",
		"nul in body": good[:10] + "\x00" + good[11:],
	}
	for name, tok := range bad {
		r := req("POST", "https://example.com/form", "Origin", "https://example.com", "X-CSRF-Token", tok)
		r.AddCookie(cookie)
		rec := serve(s.Middleware(okHandler), r)
		requireProblem(t, rec, http.StatusForbidden)
		require.Contains(t, rec.Body.String(), "token", name)
	}
}

func TestVectorTwoMaskedRendersOfOneTokenBothValid(t *testing.T) {
	t.Parallel()
	s, cookie := tokenSetup(t)
	a, b := renderToken(t, s, cookie), renderToken(t, s, cookie)
	require.NotEqual(t, a, b, "each render must use a fresh mask")
	for _, tok := range []string{a, b} {
		r := req("POST", "https://example.com/form", "Origin", "https://example.com", "X-CSRF-Token", tok)
		r.AddCookie(cookie)
		rec := serve(s.Middleware(okHandler), r)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	}
}

// tokenSetup returns a Secure with the token layer and the secret cookie a first GET receives.
func tokenSetup(t *testing.T) (*Secure, *http.Cookie) {
	t.Helper()
	s := newSecure(t, &Config{AllowedHosts: []string{"example.com"}, CSRFTokens: true})
	rec := serve(s.Middleware(okHandler), req("GET", "https://example.com/form"))
	cookies := rec.Result().Cookies()
	require.Len(t, cookies, 1)
	c := cookies[0]
	require.Equal(t, "csrftoken", c.Name)
	require.True(t, c.Secure && c.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, c.SameSite)
	return s, c
}

// renderToken runs a GET with the cookie and returns the token the handler rendered.
func renderToken(t *testing.T, s *Secure, cookie *http.Cookie) string {
	t.Helper()
	var tok string
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tok = CSRFToken(r) }))
	r := req("GET", "https://example.com/form")
	r.AddCookie(cookie)
	rec := serve(h, r)
	require.Empty(t, rec.Result().Cookies(), "an existing valid cookie is kept")
	require.Len(t, tok, maskedTokenLen)
	return tok
}
