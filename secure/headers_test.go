package secure

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestHeadersDjangoDefaults(t *testing.T) {
	t.Parallel()
	s := newSecure(t, nil)
	rec := serve(s.Headers(okHandler), req("GET", "https://localhost/"))
	h := rec.Header()
	require.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	require.Equal(t, "same-origin", h.Get("Referrer-Policy"))
	require.Equal(t, "same-origin", h.Get("Cross-Origin-Opener-Policy"))
	require.Equal(t, "DENY", h.Get("X-Frame-Options"))
	require.Empty(t, h.Get("Strict-Transport-Security"), "HSTS is off by default")
	require.Empty(t, h.Get("Content-Security-Policy"))
}

func TestHeadersSetdefaultSemantics(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{PermissionsPolicy: "camera=()"})
	h := s.Headers(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Frame-Options", "SAMEORIGIN")
		w.Header().Del("Referrer-Policy")
		w.Header().Add("Permissions-Policy", "geolocation=()")
	}))
	rec := serve(h, req("GET", "http://localhost/"))
	require.Equal(t, "SAMEORIGIN", rec.Header().Get("X-Frame-Options"))
	require.NotContains(t, rec.Header(), "Referrer-Policy")
	require.Equal(t, []string{"camera=()", "geolocation=()"}, rec.Header().Values("Permissions-Policy"))
	// The shared value was not written into: the next response is unchanged.
	rec = serve(s.Headers(okHandler), req("GET", "http://localhost/"))
	require.Equal(t, []string{"camera=()"}, rec.Header().Values("Permissions-Policy"))
	require.Equal(t, "DENY", rec.Header().Get("X-Frame-Options"))
}

func TestHeadersOffAndOptional(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{
		ContentTypeOptions: Off, FrameOptions: "sameorigin", ReferrerPolicy: "no-referrer, strict-origin-when-cross-origin",
		CrossOriginOpenerPolicy: Off, CrossOriginResourcePolicy: "same-site", PermissionsPolicy: "camera=()",
		ContentSecurityPolicy: "default-src 'self'", ContentSecurityPolicyReportOnly: true,
	})
	h := serve(s.Headers(okHandler), req("GET", "http://localhost/")).Header()
	require.NotContains(t, h, "X-Content-Type-Options")
	require.NotContains(t, h, "Cross-Origin-Opener-Policy")
	require.Equal(t, "SAMEORIGIN", h.Get("X-Frame-Options"))
	require.Equal(t, "no-referrer, strict-origin-when-cross-origin", h.Get("Referrer-Policy"))
	require.Equal(t, "same-site", h.Get("Cross-Origin-Resource-Policy"))
	require.Equal(t, "camera=()", h.Get("Permissions-Policy"))
	require.Equal(t, "default-src 'self'", h.Get("Content-Security-Policy-Report-Only"))
}

func TestHeadersValidation(t *testing.T) {
	t.Parallel()
	for field, cfg := range map[string]*Config{
		"Config.ContentTypeOptions":        {ContentTypeOptions: "sniff"},
		"Config.FrameOptions":              {FrameOptions: "ALLOW-FROM x"},
		"Config.ReferrerPolicy":            {ReferrerPolicy: "same-origin, bogus"},
		"Config.CrossOriginOpenerPolicy":   {CrossOriginOpenerPolicy: "x"},
		"Config.CrossOriginResourcePolicy": {CrossOriginResourcePolicy: "x"},
		"Config.PermissionsPolicy":         {PermissionsPolicy: "a\r\nX-Injected: 1"},
		"Config.ContentSecurityPolicy":     {ContentSecurityPolicy: "a\nb"},
		"Config.HSTSMaxAge":                {HSTSMaxAge: -time.Second},
	} {
		_, err := New(cfg)
		require.ErrorIs(t, err, ErrInvalidConfig, field)
		require.ErrorContains(t, err, field)
	}
}

func TestHSTSOnSecureResponsesOnly(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{HSTSMaxAge: 365*24*time.Hour + 500*time.Millisecond, HSTSIncludeSubdomains: true, HSTSPreload: true, TrustedProxies: []string{"10.0.0.1"}})
	want := "max-age=31536000; includeSubDomains; preload"
	require.Equal(t, want, serve(s.Headers(okHandler), req("GET", "https://localhost/")).Header().Get("Strict-Transport-Security"))
	require.Empty(t, serve(s.Headers(okHandler), req("GET", "http://localhost/")).Header().Get("Strict-Transport-Security"))
	// Behind the trusted proxy, the forwarded scheme decides.
	r := req("GET", "http://localhost/", "X-Forwarded-Proto", "https")
	r.RemoteAddr = "10.0.0.1:80"
	require.Equal(t, want, serve(s.Headers(okHandler), r).Header().Get("Strict-Transport-Security"))
	r.RemoteAddr = "192.0.2.1:80"
	require.Empty(t, serve(s.Headers(okHandler), r).Header().Get("Strict-Transport-Security"))
}

func TestCSPNonceFreshPerRequestAndInContext(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{ContentSecurityPolicy: "script-src 'nonce-{nonce}' 'strict-dynamic'; style-src 'nonce-{nonce}'"})
	var seen []string
	h := s.Headers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, ok := NonceFromContext(r.Context())
		require.True(t, ok)
		require.Equal(t, n, Nonce(r.Context()))
		seen = append(seen, n)
	}))
	for i := 0; i < 2; i++ {
		csp := serve(h, req("GET", "http://localhost/")).Header().Get("Content-Security-Policy")
		n := seen[i]
		require.Len(t, n, 22)
		require.Equal(t, "script-src 'nonce-"+n+"' 'strict-dynamic'; style-src 'nonce-"+n+"'", csp)
	}
	require.NotEqual(t, seen[0], seen[1])
	require.Empty(t, Nonce(req("GET", "/").Context()))
}

func TestHeadersZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	s := newSecure(t, &Config{PermissionsPolicy: "camera=()", CrossOriginResourcePolicy: "same-origin", ContentSecurityPolicy: "default-src 'self'", HSTSMaxAge: time.Hour})
	h := s.Headers(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	w := &reusableWriter{h: make(http.Header, 16)}
	r := req("GET", "https://localhost/")
	allocs := testing.AllocsPerRun(100, func() {
		clear(w.h)
		h.ServeHTTP(w, r)
	})
	require.Zero(t, allocs)
	require.Len(t, w.h, 8)
	require.True(t, strings.HasPrefix(w.h.Get("Strict-Transport-Security"), "max-age=3600"))
}

// reusableWriter is a ResponseWriter whose header map survives between requests, so that
// allocation counts measure the middleware, not the map.
type reusableWriter struct{ h http.Header }

func (w *reusableWriter) Header() http.Header         { return w.h }
func (w *reusableWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *reusableWriter) WriteHeader(int)             {}

func TestMiddlewareErrorResponsesCarryHeaders(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{AllowedHosts: []string{"example.com"}, HSTSMaxAge: time.Hour})
	rec := serve(s.Middleware(okHandler), req("GET", "https://evil.com/"))
	requireProblem(t, rec, http.StatusBadRequest)
	require.Equal(t, "DENY", rec.Header().Get("X-Frame-Options"))
	require.Equal(t, "max-age=3600", rec.Header().Get("Strict-Transport-Security"))
}
