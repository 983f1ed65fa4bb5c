package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"strconv"
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

// afterParam reads the ?after= cursor of an HTML listing (0 without one). A cursor this server
// did not mint answers 400 and returns ok=false.
func (a *app) afterParam(w http.ResponseWriter, r *http.Request) (after int64, ok bool) {
	c := r.URL.Query().Get("after")
	if c == "" {
		return 0, true
	}
	id, err := a.cursors.decode(c)
	if err != nil {
		http.Error(w, "invalid page cursor", http.StatusBadRequest)
		return 0, false
	}
	return id, true
}

// nextCursor is the cursor of the page after ps, or "" when none follows.
func (a *app) nextCursor(ps []Product, more bool) string {
	if !more || len(ps) == 0 {
		return ""
	}
	return a.cursors.encode(ps[len(ps)-1].ID)
}

// pathID reads a positive {id} path value; anything else answers 404 and returns ok=false.
func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return 0, false
	}
	return id, true
}
