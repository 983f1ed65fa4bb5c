package secure

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRedirectToValidatedHost(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{SSLRedirect: true, AllowedHosts: []string{".example.com"}, RedirectExempt: []string{"/healthz", "/.well-known/*"}})
	h := s.Middleware(okHandler)

	r := req("GET", "http://Shop.Example.com:8080/a%20b/?q=1")
	rec := serve(h, r)
	require.Equal(t, http.StatusMovedPermanently, rec.Code)
	require.Equal(t, "https://shop.example.com/a%20b/?q=1", rec.Header().Get("Location"))

	rec = serve(h, req("POST", "http://example.com//evil.com/x"))
	require.Equal(t, http.StatusPermanentRedirect, rec.Code)
	require.Equal(t, "https://example.com//evil.com/x", rec.Header().Get("Location"))

	for _, p := range []string{"/healthz", "/.well-known/acme-challenge/t"} {
		require.Equal(t, http.StatusOK, serve(h, req("GET", "http://example.com"+p)).Code, p)
	}
	require.Equal(t, http.StatusMovedPermanently, serve(h, req("GET", "http://example.com/healthz/x")).Code, "exact pattern")
	require.Equal(t, http.StatusOK, serve(h, req("GET", "https://example.com/")).Code)

	r = req("OPTIONS", "http://example.com/")
	r.URL.Path, r.RequestURI = "*", "*"
	rec = serve(h, r)
	require.Equal(t, "https://example.com/", rec.Header().Get("Location"))
}

func TestRedirectCanonicalHostAndPort(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{SSLRedirect: true, AllowedHosts: []string{".example.com"}, CanonicalHost: "www.example.com"})
	rec := serve(s.Redirect(okHandler), req("GET", "http://example.com/x"))
	require.Equal(t, "https://www.example.com/x", rec.Header().Get("Location"))

	s = newSecure(t, &Config{SSLRedirect: true, AllowedHosts: []string{"example.com"}, HTTPSPort: 8443})
	rec = serve(s.Redirect(okHandler), req("GET", "http://example.com:8080/x"))
	require.Equal(t, "https://example.com:8443/x", rec.Header().Get("Location"))
}

func TestRedirectBehindTrustedProxy(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{SSLRedirect: true, AllowedHosts: []string{"example.com"}, TrustedProxies: []string{"10.0.0.0/8"}})
	r := req("GET", "http://internal/x", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "example.com")
	r.RemoteAddr = "10.1.1.1:1"
	require.Equal(t, http.StatusOK, serve(s.Middleware(okHandler), r).Code, "no redirect loop behind a TLS proxy")
	r.Header.Set("X-Forwarded-Proto", "http")
	rec := serve(s.Middleware(okHandler), r)
	require.Equal(t, "https://example.com/x", rec.Header().Get("Location"))
}

func TestConfigValidationNamesField(t *testing.T) {
	t.Parallel()
	for field, cfg := range map[string]*Config{
		"Config.RedirectExempt[0]": {RedirectExempt: []string{"healthz"}},
		"Config.RedirectExempt[1]": {RedirectExempt: []string{"/a", "/a*b"}},
		"Config.CanonicalHost":     {CanonicalHost: "exa mple.com"},
		"Config.HTTPSPort":         {HTTPSPort: 70000},
		"Config.AllowedHosts[1]":   {AllowedHosts: []string{"ok.com", "bad.com:80"}},
		"Config.TrustedOrigins[0]": {TrustedOrigins: []string{"example.com"}},
		"Config.CSRFExempt[0]":     {CSRFExempt: []string{"webhook"}},
		"Config.CSRFCookieName":    {CSRFCookieName: "a b"},
		"Config.MaxBodyBytes":      {MaxBodyBytes: -2},
	} {
		_, err := New(cfg)
		require.ErrorIs(t, err, ErrInvalidConfig, field)
		require.ErrorContains(t, err, field)
	}
}
