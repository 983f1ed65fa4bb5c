package secure

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCSRFSafeMethodsAndNonBrowserClientsPass(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{AllowedHosts: []string{"example.com"}})
	for _, m := range []string{"GET", "HEAD", "OPTIONS"} {
		require.NoError(t, s.CheckCSRF(req(m, "https://example.com/", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.com")))
	}
	require.NoError(t, s.CheckCSRF(req("POST", "https://example.com/api")), "curl: no browser headers")
	require.NoError(t, s.CheckCSRF(req("POST", "https://example.com/", "Sec-Fetch-Site", "same-origin")))
	require.NoError(t, s.CheckCSRF(req("POST", "https://example.com/", "Origin", "https://example.com")))
	require.NoError(t, s.CheckCSRF(req("POST", "https://example.com:443/", "Origin", "https://EXAMPLE.com:443")))
	require.ErrorIs(t, s.CheckCSRF(req("POST", "https://example.com/", "Origin", "https://example.com:8443")), ErrCSRFOriginMismatch)
	require.ErrorIs(t, s.CheckCSRF(req("POST", "http://example.com/", "Origin", "https://example.com")), ErrCSRFOriginMismatch)

	strict := newSecure(t, &Config{AllowedHosts: []string{"example.com"}, CSRFRequireReferer: true})
	require.ErrorIs(t, strict.CheckCSRF(req("POST", "https://example.com/api")), ErrCSRFRefererMissing)
	require.ErrorIs(t, strict.CheckCSRF(req("POST", "https://example.com/", "Referer", "/relative")), ErrCSRFRefererMalformed)
	require.NoError(t, strict.CheckCSRF(req("POST", "http://example.com/api")), "plain HTTP has no Referer rule")
}

// CVE-2025-24358 / CVE-2025-46721: gorilla/csrf and nosurf took the scheme from r.URL.Scheme,
// which is empty on server requests, so the HTTPS-only Referer check never ran. The scheme
// here comes from the connection or the trusted proxy.
func TestCSRFSchemeIsProxyAware(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{AllowedHosts: []string{"example.com"}, TrustedProxies: []string{"10.0.0.0/8"}})
	r := req("POST", "http://example.com/transfer", "X-Forwarded-Proto", "https", "Referer", "http://example.com/form")
	r.RemoteAddr = "10.0.0.5:1"
	require.Empty(t, r.URL.Scheme)
	require.ErrorIs(t, s.CheckCSRF(r), ErrCSRFRefererInsecure)

	// The Origin of the site behind the proxy is the forwarded https://host, not the internal one.
	r = req("POST", "http://backend:8080/transfer", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "example.com", "Origin", "https://example.com")
	r.RemoteAddr = "10.0.0.5:1"
	require.NoError(t, s.CheckCSRF(r))
	require.Error(t, http.NewCrossOriginProtection().Check(r), "the standard library alone compares with the internal Host")
	r.Header.Set("Origin", "http://example.com")
	require.ErrorIs(t, s.CheckCSRF(r), ErrCSRFOriginMismatch)
}

func TestCSRFFailureHandlerGetsReason(t *testing.T) {
	t.Parallel()
	var got error
	s := newSecure(t, &Config{AllowedHosts: []string{"example.com"}, CSRFFailure: func(w http.ResponseWriter, r *http.Request, reason error) {
		got = reason
		w.WriteHeader(http.StatusTeapot)
	}})
	rec := serve(s.CSRF(okHandler), req("POST", "https://example.com/", "Sec-Fetch-Site", "cross-site"))
	require.Equal(t, http.StatusTeapot, rec.Code)
	require.ErrorIs(t, got, ErrCSRFCrossSite)
	require.Contains(t, got.Error(), "cross-site")

	rec = serve(newSecure(t, &Config{AllowedHosts: []string{"example.com"}}).CSRF(okHandler), req("POST", "https://example.com/", "Origin", "https://evil.com"))
	requireProblem(t, rec, http.StatusForbidden)
	require.Contains(t, rec.Body.String(), `Origin \"https://evil.com\"`)
}

func TestCSRFDisabledPassesThrough(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{CSRFDisabled: true})
	require.Equal(t, http.StatusOK, serve(s.CSRF(okHandler), req("POST", "https://localhost/", "Sec-Fetch-Site", "cross-site")).Code)
}

