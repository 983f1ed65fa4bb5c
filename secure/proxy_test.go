package secure

import (
	"net/http"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNewProxiesValidation(t *testing.T) {
	t.Parallel()
	_, err := NewProxies([]string{"10.0.0.0/8", "nonsense"}, XForwarded)
	require.ErrorIs(t, err, ErrInvalidConfig)
	require.ErrorContains(t, err, "Config.TrustedProxies[1]")
	_, err = NewProxies(nil, ProxyHeader(7))
	require.ErrorContains(t, err, "Config.ProxyHeader")
	p, err := NewProxies([]string{"::ffff:10.0.0.0/104", "2001:db8::1", " 192.168.1.7 "}, Forwarded)
	require.NoError(t, err)
	require.True(t, p.Trusted(netip.MustParseAddr("10.1.2.3")))
	require.True(t, p.Trusted(netip.MustParseAddr("::ffff:10.1.2.3")))
	require.True(t, p.Trusted(netip.MustParseAddr("2001:db8::1")))
	require.True(t, p.Trusted(netip.MustParseAddr("192.168.1.7")))
	require.False(t, p.Trusted(netip.MustParseAddr("192.168.1.8")))
	require.Equal(t, "Forwarded", Forwarded.String())
	require.Equal(t, "X-Forwarded-For", XForwarded.String())
}

func TestClientIPXForwardedFor(t *testing.T) {
	t.Parallel()
	p, err := NewProxies([]string{"10.0.0.0/8", "2001:db8::/32"}, XForwarded)
	require.NoError(t, err)
	cases := []struct {
		name, remote string
		xff          []string
		want         string
		err          error
	}{
		{"untrusted peer ignores header", "192.0.2.9:1", []string{"203.0.113.5"}, "192.0.2.9", nil},
		{"trusted peer, no header", "10.0.0.1:1", nil, "10.0.0.1", nil},
		{"rightmost untrusted hop", "10.0.0.1:1", []string{"6.6.6.6, 203.0.113.5, 10.0.0.2"}, "203.0.113.5", nil},
		{"spoofed left part ignored", "10.0.0.1:1", []string{"1.1.1.1", "203.0.113.5,10.9.9.9"}, "203.0.113.5", nil},
		{"all trusted: leftmost", "10.0.0.1:1", []string{"10.0.0.7, 10.0.0.2"}, "10.0.0.7", nil},
		{"ports and brackets", "[2001:db8::1]:443", []string{"[2001:db8:1::9]:80, 198.51.100.7:5555"}, "198.51.100.7", nil},
		{"mapped v4 unmapped", "10.0.0.1:1", []string{"::ffff:198.51.100.7"}, "198.51.100.7", nil},
		{"garbage at client hop", "10.0.0.1:1", []string{"unknown"}, "", ErrForwardedInvalid},
		{"garbage left of client hop is never read", "10.0.0.1:1", []string{"garbage, 203.0.113.5"}, "203.0.113.5", nil},
		{"empty entries skipped", "10.0.0.1:1", []string{" , 203.0.113.5 ,"}, "203.0.113.5", nil},
		{"bad RemoteAddr", "pipe", nil, "", ErrRemoteAddr},
	}
	for _, tc := range cases {
		r := req("GET", "http://example.com/")
		r.RemoteAddr = tc.remote
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		got, err := p.ClientIP(r)
		if tc.err != nil {
			require.ErrorIs(t, err, tc.err, tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, got.String(), tc.name)
	}
}

func TestClientIPForwarded(t *testing.T) {
	t.Parallel()
	p, err := NewProxies([]string{"10.0.0.0/8"}, Forwarded)
	require.NoError(t, err)
	cases := []struct {
		name, header, want, scheme, host string
		err                              error
	}{
		{"one element", `for=203.0.113.5;proto=https;host=shop.example`, "203.0.113.5", "https", "shop.example", nil},
		{"rightmost untrusted with its proto and host", `for=6.6.6.6;proto=http;host=evil, for=203.0.113.5;proto=https;host=shop.example, for=10.0.0.2;proto=http;host=internal`, "203.0.113.5", "https", "shop.example", nil},
		{"quoted v6 with port", `For="[2001:db8:cafe::17]:4711";PROTO=https`, "2001:db8:cafe::17", "https", "example.com", nil},
		{"quoted escapes", `for="203.0.113.\5";host="a\".b"`, "203.0.113.5", "http", `a".b`, nil},
		{"obfuscated client", `for=_hidden, for=10.0.0.2`, "", "", "", ErrForwardedInvalid},
		{"syntax error", `for=203.0.113.5;proto`, "", "", "", ErrForwardedInvalid},
		{"unterminated quote", `for="[2001:db8::1]`, "", "", "", ErrForwardedInvalid},
		{"duplicate parameter", `for=1.2.3.4;for=5.6.7.8`, "", "", "", ErrForwardedInvalid},
		{"X-Forwarded-For is not read", ``, "10.0.0.1", "http", "example.com", nil},
	}
	for _, tc := range cases {
		r := req("GET", "http://example.com/", "X-Forwarded-For", "198.51.100.1", "X-Forwarded-Proto", "https")
		r.RemoteAddr = "10.0.0.1:1"
		if tc.header != "" {
			r.Header.Set("Forwarded", tc.header)
		}
		got, err := p.ClientIP(r)
		if tc.err != nil {
			require.ErrorIs(t, err, tc.err, tc.name)
			require.Equal(t, "http", p.Scheme(r), "an invalid header is not believed for the scheme either")
			require.Equal(t, "example.com", p.Host(r))
			continue
		}
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, got.String(), tc.name)
		require.Equal(t, tc.scheme, p.Scheme(r), tc.name)
		require.Equal(t, tc.host, p.Host(r), tc.name)
	}
}

func TestSchemeAndHostXForwarded(t *testing.T) {
	t.Parallel()
	p, err := NewProxies([]string{"127.0.0.1"}, XForwarded)
	require.NoError(t, err)
	r := req("GET", "http://internal:8080/", "X-Forwarded-Proto", "http, HTTPS", "X-Forwarded-Host", "evil, shop.example")
	r.RemoteAddr = "127.0.0.1:9"
	require.Equal(t, "https", p.Scheme(r), "rightmost value: the one our proxy wrote")
	require.True(t, p.IsSecure(r))
	require.Equal(t, "shop.example", p.Host(r))

	r.Header.Set("X-Forwarded-Proto", "gopher")
	require.Equal(t, "http", p.Scheme(r), "unknown schemes are ignored")
	r = req("GET", "https://example.com/", "X-Forwarded-Proto", "http")
	require.Equal(t, "https", p.Scheme(r), "untrusted peer: the connection decides")

	sec := newSecure(t, &Config{TrustedProxies: []string{"127.0.0.1"}})
	r2 := req("GET", "http://example.com/", "X-Forwarded-For", "203.0.113.1")
	r2.RemoteAddr = "127.0.0.1:1"
	ip2, err := sec.ClientIP(r2)
	require.NoError(t, err)
	require.Equal(t, "203.0.113.1", ip2.String())

	var nilP *Proxies
	require.Equal(t, "https", nilP.Scheme(r))
	require.Equal(t, "example.com", nilP.Host(r))
	ip, err := nilP.ClientIP(r)
	require.NoError(t, err)
	require.Equal(t, "192.0.2.1", ip.String())
}

// The seam other packages take.
var _ func(*http.Request) (netip.Addr, error) = (*Proxies)(nil).ClientIP
var _ func(*http.Request) (netip.Addr, error) = (*Secure)(nil).ClientIP
