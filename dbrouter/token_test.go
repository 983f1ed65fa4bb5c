package dbrouter

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func TestTokenRoundTrip(t *testing.T) {
	t.Parallel()
	now := time.Now()
	in := Token{Cluster: 7711550990550013190, LSN: 0x16_B374D848, PinUntil: time.UnixMilli(now.Add(time.Second).UnixMilli())}
	s := EncodeToken(testKey, in, now.Add(time.Minute))
	require.Len(t, s, TokenMaxLen)
	out, err := ParseToken([][]byte{testKey}, s, now)
	require.NoError(t, err)
	require.Equal(t, in.LSN, out.LSN)
	require.Equal(t, in.Cluster, out.Cluster)
	require.True(t, in.PinUntil.Equal(out.PinUntil))

	// Rotation: an old key still verifies.
	out, err = ParseToken([][]byte{[]byte("another-key-0123456789"), testKey}, s, now)
	require.NoError(t, err)
	require.Equal(t, in.LSN, out.LSN)

	_, err = ParseToken([][]byte{testKey}, s, now.Add(2*time.Minute))
	require.ErrorIs(t, err, ErrTokenExpired)

	_, err = ParseToken([][]byte{[]byte("wrong-key-0123456789")}, s, now)
	require.ErrorIs(t, err, ErrTokenInvalid)

	// Flip one character of the signature.
	b := []byte(s)
	b[len(b)-2] ^= 1
	if b[len(b)-2] == s[len(s)-2] {
		b[len(b)-2] = 'A'
	}
	_, err = ParseToken([][]byte{testKey}, string(b), now)
	require.ErrorIs(t, err, ErrTokenInvalid)

	for _, bad := range []string{"", "x", strings.Repeat("A", TokenMaxLen), strings.Repeat("!", TokenMaxLen), s + "A"} {
		_, err = ParseToken([][]byte{testKey}, bad, now)
		require.ErrorIs(t, err, ErrTokenInvalid, "%q", bad)
	}
}

func FuzzParseToken(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	f.Add(EncodeToken(testKey, Token{LSN: 42}, now.Add(time.Minute)))
	f.Add(EncodeToken(testKey, Token{LSN: 1 << 40, PinUntil: now}, now.Add(-time.Minute)))
	f.Add("")
	f.Add(strings.Repeat("A", TokenMaxLen))
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := ParseToken([][]byte{testKey}, s, now)
		if err != nil {
			require.Zero(t, tok)
			return
		}
		// Anything accepted must be what we would have signed.
		again, err := ParseToken([][]byte{testKey}, EncodeToken(testKey, tok, now.Add(time.Minute)), now)
		require.NoError(t, err)
		require.Equal(t, tok.LSN, again.LSN)
		require.Equal(t, tok.Cluster, again.Cluster)
	})
}

func TestParseLSN(t *testing.T) {
	t.Parallel()
	l, err := ParseLSN("16/B374D848")
	require.NoError(t, err)
	require.Equal(t, LSN(0x16_B374D848), l)
	require.Equal(t, "16/B374D848", l.String())
	for _, bad := range []string{"", "/", "1/", "/1", "x/1", "1/1/1", "123456789/0", "-1/0"} {
		_, err := ParseLSN(bad)
		require.ErrorIs(t, err, ErrBadLSN, bad)
	}
}
