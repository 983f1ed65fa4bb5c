package secure

import (
	"net/http"
	"testing"
	"time"
)

func BenchmarkHeaders(b *testing.B) {
	s := newSecure(b, &Config{HSTSMaxAge: 365 * 24 * time.Hour, HSTSIncludeSubdomains: true, PermissionsPolicy: "camera=()", CrossOriginResourcePolicy: "same-origin", ContentSecurityPolicy: "default-src 'self'"})
	h := s.Headers(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	w := &reusableWriter{h: make(http.Header, 16)}
	r := req("GET", "https://localhost/")
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
}

func BenchmarkCSRFSecFetchSite(b *testing.B) {
	s := newSecure(b, &Config{AllowedHosts: []string{"example.com"}})
	r := req("POST", "https://example.com/x", "Sec-Fetch-Site", "same-origin", "Origin", "https://example.com")
	b.ReportAllocs()
	for b.Loop() {
		if s.CheckCSRF(r) != nil {
			b.Fatal("rejected")
		}
	}
}

func BenchmarkCSRFOrigin(b *testing.B) {
	s := newSecure(b, &Config{AllowedHosts: []string{"example.com"}})
	r := req("POST", "https://example.com/x", "Origin", "https://example.com")
	b.ReportAllocs()
	for b.Loop() {
		if s.CheckCSRF(r) != nil {
			b.Fatal("rejected")
		}
	}
}

// BenchmarkMaskedToken is one render (fresh mask) and one verification.
func BenchmarkMaskedToken(b *testing.B) {
	var secret [secretLen]byte
	secret[0] = 1
	b.ReportAllocs()
	for b.Loop() {
		if verifyToken(maskToken(&secret), &secret) != nil {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkClientIP(b *testing.B) {
	p, _ := NewProxies([]string{"10.0.0.0/8", "172.16.0.0/12"}, XForwarded)
	r := req("GET", "http://example.com/", "X-Forwarded-For", "203.0.113.9, 10.0.0.3")
	r.RemoteAddr = "10.0.0.7:41000"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.ClientIP(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHosts(b *testing.B) {
	s := newSecure(b, &Config{AllowedHosts: []string{"example.com", ".example.org"}})
	h := s.Hosts(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	w := &reusableWriter{h: make(http.Header)}
	r := req("GET", "https://shop.example.org:8443/")
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}
