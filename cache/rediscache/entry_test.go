package rediscache

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/cache"
)

func TestEntryRoundTrip(t *testing.T) {
	t.Parallel()
	e := &cache.Entry{Tags: []string{"a", "product:42"}, Versions: []uint64{1, 1<<64 - 1},
		FreshUntil: 10, StaleUntil: 20, ErrorUntil: 30, Delta: 5}
	raw := encodeEntry(e, 99, []byte("payload"))
	got, nonce, payload, err := decodeEntry(string(raw))
	require.NoError(t, err)
	require.Equal(t, uint64(99), nonce)
	require.Equal(t, "payload", payload)
	require.Equal(t, e, got)
	n, ok := entryNonce(string(raw))
	require.True(t, ok)
	require.Equal(t, uint64(99), n)

	neg := &cache.Entry{Negative: true, FreshUntil: 1, StaleUntil: 1, ErrorUntil: 1}
	got, _, payload, err = decodeEntry(string(encodeEntry(neg, 1, nil)))
	require.NoError(t, err)
	require.True(t, got.Negative)
	require.Empty(t, payload)

	for _, bad := range []string{"", "BC1", "XX1" + string(make([]byte, 60)), string(raw[:headerSize+3])} {
		_, _, _, err := decodeEntry(bad)
		require.Error(t, err, "%q", bad)
	}
}

func TestVersionFormat(t *testing.T) {
	t.Parallel()
	for _, v := range []uint64{1, 0xdeadbeef, 1<<64 - 1} {
		require.Equal(t, v, parseVersion(formatVersion(v)))
	}
	require.Zero(t, parseVersion("xyz"))
	require.Zero(t, parseVersion("000000000000000G"))
	require.Zero(t, parseVersion("00000000000000000"))
}

func TestSlot(t *testing.T) {
	t.Parallel()
	require.Equal(t, uint16(0x31C3), crc16("123456789")) // the CRC16/XMODEM check value
	require.Equal(t, uint16(12182), slot("foo"))         // values from CLUSTER KEYSLOT
	require.Equal(t, uint16(5061), slot("bar"))
	require.Equal(t, slot("user1000"), slot("{user1000}.following"))
	require.Equal(t, slot("{}x"), crc16("{}x")&16383, "empty hash tag: the whole key")
	require.True(t, sameSlot([]string{"{t}a", "{t}b"}))
	require.False(t, sameSlot([]string{"foo", "bar"}))
}

// FuzzDecodeEntry: arbitrary bytes under our key never panic, and whatever decodes
// re-encodes to the same bytes.
func FuzzDecodeEntry(f *testing.F) {
	f.Add(string(encodeEntry(&cache.Entry{Tags: []string{"t"}, Versions: []uint64{7}, FreshUntil: 1}, 3, []byte(`{"a":1}`))))
	f.Add(string(encodeEntry(&cache.Entry{Negative: true}, 1, nil)))
	f.Add("BC1")
	f.Add("not an entry")
	f.Fuzz(func(t *testing.T, raw string) {
		e, nonce, payload, err := decodeEntry(raw)
		if err != nil {
			return
		}
		again := encodeEntry(e, nonce, []byte(payload))
		e2, _, payload2, err := decodeEntry(string(again))
		if err != nil || payload2 != payload || len(e2.Tags) != len(e.Tags) {
			t.Fatalf("re-encoding %q: %v", raw, err)
		}
	})
}