func TestCSRFTokenLayer(t *testing.T) {
	t.Parallel()
	s, cookie := tokenSetup(t)
	tok := renderToken(t, s, cookie)
	h := s.Middleware(okHandler)
	post := func(body string, headers ...string) *http.Request {
		r := req("POST", "https://example.com/form", append([]string{"Origin", "https://example.com", "Content-Type", "application/x-www-form-urlencoded"}, headers...)...)
		r.Body = http.NoBody
		if body != "" {
			r = req("POST", "https://example.com/form", append([]string{"Origin", "https://example.com", "Content-Type", "application/x-www-form-urlencoded"}, headers...)...)
			r.Body = readCloser(body)
			r.ContentLength = int64(len(body))
		}
		return r
	}

	r := post("csrf_token=" + url.QueryEscape(tok))
	r.AddCookie(cookie)
	require.Equal(t, http.StatusOK, serve(h, r).Code, "token in the form field")

	r = post("")
	r.AddCookie(cookie)
	rec := serve(h, r)
	requireProblem(t, rec, http.StatusForbidden)
	require.Contains(t, rec.Body.String(), "token missing")

	// TRACE is unsafe for the token layer as for the tokenless one.
	r = post("")
	r.Method = http.MethodTrace
	r.AddCookie(cookie)
	rec = serve(h, r)
	requireProblem(t, rec, http.StatusForbidden)
	require.Contains(t, rec.Body.String(), "token missing")

	r = post("", "X-CSRF-Token", tok)
	rec = serve(h, r)
	requireProblem(t, rec, http.StatusForbidden)
	require.Contains(t, rec.Body.String(), "no csrftoken cookie")
	require.Len(t, rec.Result().Cookies(), 1, "a fresh secret cookie is set")

	// A token minted for another secret fails.
	_, other := tokenSetup(t)
	r = post("", "X-CSRF-Token", tok)
	r.AddCookie(other)
	require.Equal(t, http.StatusForbidden, serve(h, r).Code)

	// The tokenless layer still runs first.
	r = post("", "X-CSRF-Token", tok, "Sec-Fetch-Site", "cross-site")
	r.AddCookie(cookie)
	require.Contains(t, serve(h, r).Body.String(), "cross-site")

	// Exempt paths skip the token too.
	ex := newSecure(t, &Config{AllowedHosts: []string{"example.com"}, CSRFTokens: true, CSRFExempt: []string{"/hook"}})
	require.Equal(t, http.StatusOK, serve(ex.Middleware(okHandler), req("POST", "https://example.com/hook", "Sec-Fetch-Site", "cross-site")).Code)
}

func TestCSRFFieldTemplateHelper(t *testing.T) {
	t.Parallel()
	s, cookie := tokenSetup(t)
	var field string
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { field = string(CSRFField(r)) }))
	r := req("GET", "https://example.com/form")
	r.AddCookie(cookie)
	serve(h, r)
	require.True(t, strings.HasPrefix(field, `<input type="hidden" name="csrf_token" value="`), field)
	tok := strings.TrimSuffix(strings.TrimPrefix(field, `<input type="hidden" name="csrf_token" value="`), `">`)
	var secret [secretLen]byte
	require.True(t, decodeSecret(cookie.Value, &secret))
	require.NoError(t, verifyToken(tok, &secret))

	bare := req("GET", "/")
	require.Empty(t, CSRFToken(bare))
	require.Empty(t, string(CSRFField(bare)))
}

func TestCookieValueParsing(t *testing.T) {
	t.Parallel()
	h := http.Header{"Cookie": {`a=1; csrftokenx=2`, ` csrftoken="abc" ; b=3`}}
	v, ok := cookieValue(h, "csrftoken")
	require.True(t, ok)
	require.Equal(t, "abc", v)
	_, ok = cookieValue(h, "missing")
	require.False(t, ok)
	require.True(t, errors.Is(verifyToken("x", &[secretLen]byte{}), ErrCSRFTokenInvalid))
}

type stringBody struct{ *strings.Reader }

func (stringBody) Close() error { return nil }

func readCloser(s string) stringBody { return stringBody{strings.NewReader(s)} }
