package secure

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"
)

const (
	secretLen      = 32
	secretEncLen   = 43 // RawURLEncoding of 32 bytes
	maskedLen      = 2 * secretLen
	maskedTokenLen = 86 // RawURLEncoding of 64 bytes
	csrfCookieAge  = 365 * 24 * time.Hour
)

var b64 = base64.RawURLEncoding.Strict()

// tokenState is the request's CSRF secret, put on the context by the CSRF middleware.
type tokenState struct {
	secret    [secretLen]byte
	fromReq   bool // the request carried a valid secret cookie
	fieldName string
}

type tokenKey struct{}

// withToken reads (or creates and sets) the secret cookie and puts the state on the context.
func (c *csrfChecker) withToken(w http.ResponseWriter, r *http.Request) *http.Request {
	st := &tokenState{fieldName: c.fieldName}
	if v, ok := cookieValue(r.Header, c.cookieName); ok && decodeSecret(v, &st.secret) {
		st.fromReq = true
	} else {
		_, _ = rand.Read(st.secret[:]) // never fails (Go 1.24+)
		var buf [secretEncLen]byte
		b64.Encode(buf[:], st.secret[:])
		c.s.SetCookie(w, r, &http.Cookie{
			Name: c.cookieName, Value: string(buf[:]), Path: "/",
			MaxAge: int(csrfCookieAge / time.Second), HttpOnly: true, SameSite: http.SameSiteLaxMode,
		})
	}
	return r.WithContext(context.WithValue(r.Context(), tokenKey{}, st))
}

// checkToken verifies the masked token of an unsafe, non-exempt request. The safe methods are
// the tokenless check's (GET, HEAD, OPTIONS, as http.CrossOriginProtection's): TRACE needs a
// token too.
func (c *csrfChecker) checkToken(r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if c.exempt[r.URL.Path] {
		return nil
	}
	st, _ := r.Context().Value(tokenKey{}).(*tokenState)
	if st == nil || !st.fromReq {
		return fmt.Errorf("%w: no %s cookie", ErrCSRFTokenMissing, c.cookieName)
	}
	tok := headerFirst(r.Header, c.headerKey)
	if tok == "" {
		tok = r.PostFormValue(c.fieldName)
	}
	if tok == "" {
		return fmt.Errorf("%w: neither the %s header nor the %s form field", ErrCSRFTokenMissing, c.headerKey, c.fieldName)
	}
	return verifyToken(tok, &st.secret)
}

// cookieValue finds a cookie in the Cookie header without allocating.
func cookieValue(h http.Header, name string) (string, bool) {
	for _, line := range h["Cookie"] {
		for line != "" {
			part := line
			if i := strings.IndexByte(line, ';'); i >= 0 {
				part, line = line[:i], line[i+1:]
			} else {
				line = ""
			}
			part = strings.TrimSpace(part)
			if len(part) > len(name) && part[len(name)] == '=' && part[:len(name)] == name {
				v := part[len(name)+1:]
				if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
					v = v[1 : len(v)-1]
				}
				return v, true
			}
		}
	}
	return "", false
}

func decodeSecret(v string, dst *[secretLen]byte) bool {
	if len(v) != secretEncLen {
		return false
	}
	var src [secretEncLen]byte
	copy(src[:], v)
	n, err := b64.Decode(dst[:], src[:])
	return err == nil && n == secretLen
}

// maskToken returns a fresh masked form of secret: a random mask followed by secret XOR mask,
// base64url-encoded. Every call gives a different string (BREACH cannot compress it away), and
// every one verifies.
func maskToken(secret *[secretLen]byte) string {
	var raw [maskedLen]byte
	_, _ = rand.Read(raw[:secretLen])
	for i := 0; i < secretLen; i++ {
		raw[secretLen+i] = secret[i] ^ raw[i]
	}
	var out [maskedTokenLen]byte
	b64.Encode(out[:], raw[:])
	return string(out[:])
}

// verifyToken checks a masked token against the secret in constant time.
func verifyToken(tok string, secret *[secretLen]byte) error {
	if len(tok) != maskedTokenLen {
		return fmt.Errorf("%w: length %d, want %d", ErrCSRFTokenInvalid, len(tok), maskedTokenLen)
	}
	var src [maskedTokenLen]byte
	copy(src[:], tok)
	var raw [maskedLen]byte
	if n, err := b64.Decode(raw[:], src[:]); err != nil || n != maskedLen {
		return fmt.Errorf("%w: not base64url", ErrCSRFTokenInvalid)
	}
	var got [secretLen]byte
	for i := 0; i < secretLen; i++ {
		got[i] = raw[secretLen+i] ^ raw[i]
	}
	if subtle.ConstantTimeCompare(got[:], secret[:]) != 1 {
		return fmt.Errorf("%w: does not match the cookie's secret", ErrCSRFTokenInvalid)
	}
	return nil
}

// CSRFToken returns a freshly masked CSRF token for r, to send back in the form field or header
// the CSRF middleware reads. It returns "" when the request did not pass through the CSRF
// middleware with Config.CSRFTokens set.
func CSRFToken(r *http.Request) string {
	st, _ := r.Context().Value(tokenKey{}).(*tokenState)
	if st == nil {
		return ""
	}
	return maskToken(&st.secret)
}

// CSRFField returns a hidden form input carrying a fresh masked token, for html/template:
//
//	<form method="post">{{ .CSRFField }} ...</form>
//
// with CSRFField: secure.CSRFField(r) in the template data. It is empty without the token layer.
func CSRFField(r *http.Request) template.HTML {
	st, _ := r.Context().Value(tokenKey{}).(*tokenState)
	if st == nil {
		return ""
	}
	// The name is a validated config value and the token is base64url: nothing to escape.
	return template.HTML(`<input type="hidden" name="` + template.HTMLEscapeString(st.fieldName) + `" value="` + maskToken(&st.secret) + `">`)
}
