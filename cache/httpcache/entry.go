package httpcache

import (
	"encoding/binary"
	"errors"
	"net/http"
	"slices"
	"strings"
)

// An entry is everything stored for one URL, in one value, so a lookup is one read of the
// backing cache: the Vary header names the handler answered with, then up to MaxVariants
// variants, each holding the request's values of those headers, its response, and its tags.
//
//	entry   = magic(2) version(1) uvarint(#names) {str name} uvarint(#variants) {uvarint(len) variant}
//	variant = str(varyValues) varint(stored) varint(expires) uvarint(status)
//	          str(headerBlock) uvarint(#tags) {str tag} str(body)
//	headerBlock = {str key str value}   (keys canonical and sorted; one pair per value)
//	varyValues  = for each name: uvarint(#values) {str value}
//	str         = uvarint(len) bytes
//
// Times are Unix nanoseconds. Decoding never trusts a length: a corrupt entry is an error
// (ErrCorruptEntry), treated as a miss.

// ErrCorruptEntry is reported (through Config.OnError) when a stored value is not an entry this
// package wrote; the request is then served by the handler and the entry replaced.
var ErrCorruptEntry = errors.New("httpcache: corrupt cache entry")

const (
	entryMagic0, entryMagic1, entryVersion = 'H', 'C', 1
	maxVaryNames                           = 16
)

// variantData is a variant to encode.
type variantData struct {
	varyValues []byte
	stored     int64
	expires    int64
	status     int
	header     http.Header
	tags       []string
	body       []byte
}

// variantView is a decoded variant; its slices alias the entry's bytes.
type variantView struct {
	stored, expires int64
	status          int
	header          []byte // headerBlock
	tags            []byte // uvarint(#tags) {str tag}
	body            []byte
}

type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) uvarint() uint64 {
	if d.bad {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.bad {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)) {
		d.bad = true
		return nil
	}
	s := d.b[:n:n]
	d.b = d.b[n:]
	return s
}

func appendStr[S string | []byte](dst []byte, s S) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// entryHead is the decoded start of an entry: its Vary names and the undecoded variants.
type entryHead struct {
	names    [maxVaryNames][]byte
	nnames   int
	variants []byte // {uvarint(len) variant}
	count    int
}

func parseHead(b []byte, h *entryHead) error {
	if len(b) < 3 || b[0] != entryMagic0 || b[1] != entryMagic1 || b[2] != entryVersion {
		return ErrCorruptEntry
	}
	d := decoder{b: b[3:]}
	n := d.uvarint()
	if n > maxVaryNames {
		return ErrCorruptEntry
	}
	h.nnames = int(n)
	for i := range h.nnames {
		h.names[i] = d.bytes()
	}
	c := d.uvarint()
	if d.bad || c > 64 {
		return ErrCorruptEntry
	}
	h.count, h.variants = int(c), d.b
	return nil
}

// each calls fn with each raw variant block (stopping when fn returns false) and reports whether
// the variants were well-formed up to where it stopped.
func (h *entryHead) each(fn func(block []byte) bool) bool {
	d := decoder{b: h.variants}
	for range h.count {
		block := d.bytes()
		if d.bad {
			return false
		}
		if !fn(block) {
			return true
		}
	}
	return len(d.b) == 0
}

func parseVariant(block []byte, v *variantView) (varyValues []byte, ok bool) {
	d := decoder{b: block}
	varyValues = d.bytes()
	v.stored = d.varint()
	v.expires = d.varint()
	status := d.uvarint()
	v.header = d.bytes()
	for hd := (decoder{b: v.header}); len(hd.b) > 0; {
		if len(hd.bytes()) == 0 {
			hd.bad = true
		}
		hd.bytes()
		if hd.bad {
			return nil, false
		}
	}
	tagsStart := d.b
	nt := d.uvarint()
	for range min(nt, 1<<16) {
		d.bytes()
	}
	if nt > 1<<16 {
		d.bad = true
	}
	if d.bad {
		return nil, false
	}
	v.tags = tagsStart[:len(tagsStart)-len(d.b)]
	v.body = d.bytes()
	if d.bad || len(d.b) != 0 || status < 100 || status > 999 {
		return nil, false
	}
	v.status = int(status)
	return varyValues, true
}

// appendVaryValues appends the canonical form of h's values for names.
func appendVaryValues[S string | []byte](dst []byte, names []S, h http.Header) []byte {
	for _, n := range names {
		vals := h[string(n)]
		dst = binary.AppendUvarint(dst, uint64(len(vals)))
		for _, v := range vals {
			dst = appendStr(dst, v)
		}
	}
	return dst
}

