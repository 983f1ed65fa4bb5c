package secure

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func FuzzHardenSetCookie(f *testing.F) {
	for _, s := range []string{"sid=1", "sid=1; Secure; HttpOnly; SameSite=Strict", "theme=dark;path=/;samesite=none",
		"a=b; secure=1", "=x", "x", "sid=1; HttpOnly;;; ", `q="a;b"; Max-Age=3`} {
		f.Add(s, true)
	}
	script := map[string]bool{"theme": true}
	f.Fuzz(func(t *testing.T, v string, secure bool) {
		out := hardenSetCookie(v, secure, script)
		require.True(t, strings.HasPrefix(out, v), "flags are only appended")
		before, err := http.ParseSetCookie(v)
		if err != nil || strings.ContainsAny(v, "\r\n") {
			return
		}
		after, err := http.ParseSetCookie(out)
		require.NoError(t, err, out)
		require.Equal(t, before.Name, after.Name)
		require.Equal(t, before.Value, after.Value)
		require.True(t, after.Secure || !secure, out)
		require.True(t, after.HttpOnly || script[strings.TrimSpace(before.Name)], out)
		require.NotZero(t, after.SameSite, out)
		if before.SameSite > http.SameSiteDefaultMode {
			require.Equal(t, before.SameSite, after.SameSite, "an explicit SameSite is kept")
		} else {
			require.Equal(t, http.SameSiteLaxMode, after.SameSite, "an empty or unknown SameSite becomes Lax")
		}
	})
}

func FuzzVerifyToken(f *testing.F) {
	var secret [secretLen]byte
	copy(secret[:], "0123456789abcdef0123456789abcdef")
	good := maskToken(&secret)
	for _, s := range []string{good, good[:85], good + "A", strings.Repeat("A", maskedTokenLen), strings.Repeat("-", maskedTokenLen), "", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		err := verifyToken(tok, &secret)
		if err != nil {
			require.ErrorIs(t, err, ErrCSRFTokenInvalid)
			return
		}
		// Anything that verifies is a mask followed by secret XOR mask, in canonical base64url.
		require.Len(t, tok, maskedTokenLen)
		raw, err := b64.DecodeString(tok)
		require.NoError(t, err)
		for i := 0; i < secretLen; i++ {
			require.Equal(t, secret[i], raw[i]^raw[secretLen+i])
		}
	})
}

func FuzzCookieValue(f *testing.F) {
	for _, s := range []string{`a=1; csrftoken=abc`, `csrftoken="q"`, `csrftokenx=1;csrftoken=2`, `;;`, `csrftoken=`, `csrftoken`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		v, ok := cookieValue(http.Header{"Cookie": {line}}, "csrftoken")
		if ok {
			require.Contains(t, line, v)
			require.NotContains(t, v, ";")
		}
	})
}
