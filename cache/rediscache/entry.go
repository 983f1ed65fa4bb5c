package rediscache

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/buttress-go/buttress/cache"
)

// Wire format of an entry (version 1), all integers big-endian:
//
//	"BC1"           magic and format version
//	flags   1 byte  bit 0: negative entry
//	nonce   8       random per write: identifies this write for the decoded-value memo
//	fresh   8       FreshUntil (Unix ns)
//	stale   8       StaleUntil
//	errorU  8       ErrorUntil
//	delta   8       load duration (ns)
//	ntags   uvarint
//	ntags × (uvarint length, tag bytes, 8-byte version)
//	payload         the encoded value (absent for a negative entry)
const (
	magic      = "BC1"
	headerSize = len(magic) + 1 + 8*5
	maxTags    = 1 << 12
)

var errShort = errors.New("truncated entry")

// encodeEntry serialises e with payload (the encoded value).
func encodeEntry(e *cache.Entry, nonce uint64, payload []byte) []byte {
	n := headerSize + binary.MaxVarintLen64 + len(payload)
	for _, t := range e.Tags {
		n += binary.MaxVarintLen64 + len(t) + 8
	}
	b := make([]byte, 0, n)
	b = append(b, magic...)
	var flags byte
	if e.Negative {
		flags |= 1
	}
	b = append(b, flags)
	b = binary.BigEndian.AppendUint64(b, nonce)
	b = binary.BigEndian.AppendUint64(b, uint64(e.FreshUntil))
	b = binary.BigEndian.AppendUint64(b, uint64(e.StaleUntil))
	b = binary.BigEndian.AppendUint64(b, uint64(e.ErrorUntil))
	b = binary.BigEndian.AppendUint64(b, uint64(e.Delta))
	b = binary.AppendUvarint(b, uint64(len(e.Tags)))
	for i, t := range e.Tags {
		b = binary.AppendUvarint(b, uint64(len(t)))
		b = append(b, t...)
		b = binary.BigEndian.AppendUint64(b, e.Versions[i])
	}
	return append(b, payload...)
}

// entryNonce returns the nonce of an encoded entry, or false if raw is not one.
func entryNonce(raw string) (uint64, bool) {
	if len(raw) < headerSize || raw[:len(magic)] != magic {
		return 0, false
	}
	return be64(raw[len(magic)+1:]), true
}

func be64(s string) uint64 {
	_ = s[7]
	return uint64(s[7]) | uint64(s[6])<<8 | uint64(s[5])<<16 | uint64(s[4])<<24 |
		uint64(s[3])<<32 | uint64(s[2])<<40 | uint64(s[1])<<48 | uint64(s[0])<<56
}

// decodeEntry parses raw into an Entry (Value left nil) and returns the payload.
func decodeEntry(raw string) (e *cache.Entry, nonce uint64, payload string, err error) {
	if len(raw) < headerSize {
		return nil, 0, "", errShort
	}
	if raw[:len(magic)] != magic {
		return nil, 0, "", fmt.Errorf("bad magic %q", raw[:len(magic)])
	}
	p := len(magic)
	flags := raw[p]
	p++
	if flags&^1 != 0 {
		return nil, 0, "", fmt.Errorf("unknown flags %#x", flags)
	}
	e = &cache.Entry{Negative: flags&1 != 0}
	nonce = be64(raw[p:])
	e.FreshUntil = int64(be64(raw[p+8:]))
	e.StaleUntil = int64(be64(raw[p+16:]))
	e.ErrorUntil = int64(be64(raw[p+24:]))
	e.Delta = int64(be64(raw[p+32:]))
	p += 40
	ntags, n := uvarint(raw[p:])
	if n <= 0 || ntags > maxTags {
		return nil, 0, "", fmt.Errorf("bad tag count")
	}
	p += n
	if ntags > 0 {
		e.Tags = make([]string, ntags)
		e.Versions = make([]uint64, ntags)
	}
	for i := range int(ntags) {
		l, n := uvarint(raw[p:])
		if n <= 0 || l == 0 || l > math.MaxInt32 || uint64(len(raw)-p-n) < l+8 {
			return nil, 0, "", fmt.Errorf("bad tag %d", i)
		}
		p += n
		e.Tags[i] = raw[p : p+int(l)]
		p += int(l)
		e.Versions[i] = be64(raw[p:])
		if e.Versions[i] == 0 {
			return nil, 0, "", fmt.Errorf("tag %d has version 0", i)
		}
		p += 8
	}
	payload = raw[p:]
	if e.Negative && payload != "" {
		return nil, 0, "", fmt.Errorf("negative entry with a payload")
	}
	return e, nonce, payload, nil
}

func uvarint(s string) (uint64, int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		b := s[i]
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				return 0, -1
			}
			return x | uint64(b)<<shift, i + 1
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	return 0, 0
}
