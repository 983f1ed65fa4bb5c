package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buttress-go/buttress/secure"
	"github.com/stretchr/testify/require"
)

// site is a pair of loopback servers, HTTPS and plain HTTP, serving the same handler.
type site struct {
	tls, plain *httptest.Server
	caFile     string
}

func startSite(t *testing.T, handler func(tlsHost string) http.Handler) *site {
	t.Helper()
	s := &site{tls: httptest.NewUnstartedServer(nil), plain: httptest.NewUnstartedServer(nil)}
	s.tls.StartTLS()
	t.Cleanup(s.tls.Close)
	h := handler(strings.TrimPrefix(s.tls.URL, "https://"))
	s.tls.Config.Handler = h
	s.plain.Config.Handler = h
	s.plain.Start()
	t.Cleanup(s.plain.Close)
	s.caFile = filepath.Join(t.TempDir(), "ca.pem")
	cert := s.tls.Certificate()
	require.NoError(t, os.WriteFile(s.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600))
	return s
}

func (s *site) check(t *testing.T, extra ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	args := append([]string{"-cacert", s.caFile, "-http", s.plain.URL + "/", "-timeout", "5s"}, extra...)
	args = append(args, s.tls.URL+"/")
	code := run(context.Background(), args, &out, &errOut)
	require.Empty(t, errOut.String())
	return code, out.String()
}

func app() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s3cr3t"})
		_, _ = io.WriteString(w, "hello "+r.Host)
	})
	return mux
}

func TestEndToEndWellConfiguredSitePasses(t *testing.T) {
	t.Parallel()
	s := startSite(t, func(tlsHost string) http.Handler {
		sec, err := secure.New(&secure.Config{
			AllowedHosts: []string{"127.0.0.1"}, SSLRedirect: true, CanonicalHost: tlsHost,
			HSTSMaxAge: 2 * 365 * 24 * time.Hour, HSTSIncludeSubdomains: true, HSTSPreload: true,
			ContentSecurityPolicy: "default-src 'self'; frame-ancestors 'none'",
		})
		require.NoError(t, err)
		return sec.Middleware(app())
	})
	code, out := s.check(t, "-strict")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, ": 0 errors, 0 warnings")
}

func TestEndToEndBadlyConfiguredSiteFails(t *testing.T) {
	t.Parallel()
	s := startSite(t, func(tlsHost string) http.Handler {
		h := app()
		// unrolled/secure's behaviour with an empty allowlist: redirect to whatever Host arrives.
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Host != tlsHost && r.TLS != nil {
				http.Redirect(w, r, "https://"+r.Host+r.URL.Path, http.StatusFound)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	code, out := s.check(t)
	require.Equal(t, 1, code, out)
	for _, id := range []string{"W002 error", "W003 error", "W004 error", "W006 error", "W008 error", "W012 error",
		"W013 warning", "W022 warning", "R004 warning", "R009 error", "R011 error"} {
		require.Contains(t, out, id, out)
	}
}

func TestEndToEndPartialConfig(t *testing.T) {
	t.Parallel()
	s := startSite(t, func(tlsHost string) http.Handler {
		sec, err := secure.New(&secure.Config{
			AllowedHosts: []string{"*"}, CSRFDisabled: true, FrameOptions: "SAMEORIGIN",
			HSTSMaxAge: time.Hour, HSTSPreload: true,
		})
		require.NoError(t, err)
		return sec.Middleware(app())
	})
	code, out := s.check(t)
	require.Equal(t, 1, code, out)
	for _, id := range []string{"B002 error", "W003 error", "W005 warning", "W008 error", "W019 warning", "W020 error"} {
		require.Contains(t, out, id, out)
	}
	require.NotContains(t, out, "W004")
	require.NotContains(t, out, "W012", "the cookie middleware made the cookie Secure")
}

func TestUsageAndUnreachable(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	require.Equal(t, 2, run(context.Background(), nil, &out, &errOut))
	require.Contains(t, errOut.String(), "usage: buttress-check")
	errOut.Reset()
	require.Equal(t, 2, run(context.Background(), []string{"ftp://x"}, &out, &errOut))
	require.Contains(t, errOut.String(), "absolute http:// or https://")

	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	errOut.Reset()
	require.Equal(t, 2, run(context.Background(), []string{"-timeout", "2s", url}, &out, &errOut))
	require.Contains(t, errOut.String(), "fetching")
}

func TestPlainHTTPTargetIsAFinding(t *testing.T) {
	t.Parallel()
	sec, err := secure.New(&secure.Config{AllowedHosts: []string{"127.0.0.1"}})
	require.NoError(t, err)
	srv := httptest.NewServer(sec.Middleware(app()))
	t.Cleanup(srv.Close)
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{srv.URL}, &out, &errOut)
	require.Equal(t, 1, code)
	require.Contains(t, out.String(), "W008 error")
	require.NotContains(t, out.String(), "W012", "Secure is not expected on a plain-HTTP site")
}
