package version

import (
	"strconv"
)

// MaxLen is the longest version text a reader accepts. Anything longer is rejected as malformed
// before it is parsed, so a client cannot make the server scan a huge value.
const MaxLen = 32

// Kind says how a Version is written.
type Kind uint8

// The kinds of version value. The zero Version has kind KindNone.
const (
	KindNone       Kind = iota // the zero Version: no version
	KindInteger                // "1", "v2"
	KindMajorMinor             // "1.0", "v2.1"
	KindDate                   // "2024-06-01"
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindInteger:
		return "integer"
	case KindMajorMinor:
		return "major.minor"
	case KindDate:
		return "date"
	default:
		return "none"
	}
}

// Version is one API version: an integer ("2"), a major.minor pair ("2.1") or a date
// ("2024-06-01"). A leading "v" or "V" is accepted when parsing ("v2") and never printed.
//
// Versions are small comparable values and are totally ordered by Compare: numbers by value
// (2 < 2.1 < 10), dates chronologically, and every number before every date. An integer and a
// major.minor with a zero minor name the same version ("2" and "2.0" resolve to the same entry
// of a Negotiator), and Compare breaks that tie by kind so the order stays total.
//
// The zero Version means "no version"; IsZero reports it.
type Version struct {
	kind  Kind
	major uint32 // the integer, the major part, or yyyymmdd for a date
	minor uint32
}

// Int returns the integer version n ("v<n>").
func Int(n uint32) Version { return Version{kind: KindInteger, major: n} }

// MajorMinor returns the version major.minor.
func MajorMinor(major, minor uint32) Version {
	return Version{kind: KindMajorMinor, major: major, minor: minor}
}

// Parse reads a version: "2", "v2", "2.1", "v2.1" or "2024-06-01". Numbers have at most nine
// digits a part and no leading zeros ("0" itself is fine); dates must be real calendar days.
// Anything else, including text longer than MaxLen, returns an error wrapping ErrMalformed.
// Parse never allocates when it succeeds.
func Parse(s string) (Version, error) {
	v, why := parse(s)
	if why != "" {
		return Version{}, &ParseError{Text: s, Reason: why}
	}
	return v, nil
}

// MustParse is Parse for versions written in the program: it panics when s is not a version.
// Never call it on client input.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// ParseError says why a text is not a version. It wraps ErrMalformed.
type ParseError struct {
	Text   string // the text as given (may be long; Error shortens it)
	Reason string // what is wrong, e.g. "month out of range"
}

// Error says which text is malformed and why.
func (e *ParseError) Error() string {
	return "version: malformed API version " + strconv.Quote(clip(e.Text)) + ": " + e.Reason
}

// Unwrap returns ErrMalformed.
func (e *ParseError) Unwrap() error { return ErrMalformed }

// parse returns the version or a reason it is malformed; it never allocates.
func parse(s string) (Version, string) {
	if len(s) == 0 {
		return Version{}, "empty"
	}
	if len(s) > MaxLen {
		return Version{}, "longer than " + strconv.Itoa(MaxLen) + " bytes"
	}
	if (s[0] == 'v' || s[0] == 'V') && len(s) > 1 {
		s = s[1:]
	}
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		return parseDate(s)
	}
	major, rest, why := number(s)
	if why != "" {
		return Version{}, why
	}
	if rest == "" {
		return Version{kind: KindInteger, major: major}, ""
	}
	if rest[0] != '.' {
		return Version{}, "unexpected character " + strconv.QuoteRune(rune(rest[0])) + " (want digits, major.minor or yyyy-mm-dd)"
	}
	minor, rest, why := number(rest[1:])
	if why != "" {
		return Version{}, why
	}
	if rest != "" {
		return Version{}, "unexpected text after major.minor"
	}
	return Version{kind: KindMajorMinor, major: major, minor: minor}, ""
}

// number reads a decimal of at most nine digits without leading zeros.
func number(s string) (uint32, string, string) {
	i := 0
	var n uint32
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if i == 9 {
			return 0, "", "number longer than 9 digits"
		}
		n = n*10 + uint32(s[i]-'0')
		i++
	}
	switch {
	case i == 0:
		return 0, "", "want digits, major.minor or yyyy-mm-dd"
	case i > 1 && s[0] == '0':
		return 0, "", "leading zero"
	}
	return n, s[i:], ""
}

func parseDate(s string) (Version, string) {
	var y, m, d uint32
	for i := 0; i < 10; i++ {
		if i == 4 || i == 7 {
			continue
		}
		c := s[i]
		if c < '0' || c > '9' {
			return Version{}, "date must be yyyy-mm-dd"
		}
		n := uint32(c - '0')
		switch {
		case i < 4:
			y = y*10 + n
		case i < 7:
			m = m*10 + n
		default:
			d = d*10 + n
		}
	}
	if y == 0 {
		return Version{}, "year out of range"
	}
	if m < 1 || m > 12 {
		return Version{}, "month out of range"
	}
	if d < 1 || d > daysIn(y, m) {
		return Version{}, "day out of range"
	}
	return Version{kind: KindDate, major: y*10000 + m*100 + d}, ""
}