// matchVaryValues reports whether stored equals appendVaryValues(nil, names, h), without
// allocating.
func matchVaryValues(stored []byte, names [][]byte, h http.Header) bool {
	d := decoder{b: stored}
	for _, n := range names {
		vals := h[string(n)]
		if d.uvarint() != uint64(len(vals)) || d.bad {
			return false
		}
		for _, v := range vals {
			if string(d.bytes()) != v || d.bad {
				return false
			}
		}
	}
	return len(d.b) == 0
}

// skipHeader lists response headers never stored: hop-by-hop ones and those the middleware
// writes itself on every response.
var skipHeader = map[string]bool{
	"Age": true, "Cache-Status": true, "Connection": true, "Content-Length": true, "Date": true,
	"Keep-Alive": true, "Proxy-Authenticate": true, "Proxy-Connection": true, "Te": true,
	"Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
}

func appendVariant(dst []byte, v *variantData) []byte {
	dst = appendStr(dst, v.varyValues)
	dst = binary.AppendVarint(dst, v.stored)
	dst = binary.AppendVarint(dst, v.expires)
	dst = binary.AppendUvarint(dst, uint64(v.status))
	keys := make([]string, 0, len(v.header))
	for k := range v.header {
		if !skipHeader[k] && !strings.HasPrefix(k, http.TrailerPrefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var hb []byte
	for _, k := range keys {
		for _, val := range v.header[k] {
			hb = appendStr(hb, k)
			hb = appendStr(hb, val)
		}
	}
	dst = appendStr(dst, hb)
	dst = binary.AppendUvarint(dst, uint64(len(v.tags)))
	for _, t := range v.tags {
		dst = appendStr(dst, t)
	}
	return appendStr(dst, v.body)
}

// buildEntry encodes names and the new variant, followed by those variants of old (an encoded
// entry or nil) that have the same names, are still fresh at now, hold other vary values, and
// carry no tag the new variant lacks (so the entry's tags, and the versions pinned for them, are
// the new variant's), up to max variants in all. It returns the entry and the latest expiry
// among its variants.
func buildEntry(names []string, nv *variantData, old []byte, now int64, max int) ([]byte, int64) {
	out := make([]byte, 0, 64+len(nv.body)+len(old))
	out = append(out, entryMagic0, entryMagic1, entryVersion)
	out = binary.AppendUvarint(out, uint64(len(names)))
	for _, n := range names {
		out = appendStr(out, n)
	}
	newBlock := appendVariant(nil, nv)
	expires := nv.expires
	var keep [][]byte
	var head entryHead
	if max > 1 && old != nil && parseHead(old, &head) == nil && sameNames(&head, names) {
		head.each(func(block []byte) bool {
			var v variantView
			vals, ok := parseVariant(block, &v)
			if !ok || v.expires <= now || string(vals) == string(nv.varyValues) {
				return true
			}
			d := decoder{b: v.tags}
			for range d.uvarint() {
				if !slices.Contains(nv.tags, string(d.bytes())) {
					return true // its tags are not all pinned by this fill: drop it
				}
			}
			keep = append(keep, block)
			expires = max64(expires, v.expires)
			return len(keep) < max-1
		})
	}
	out = binary.AppendUvarint(out, uint64(1+len(keep)))
	out = appendStr(out, newBlock)
	for _, b := range keep {
		out = appendStr(out, b)
	}
	return out, expires
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func sameNames(h *entryHead, names []string) bool {
	if h.nnames != len(names) {
		return false
	}
	for i, n := range names {
		if string(h.names[i]) != n {
			return false
		}
	}
	return true
}

// varyNames returns the canonical, sorted, de-duplicated field names of a response's Vary
// header, and false when it lists "*" or more than maxVaryNames names.
func varyNames(h http.Header) ([]string, bool) {
	lines := h["Vary"]
	if len(lines) == 0 {
		return nil, true
	}
	var names []string
	for _, line := range lines {
		for f := range strings.SplitSeq(line, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			if f == "*" {
				return nil, false
			}
			f = http.CanonicalHeaderKey(f)
			if !slices.Contains(names, f) {
				names = append(names, f)
			}
		}
	}
	if len(names) > maxVaryNames {
		return nil, false
	}
	slices.Sort(names)
	return names, true
}
