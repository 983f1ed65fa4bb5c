package secure

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSessionCookieDefaults(t *testing.T) {
	t.Parallel()
	c := SessionCookie("sid", "v", time.Hour)
	require.Equal(t, "sid=v; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax", c.String())
}

func TestSetCookieFillsMissingFlags(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{ScriptCookies: []string{"theme"}})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.SetCookie(w, r, &http.Cookie{Name: "sid", Value: "1"})
		s.SetCookie(w, r, &http.Cookie{Name: "theme", Value: "dark", SameSite: http.SameSiteStrictMode})
	})
	got := serve(h, req("GET", "https://localhost/")).Header().Values("Set-Cookie")
	require.Equal(t, []string{"sid=1; Path=/; HttpOnly; Secure; SameSite=Lax", "theme=dark; Path=/; Secure; SameSite=Strict"}, got)
	got = serve(h, req("GET", "http://localhost/")).Header().Values("Set-Cookie")
	require.Equal(t, "sid=1; Path=/; HttpOnly; SameSite=Lax", got[0], "no Secure on plain HTTP")
}

func TestCookiesMiddlewareHardensEverySetCookie(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{ScriptCookies: []string{"theme"}})
	h := s.Cookies(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "theme", Value: "dark"})
		w.Header().Add("Set-Cookie", "x=1; secure; HTTPONLY; samesite=strict")
		w.Header().Add("Set-Cookie", "y=2;Path=/;SameSite=None")
		w.Header().Add("Set-Cookie", "z=3; SameSite=bogus")
		w.WriteHeader(http.StatusCreated)
		w.Header().Add("Set-Cookie", "late=1") // after the status: not sent, not touched
	}))
	rec := serve(h, req("GET", "https://localhost/"))
	require.Equal(t, http.StatusCreated, rec.Code)
	require.Equal(t, []string{
		"sid=1; Secure; HttpOnly; SameSite=Lax",
		"theme=dark; Secure; SameSite=Lax",
		"x=1; secure; HTTPONLY; samesite=strict",
		"y=2;Path=/;SameSite=None; Secure; HttpOnly",
		"z=3; SameSite=bogus; Secure; HttpOnly; SameSite=Lax",
	}, rec.Result().Header.Values("Set-Cookie"))

	// A handler that never writes still gets its cookies hardened.
	plain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "1"})
	})
	rec = serve(s.Cookies(plain), req("GET", "http://localhost/"))
	require.Equal(t, "sid=1; HttpOnly; SameSite=Lax", rec.Header().Get("Set-Cookie"))

	s = newSecure(t, &Config{InsecureCookies: true})
	rec = serve(s.Cookies(plain), req("GET", "https://localhost/"))
	require.Equal(t, "sid=1; HttpOnly; SameSite=Lax", rec.Header().Get("Set-Cookie"))
}

func TestCookiesMiddlewareKeepsFlusher(t *testing.T) {
	t.Parallel()
	s := newSecure(t, nil)
	h := s.Cookies(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "1"})
		require.NoError(t, http.NewResponseController(w).Flush())
	}))
	rec := serve(h, req("GET", "https://localhost/"))
	require.True(t, rec.Flushed)
	require.Equal(t, "sid=1; Secure; HttpOnly; SameSite=Lax", rec.Result().Header.Get("Set-Cookie"))
}

func TestCookiesMiddlewareOverRealServerWithHijack(t *testing.T) {
	t.Parallel()
	s := newSecure(t, &Config{MaxBodyBytes: 1 << 10})
	srv := httptest.NewServer(s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ws" {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n")
			_ = buf.Flush()
			_ = conn.Close()
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "1"})
	})))
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, "sid=1; HttpOnly; SameSite=Lax", resp.Header.Get("Set-Cookie"))

	r, err := http.NewRequest("GET", srv.URL+"/ws", nil)
	require.NoError(t, err)
	r.Header.Set("Connection", "Upgrade")
	r.Header.Set("Upgrade", "x")
	resp, err = http.DefaultClient.Do(r)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
}