func daysIn(y, m uint32) uint32 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// Date returns the date version y-m-d, or an error wrapping ErrMalformed when it is not a
// calendar day.
func Date(y, m, d int) (Version, error) {
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > int(daysIn(uint32(y), uint32(m))) {
		return Version{}, &ParseError{Text: strconv.Itoa(y) + "-" + strconv.Itoa(m) + "-" + strconv.Itoa(d), Reason: "not a calendar day"}
	}
	return Version{kind: KindDate, major: uint32(y*10000 + m*100 + d)}, nil
}

// Kind reports how v is written.
func (v Version) Kind() Kind { return v.kind }

// IsZero reports whether v is the zero Version (no version).
func (v Version) IsZero() bool { return v.kind == KindNone }

// Major returns the integer or major part of a number version, and 0 for a date.
func (v Version) Major() int {
	if v.kind == KindDate {
		return 0
	}
	return int(v.major)
}

// Minor returns the minor part of a major.minor version, and 0 otherwise.
func (v Version) Minor() int { return int(v.minor) }

// YMD returns the year, month and day of a date version, and zeros otherwise.
func (v Version) YMD() (year, month, day int) {
	if v.kind != KindDate {
		return 0, 0, 0
	}
	return int(v.major / 10000), int(v.major / 100 % 100), int(v.major % 100)
}

// String writes v canonically: "2", "2.1" or "2024-06-01"; "" for the zero Version.
func (v Version) String() string {
	return string(v.AppendText(nil))
}

// AppendText appends the canonical text of v to b.
func (v Version) AppendText(b []byte) []byte {
	switch v.kind {
	case KindInteger:
		return strconv.AppendUint(b, uint64(v.major), 10)
	case KindMajorMinor:
		b = strconv.AppendUint(b, uint64(v.major), 10)
		b = append(b, '.')
		return strconv.AppendUint(b, uint64(v.minor), 10)
	case KindDate:
		y, m, d := v.YMD()
		b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
		b = append(b, byte('0'+m/10), byte('0'+m%10), '-')
		return append(b, byte('0'+d/10), byte('0'+d%10))
	}
	return b
}

// MarshalText implements encoding.TextMarshaler with the canonical text.
func (v Version) MarshalText() ([]byte, error) { return v.AppendText(nil), nil }

// UnmarshalText implements encoding.TextUnmarshaler with Parse.
func (v *Version) UnmarshalText(b []byte) error {
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*v = p
	return nil
}

// group orders kinds: no version, then numbers, then dates.
func (v Version) group() int {
	switch v.kind {
	case KindInteger, KindMajorMinor:
		return 1
	case KindDate:
		return 2
	}
	return 0
}

// Compare returns -1, 0 or +1 as v sorts before, equal to or after w. It is a total order
// consistent with ==: numbers by value, then dates by day, numbers before dates; an integer sorts
// just before the major.minor with the same value and a zero minor ("2" < "2.0" < "2.1").
func (v Version) Compare(w Version) int {
	if c := cmp3(v.group(), w.group()); c != 0 {
		return c
	}
	if c := cmp3(v.major, w.major); c != 0 {
		return c
	}
	if c := cmp3(v.minor, w.minor); c != 0 {
		return c
	}
	return cmp3(v.kind, w.kind)
}

// Same reports whether v and w name the same version: equal, or an integer and a major.minor
// with the same value and a zero minor ("2" and "2.0").
func (v Version) Same(w Version) bool {
	return v.group() == w.group() && v.major == w.major && v.minor == w.minor
}

// Before reports whether v sorts before w.
func (v Version) Before(w Version) bool { return v.Compare(w) < 0 }

// After reports whether v sorts after w.
func (v Version) After(w Version) bool { return v.Compare(w) > 0 }

func cmp3[T ~int | ~uint32 | ~uint8](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// looksLikeVersion reports whether a path segment, host label or vendor media-type part is
// meant as a version: "v" or "V" followed by a digit ("v2", and "v2x", which is then rejected as
// malformed), or only digits, dots and dashes starting with a digit ("2", "2.1", "2024-06-01",
// and "2024-13-01" or "01", rejected as malformed). Other text ("products", "vanilla", "2fa",
// "3d-models") is not a version and leaves the request unversioned by that reader.
func looksLikeVersion(s string) bool {
	if len(s) >= 2 && (s[0] == 'v' || s[0] == 'V') {
		return s[1] >= '0' && s[1] <= '9'
	}
	if len(s) == 0 || s[0] < '0' || s[0] > '9' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// clip shortens client text for messages.
func clip(s string) string {
	if len(s) > MaxLen+8 {
		return s[:MaxLen+8] + "..."
	}
	return s
}
