package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
)

// errBadCursor is returned for a cursor that was not minted by this server (tampered, truncated or
// signed with another key). The API answers it with 400.
var errBadCursor = errors.New("shop: invalid page cursor")

// cursorCodec mints and reads opaque keyset-pagination cursors: the last id of a page, signed
// with HMAC-SHA256 so a client can neither forge a position nor read anything into it.
type cursorCodec struct{ key []byte }

const cursorMACLen = 16

// cursorEnc is strict so that one cursor has exactly one spelling.
var cursorEnc = base64.RawURLEncoding.Strict()

// encode returns the cursor that resumes a listing after id.
func (c cursorCodec) encode(afterID int64) string {
	var buf [binary.MaxVarintLen64 + 1]byte
	buf[0] = 1 // format version
	n := binary.PutVarint(buf[1:], afterID)
	payload := buf[:1+n]
	return cursorEnc.EncodeToString(payload) + "." + cursorEnc.EncodeToString(c.mac(payload))
}

// decode returns the id a cursor resumes after, or errBadCursor.
func (c cursorCodec) decode(s string) (int64, error) {
	if len(s) == 0 || len(s) > 64 {
		return 0, errBadCursor
	}
	p, m, ok := strings.Cut(s, ".")
	if !ok {
		return 0, errBadCursor
	}
	payload, err := cursorEnc.DecodeString(p)
	if err != nil || len(payload) < 2 || payload[0] != 1 {
		return 0, errBadCursor
	}
	mac, err := cursorEnc.DecodeString(m)
	if err != nil || !hmac.Equal(mac, c.mac(payload)) {
		return 0, errBadCursor
	}
	id, n := binary.Varint(payload[1:])
	if n != len(payload)-1 || id < 0 {
		return 0, errBadCursor
	}
	return id, nil
}

func (c cursorCodec) mac(payload []byte) []byte {
	h := hmac.New(sha256.New, c.key)
	h.Write([]byte("shop-cursor\x00"))
	h.Write(payload)
	return h.Sum(nil)[:cursorMACLen]
}
