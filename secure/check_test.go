package secure

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func ids(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

func TestCheckDefaultsMirrorDjangoDeployCheck(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{"B006", "W004", "W008", "W020"}, ids(Check(nil)))
}

func TestCheckProductionConfigIsClean(t *testing.T) {
	t.Parallel()
	cfg := &Config{
		TrustedProxies: []string{"10.0.0.0/8"}, AllowedHosts: []string{"example.com"}, SSLRedirect: true,
		HSTSMaxAge: 2 * 365 * 24 * time.Hour, HSTSIncludeSubdomains: true, HSTSPreload: true,
		ContentSecurityPolicy: "default-src 'self'", TrustedOrigins: []string{"https://*.example.com"},
		SecretKey: []byte("k3J9sX2pQ7vL0mZ8wR4tY6uI1oP5aS3dF7gH9jK2lZ4x"),
	}
	require.Empty(t, Check(cfg))
	_, err := New(cfg)
	require.NoError(t, err)
}

func TestCheckEveryFinding(t *testing.T) {
	t.Parallel()
	cases := map[string]*Config{
		"W002": {FrameOptions: Off},
		"W003": {CSRFDisabled: true},
		"W005": {HSTSMaxAge: time.Hour},
		"W006": {ContentTypeOptions: Off},
		"W009": {SecretKey: []byte("django-insecure-0123456789abcdefghijklmnopqrstuvwxyz")},
		"W012": {InsecureCookies: true},
		"W013": {ScriptCookies: []string{"sessionid"}},
		"W016": {InsecureCookies: true, CSRFTokens: true},
		"W019": {FrameOptions: "SAMEORIGIN"},
		"W021": {HSTSMaxAge: time.Hour},
		"W022": {ReferrerPolicy: Off},
		"E023": {ReferrerPolicy: "same-origin, nope"},
		"E024": {CrossOriginOpenerPolicy: "nope"},
		"B001": {TrustedProxies: []string{"0.0.0.0/0"}},
		"B002": {HSTSMaxAge: 30 * 24 * time.Hour, HSTSIncludeSubdomains: true, HSTSPreload: true},
		"B003": {TrustedOrigins: []string{"example.com"}},
		"B004": {AllowedHosts: []string{"*"}},
		"B005": {MaxBodyBytes: -1},
		"B007": {TrustedProxies: []string{"not-an-ip"}},
		"B008": {HSTSMaxAge: time.Second, HSTSIncludeSubdomains: true},
	}
	for id, cfg := range cases {
		fs := Check(cfg)
		require.Contains(t, ids(fs), id, "%s: %v", id, fs)
		for _, f := range fs {
			require.NotEmpty(t, f.Message)
			require.Contains(t, f.String(), f.ID+" "+f.Severity.String()+": ")
		}
	}
	// Short and low-entropy keys, not only placeholders.
	require.Contains(t, ids(Check(&Config{SecretKey: []byte("short")})), "W009")
	require.Contains(t, ids(Check(&Config{SecretKey: []byte("abababababababababababababababababababab")})), "W009")
	require.Equal(t, "error", Error.String())
	require.Equal(t, "info", Info.String())
}
