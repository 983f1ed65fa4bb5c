package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCursorRoundTripAndTamper(t *testing.T) {
	t.Parallel()
	c := cursorCodec{key: []byte("k1")}
	for _, id := range []int64{0, 1, 42, 1 << 40} {
		got, err := c.decode(c.encode(id))
		require.NoError(t, err)
		require.Equal(t, id, got)
	}
	good := c.encode(42)
	// Flip every character in turn: none may decode to a position.
	for i := range good {
		b := []byte(good)
		b[i] ^= 1
		_, err := c.decode(string(b))
		require.ErrorIs(t, err, errBadCursor, "tampered cursor %q accepted", b)
	}
	_, err := cursorCodec{key: []byte("k2")}.decode(good)
	require.ErrorIs(t, err, errBadCursor, "a cursor signed with another key must fail")
	for _, bad := range []string{"", ".", "abc", "AQ.", ".AAAA", "!!!.!!!"} {
		_, err := c.decode(bad)
		require.ErrorIs(t, err, errBadCursor, bad)
	}
}

func FuzzCursorDecode(f *testing.F) {
	c := cursorCodec{key: []byte("fuzz")}
	f.Add(c.encode(7))
	f.Add("AQ4.AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := c.decode(s)
		if err != nil {
			return
		}
		// Anything that decodes must be exactly what we would have minted.
		if c.encode(id) != s {
			t.Fatalf("decoded %q to %d, which encodes to %q", s, id, c.encode(id))
		}
	})
}
