package secure

import (
	"fmt"
	"net/netip"
	"strings"
)

// fwdElem is one element of an RFC 7239 Forwarded header: what one proxy saw.
type fwdElem struct {
	forV, proto, host string
}

// parseForwarded appends the elements of one Forwarded header line to dst. Any syntax error
// rejects the whole line: a header that does not parse is never partly trusted.
func parseForwarded(line string, dst []fwdElem) ([]fwdElem, error) {
	var cur fwdElem
	var have, haveFor, haveProto, haveHost bool
	flush := func() {
		if have {
			dst = append(dst, cur)
		}
		cur, have, haveFor, haveProto, haveHost = fwdElem{}, false, false, false, false
	}
	n := len(line)
	i := 0
	for {
		i = skipOWS(line, i)
		if i == n {
			break
		}
		switch line[i] {
		case ',':
			flush()
			i++
			continue
		case ';':
			i++
			continue
		}
		j := i
		for j < n && isTchar(line[j]) {
			j++
		}
		if j == i || j == n || line[j] != '=' {
			return dst, fmt.Errorf("%w: Forwarded: expected name=value at byte %d", ErrForwardedInvalid, i)
		}
		name := line[i:j]
		j++
		var val string
		if j < n && line[j] == '"' {
			var err error
			val, j, err = unquote(line, j)
			if err != nil {
				return dst, err
			}
		} else {
			k := j
			for k < n && isTchar(line[k]) {
				k++
			}
			if k == j {
				return dst, fmt.Errorf("%w: Forwarded: empty value for %q", ErrForwardedInvalid, name)
			}
			val, j = line[j:k], k
		}
		var dup bool
		switch {
		case strings.EqualFold(name, "for"):
			dup, haveFor, cur.forV = haveFor, true, val
		case strings.EqualFold(name, "proto"):
			dup, haveProto, cur.proto = haveProto, true, val
		case strings.EqualFold(name, "host"):
			dup, haveHost, cur.host = haveHost, true, val
		}
		if dup {
			return dst, fmt.Errorf("%w: Forwarded: parameter %q repeated in one element", ErrForwardedInvalid, name)
		}
		have = true
		i = skipOWS(line, j)
		if i < n && line[i] != ';' && line[i] != ',' {
			return dst, fmt.Errorf("%w: Forwarded: unexpected %q at byte %d", ErrForwardedInvalid, line[i], i)
		}
	}
	flush()
	return dst, nil
}

// unquote reads an RFC 9110 quoted-string starting at s[i] == '"'. It returns the value and the
// index after the closing quote.
func unquote(s string, i int) (string, int, error) {
	start := i + 1
	escaped := false
	for j := start; j < len(s); j++ {
		switch c := s[j]; {
		case c == '\\':
			escaped = true
			j++
		case c == '"':
			if !escaped {
				return s[start:j], j + 1, nil
			}
			var b strings.Builder
			for k := start; k < j; k++ {
				if s[k] == '\\' {
					k++
				}
				b.WriteByte(s[k])
			}
			return b.String(), j + 1, nil
		case c < 0x20 && c != '\t', c == 0x7f:
			return "", 0, fmt.Errorf("%w: Forwarded: control character in quoted string", ErrForwardedInvalid)
		}
	}
	return "", 0, fmt.Errorf("%w: Forwarded: unterminated quoted string", ErrForwardedInvalid)
}

func skipOWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// isTchar reports whether c is an RFC 9110 token character.
func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// parseNode parses a hop: an IP address, optionally with a port, IPv6 optionally in brackets
// ("192.0.2.1", "192.0.2.1:80", "2001:db8::1", "[2001:db8::1]:80"). IPv4-mapped IPv6 addresses
// are unmapped so that they match IPv4 prefixes, and zones are dropped (a client could otherwise
// vary "%zone" to look like many clients).
func parseNode(s string) (netip.Addr, bool) {
	a, ok := parseNodeZoned(s)
	return a.WithZone(""), ok
}

func parseNodeZoned(s string) (netip.Addr, bool) {
	// Pick the one form that can fit, so that no failing parse allocates an error.
	switch {
	case s == "":
		return netip.Addr{}, false
	case s[0] == '[':
		if s[len(s)-1] == ']' {
			a, err := netip.ParseAddr(s[1 : len(s)-1])
			return a.Unmap(), err == nil && a.Is6()
		}
		ap, err := netip.ParseAddrPort(s)
		return ap.Addr().Unmap(), err == nil
	case strings.Count(s, ":") == 1:
		ap, err := netip.ParseAddrPort(s)
		return ap.Addr().Unmap(), err == nil
	}
	a, err := netip.ParseAddr(s)
	return a.Unmap(), err == nil
}

// lastListValue returns the rightmost element of a comma-separated header field that may span
// several lines, trimmed, or "" when there is none.
func lastListValue(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		v := lines[i]
		if c := strings.LastIndexByte(v, ','); c >= 0 {
			v = v[c+1:]
		}
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
