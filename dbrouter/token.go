package dbrouter

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"
)

// Token wire format (version 2), base64url without padding:
//
//	version(1) | cluster(8) | LSN(8) | PinUntil unix ms (8) | expires unix s (8) | HMAC-SHA256(key, previous 33 bytes)[:16]
const (
	tokenVersion = 2
	tokenBody    = 1 + 8 + 8 + 8 + 8
	tokenMAC     = 16
	tokenLen     = tokenBody + tokenMAC
	// TokenMaxLen is the length of an encoded token; longer input is rejected unread.
	TokenMaxLen = (tokenLen*8 + 5) / 6
)

// EncodeToken signs t with key (which must be at least 16 bytes) and returns it in the text form
// the middleware sends, valid until expires.
func EncodeToken(key []byte, t Token, expires time.Time) string {
	var buf [tokenLen]byte
	buf[0] = tokenVersion
	binary.BigEndian.PutUint64(buf[1:], t.Cluster)
	binary.BigEndian.PutUint64(buf[9:], uint64(t.LSN))
	var pin int64
	if !t.PinUntil.IsZero() {
		pin = t.PinUntil.UnixMilli()
	}
	binary.BigEndian.PutUint64(buf[17:], uint64(pin))
	binary.BigEndian.PutUint64(buf[25:], uint64(expires.Unix()))
	m := hmac.New(sha256.New, key)
	m.Write(buf[:tokenBody])
	copy(buf[tokenBody:], m.Sum(nil))
	return base64.RawURLEncoding.EncodeToString(buf[:])
}

// ParseToken verifies s against each key in turn (the first is current, later ones are being
// retired) and returns its token. A malformed or forged token returns [ErrTokenInvalid]; a genuine
// one past its expiry at now returns [ErrTokenExpired].
func ParseToken(keys [][]byte, s string, now time.Time) (Token, error) {
	if len(s) != TokenMaxLen {
		return Token{}, fmt.Errorf("%w: length %d, want %d", ErrTokenInvalid, len(s), TokenMaxLen)
	}
	var buf [tokenLen + 2]byte
	n, err := base64.RawURLEncoding.Decode(buf[:], []byte(s))
	if err != nil || n != tokenLen {
		return Token{}, fmt.Errorf("%w: not base64url of %d bytes", ErrTokenInvalid, tokenLen)
	}
	if buf[0] != tokenVersion {
		return Token{}, fmt.Errorf("%w: version %d", ErrTokenInvalid, buf[0])
	}
	ok := false
	for _, k := range keys {
		m := hmac.New(sha256.New, k)
		m.Write(buf[:tokenBody])
		if hmac.Equal(m.Sum(nil)[:tokenMAC], buf[tokenBody:tokenLen]) {
			ok = true
			break
		}
	}
	if !ok {
		return Token{}, fmt.Errorf("%w: bad signature", ErrTokenInvalid)
	}
	exp := int64(binary.BigEndian.Uint64(buf[25:]))
	if now.Unix() >= exp {
		return Token{}, fmt.Errorf("%w: expired at %s", ErrTokenExpired, time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	t := Token{Cluster: binary.BigEndian.Uint64(buf[1:]), LSN: LSN(binary.BigEndian.Uint64(buf[9:]))}
	if pin := int64(binary.BigEndian.Uint64(buf[17:])); pin > 0 {
		t.PinUntil = time.UnixMilli(pin)
	}
	return t, nil
}
