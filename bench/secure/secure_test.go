package secure

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/buttress-go/buttress/secure"
	"github.com/gorilla/csrf"
	"github.com/justinas/nosurf"
	unrolled "github.com/unrolled/secure"
)

// writer keeps its header map between iterations (cleared, not reallocated).
type writer struct {
	h    http.Header
	code int
}

func (w *writer) Header() http.Header         { return w.h }
func (w *writer) Write(p []byte) (int, error) { return len(p), nil }
func (w *writer) WriteHeader(code int)        { w.code = code }

var noop = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

// run serves r through h b.N times and fails on any status other than want.
func run(b *testing.B, h http.Handler, r *http.Request) {
	b.Helper()
	w := &writer{h: make(http.Header, 16)}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.code = http.StatusOK
		h.ServeHTTP(w, r)
		if w.code != http.StatusOK {
			b.Fatalf("status %d", w.code)
		}
	}
}

func request(method string, headers ...string) *http.Request {
	r := httptest.NewRequest(method, "https://example.com/transfer", nil)
	r.URL.Scheme, r.URL.Host = "", "" // as on a server
	r.TLS = &tls.ConnectionState{}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	return r
}

// BenchmarkHeaders: the same eight headers (HSTS, nosniff, X-Frame-Options, Referrer-Policy,
// COOP, CORP, Permissions-Policy, CSP) on an HTTPS request.
func BenchmarkHeaders(b *testing.B) {
	const csp, pp = "default-src 'self'", "camera=(), microphone=()"
	b.Run("buttress", func(b *testing.B) {
		s, err := secure.New(&secure.Config{
			AllowedHosts: []string{"example.com"}, HSTSMaxAge: 31536000e9, HSTSIncludeSubdomains: true,
			ContentSecurityPolicy: csp, PermissionsPolicy: pp, CrossOriginResourcePolicy: "same-origin",
		})
		if err != nil {
			b.Fatal(err)
		}
		run(b, s.Headers(noop), request("GET"))
	})
	b.Run("unrolled", func(b *testing.B) {
		s := unrolled.New(unrolled.Options{
			STSSeconds: 31536000, STSIncludeSubdomains: true, ContentTypeNosniff: true, FrameDeny: true,
			ReferrerPolicy: "same-origin", CrossOriginOpenerPolicy: "same-origin", CrossOriginResourcePolicy: "same-origin",
			PermissionsPolicy: pp, ContentSecurityPolicy: csp,
		})
		run(b, s.Handler(noop), request("GET"))
	})
}

// tokens performs a GET through h and returns the cookie and the token the handler rendered.
func tokens(b *testing.B, mw func(http.Handler) http.Handler, token func(*http.Request) string) (*http.Cookie, string) {
	b.Helper()
	var tok string
	rec := httptest.NewRecorder()
	mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tok = token(r) })).ServeHTTP(rec, request("GET"))
	cs := rec.Result().Cookies()
	if len(cs) != 1 || tok == "" {
		b.Fatalf("no token: %v %q", cs, tok)
	}
	return cs[0], tok
}

func gorillaMW() func(http.Handler) http.Handler {
	return csrf.Protect([]byte("0123456789abcdef0123456789abcdef"), csrf.Path("/"))
}

func nosurfMW(h http.Handler) http.Handler { return nosurf.New(h) }

// csrfContenders runs the pass path of each CSRF middleware on a POST carrying the given
// browser headers. gorilla/csrf and nosurf have no tokenless mode, so their requests also carry
// a valid cookie and token and their figures include the token check.
func csrfContenders(b *testing.B, headers ...string) {
	b.Run("buttress", func(b *testing.B) {
		s, err := secure.New(&secure.Config{AllowedHosts: []string{"example.com"}})
		if err != nil {
			b.Fatal(err)
		}
		run(b, s.CSRF(noop), request("POST", headers...))
	})
	b.Run("stdlib", func(b *testing.B) {
		run(b, http.NewCrossOriginProtection().Handler(noop), request("POST", headers...))
	})
	b.Run("gorilla", func(b *testing.B) {
		c, tok := tokens(b, gorillaMW(), csrf.Token)
		r := request("POST", append(headers, "X-CSRF-Token", tok)...)
		r.AddCookie(c)
		run(b, gorillaMW()(noop), r)
	})
	b.Run("nosurf", func(b *testing.B) {
		c, tok := tokens(b, nosurfMW, nosurf.Token)
		r := request("POST", append(headers, "X-CSRF-Token", tok)...)
		r.AddCookie(c)
		run(b, nosurfMW(noop), r)
	})
}

// BenchmarkCSRFSecFetchSite: a same-origin POST from a current browser.
func BenchmarkCSRFSecFetchSite(b *testing.B) {
	csrfContenders(b, "Sec-Fetch-Site", "same-origin", "Origin", "https://example.com")
}

// BenchmarkCSRFOrigin: a same-origin POST from a browser that sends Origin but not
// Sec-Fetch-Site.
func BenchmarkCSRFOrigin(b *testing.B) {
	csrfContenders(b, "Origin", "https://example.com")
}

// BenchmarkCSRFMaskedToken: the token path — a POST with the token cookie and a masked token in
// the header, whose handler renders a fresh masked token (re-rendering the form).
func BenchmarkCSRFMaskedToken(b *testing.B) {
	headers := []string{"Origin", "https://example.com"}
	b.Run("buttress", func(b *testing.B) {
		s, err := secure.New(&secure.Config{AllowedHosts: []string{"example.com"}, CSRFTokens: true})
		if err != nil {
			b.Fatal(err)
		}
		c, tok := tokens(b, s.CSRF, secure.CSRFToken)
		r := request("POST", append(headers, "X-CSRF-Token", tok)...)
		r.AddCookie(c)
		run(b, s.CSRF(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = secure.CSRFToken(r) })), r)
	})
	b.Run("gorilla", func(b *testing.B) {
		c, tok := tokens(b, gorillaMW(), csrf.Token)
		r := request("POST", append(headers, "X-CSRF-Token", tok)...)
		r.AddCookie(c)
		run(b, gorillaMW()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = csrf.Token(r) })), r)
	})
	b.Run("nosurf", func(b *testing.B) {
		c, tok := tokens(b, nosurfMW, nosurf.Token)
		r := request("POST", append(headers, "X-CSRF-Token", tok)...)
		r.AddCookie(c)
		run(b, nosurfMW(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = nosurf.Token(r) })), r)
	})
}
