package secure

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"time"
)

// SessionCookie returns a cookie with the flags a session cookie needs: Path "/", Secure,
// HttpOnly and SameSite=Lax. A maxAge of 0 makes it a browser-session cookie.
func SessionCookie(name, value string, maxAge time.Duration) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(maxAge / time.Second),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}
}

// SetCookie writes c with the missing flags filled in: Path "/" when empty, SameSite=Lax when
// unset, HttpOnly unless c.Name is in Config.ScriptCookies, and Secure when the request is
// secure (proxy-aware) unless Config.InsecureCookies is set. Flags set on c are kept.
func (s *Secure) SetCookie(w http.ResponseWriter, r *http.Request, c *http.Cookie) {
	cc := *c
	if cc.Path == "" {
		cc.Path = "/"
	}
	if cc.SameSite == 0 || cc.SameSite == http.SameSiteDefaultMode {
		cc.SameSite = http.SameSiteLaxMode
	}
	if !s.noHTTPOnl[cc.Name] {
		cc.HttpOnly = true
	}
	if !s.cfg.InsecureCookies && s.proxies.IsSecure(r) {
		cc.Secure = true
	}
	http.SetCookie(w, &cc)
}

// Cookies is middleware hardening every Set-Cookie the handler writes, at the moment the status
// is sent: it adds SameSite=Lax when no SameSite is given, HttpOnly unless the cookie is in
// Config.ScriptCookies, and Secure on secure requests unless Config.InsecureCookies is set.
// Attributes the handler set are kept as they are.
func (s *Secure) Cookies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &cookieWriter{ResponseWriter: w, s: s, secure: !s.cfg.InsecureCookies && s.proxies.IsSecure(r)}
		next.ServeHTTP(cw, r)
		cw.harden()
	})
}

type cookieWriter struct {
	http.ResponseWriter
	s      *Secure
	secure bool
	done   bool
}

func (w *cookieWriter) harden() {
	if w.done {
		return
	}
	w.done = true
	vals := w.Header()["Set-Cookie"]
	for i, v := range vals {
		vals[i] = hardenSetCookie(v, w.secure, w.s.noHTTPOnl)
	}
}

func (w *cookieWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		w.harden()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *cookieWriter) Write(p []byte) (int, error) {
	w.harden()
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *cookieWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection over (WebSocket upgrades); the cookies were hardened when the
// handler wrote its headers, if it did.
func (w *cookieWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.harden()
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Flush hardens the cookies, then flushes.
func (w *cookieWriter) Flush() {
	w.harden()
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// hardenSetCookie appends the missing flags to one Set-Cookie value.
func hardenSetCookie(v string, secure bool, script map[string]bool) string {
	name := v
	if i := strings.IndexByte(v, '='); i >= 0 {
		name = v[:i]
	}
	name = strings.TrimSpace(name)
	var hasSecure, hasHTTPOnly, hasSameSite bool
	rest := v
	if i := strings.IndexByte(v, ';'); i >= 0 {
		rest = v[i+1:]
	} else {
		rest = ""
	}
	for rest != "" {
		attr := rest
		if i := strings.IndexByte(rest, ';'); i >= 0 {
			attr, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		attr, val, _ := strings.Cut(strings.TrimSpace(attr), "=")
		attr, val = strings.TrimSpace(attr), strings.TrimSpace(val)
		switch {
		case strings.EqualFold(attr, "Secure"):
			hasSecure = true
		case strings.EqualFold(attr, "HttpOnly"):
			hasHTTPOnly = true
		case strings.EqualFold(attr, "SameSite"):
			// An unknown value counts as absent; the SameSite=Lax appended below is the last
			// one, which browsers apply.
			hasSameSite = strings.EqualFold(val, "Lax") || strings.EqualFold(val, "Strict") || strings.EqualFold(val, "None")
		}
	}
	if secure && !hasSecure {
		v += "; Secure"
	}
	if !hasHTTPOnly && !script[name] {
		v += "; HttpOnly"
	}
	if !hasSameSite {
		v += "; SameSite=Lax"
	}
	return v
}
