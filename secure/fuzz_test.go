package secure

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// djangoHost is Django's host_validation_re, the reference ParseHost must agree with.
var djangoHost = regexp.MustCompile(`^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]+))?$`)

func FuzzParseHost(f *testing.F) {
	for _, s := range []string{"example.com", "EXAMPLE.com.", "example.com:8443", "a@b", "[::1]x", "[::1]:80",
		"[2001:db8::1]", "::1", "example.com:", ".", "a..", "[:]", "[a:b", "xn--bcher-kva.example", "\u212a.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		domain, port, err := ParseHost(s)
		m := djangoHost.FindStringSubmatch(asciiLower(s))
		refOK := m != nil && strings.TrimSuffix(m[1], ".") != "" && len(s) <= 261
		if err != nil {
			require.False(t, refOK, "ParseHost rejected %q that Django accepts", s)
			require.ErrorIs(t, err, ErrHostInvalid)
			return
		}
		require.True(t, refOK, "ParseHost accepted %q that Django rejects", s)
		require.Equal(t, strings.TrimSuffix(m[1], "."), domain)
		require.Equal(t, m[2], port)
		require.Equal(t, asciiLower(domain), domain)
	})
}

func FuzzForwarded(f *testing.F) {
	for _, s := range []string{`for=192.0.2.60;proto=http;by=203.0.113.43`, `for="[2001:db8:cafe::17]:4711"`,
		`for=192.0.2.43, for=198.51.100.17`, `for=unknown, for="_hidden";host="a\"b"`, `;;,, for=1.2.3.4 ;`,
		`for="unterminated`, `for=1.2.3.4;for=5.6.7.8`, `proto=https;host=example.com`, `for="\`} {
		f.Add(s)
	}
	p, err := NewProxies([]string{"10.0.0.0/8", "192.0.2.0/24"}, Forwarded)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, s string) {
		elems, err := parseForwarded(s, nil)
		if err == nil {
			// Serialising the elements with quoted values and parsing again gives them back.
			var b strings.Builder
			q := func(v string) string { return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"` }
			for i, e := range elems {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("for=" + q(e.forV) + ";proto=" + q(e.proto) + ";host=" + q(e.host))
			}
			again, err2 := parseForwarded(b.String(), nil)
			if strings.ContainsFunc(b.String(), func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
				return // a control character came through a token: not possible, tokens exclude them
			}
			require.NoError(t, err2, b.String())
			require.Equal(t, elems, again)
		} else {
			require.ErrorIs(t, err, ErrForwardedInvalid)
		}
		// The resolver never panics and only answers with the peer or a hop it could parse.
		r, _ := http.NewRequest("GET", "http://example.com/", nil)
		r.RemoteAddr = "10.0.0.1:1"
		r.Header.Set("Forwarded", s)
		ip, err := p.ClientIP(r)
		if err == nil {
			require.True(t, ip.IsValid())
		}
		_ = p.Scheme(r)
		_ = p.Host(r)
	})
}

func FuzzXForwardedFor(f *testing.F) {
	for _, s := range []string{"203.0.113.5, 10.0.0.2", "[2001:db8::1]:80,198.51.100.7:5555", "unknown", " , ,", "::ffff:1.2.3.4", "fe80::1%eth0"} {
		f.Add(s)
	}
	p, err := NewProxies([]string{"10.0.0.0/8"}, XForwarded)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, s string) {
		r, _ := http.NewRequest("GET", "http://example.com/", nil)
		r.RemoteAddr = "10.0.0.1:1"
		r.Header.Set("X-Forwarded-For", s)
		ip, err := p.ClientIP(r)
		if err != nil {
			require.ErrorIs(t, err, ErrForwardedInvalid)
			return
		}
		require.True(t, ip.IsValid())
		if !p.Trusted(ip) {
			// The answer is the rightmost untrusted hop: every hop right of it is trusted.
			hops := strings.Split(s, ",")
			for i := len(hops) - 1; i >= 0; i-- {
				h := strings.TrimSpace(hops[i])
				if h == "" {
					continue
				}
				a, ok := parseNode(h)
				require.True(t, ok)
				if !p.Trusted(a) {
					require.Equal(t, a, ip)
					break
				}
			}
		}
	})
}

func FuzzOriginMatch(f *testing.F) {
	for _, s := range []string{"https://example.com", "https://a.example.com", "https://evilexample.com", "http://a.example.com",
		"null", "https://a.example.com:443", "HTTPS://A.EXAMPLE.COM", "https://*.example.com", "https://user@a.example.com",
		"https://a.example.com/path", "https://[::1]:8443", "https://.example.com", "https://a.example.com."} {
		f.Add(s)
	}
	pat, err := compileOrigin(0, "https://*.example.com")
	require.NoError(f, err)
	exact, err := compileOrigin(0, "https://example.com:8443")
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, s string) {
		scheme, host, port, ok := parseOrigin(s)
		if !ok {
			return
		}
		// Round trip.
		ser := scheme + "://" + host
		if port != "" {
			ser += ":" + port
		}
		s2, h2, p2, ok2 := parseOrigin(ser)
		require.True(t, ok2, ser)
		require.Equal(t, [3]string{scheme, host, port}, [3]string{s2, h2, p2})
		// Wildcards are scheme- and port-bound and need a real label before the domain.
		want := scheme == "https" && port == "" && strings.HasSuffix(host, ".example.com") && len(host) > len(".example.com")
		require.Equal(t, want, pat.match(scheme, host, port), s)
		require.Equal(t, scheme == "https" && host == "example.com" && port == "8443", exact.match(scheme, host, port), s)
	})
}
