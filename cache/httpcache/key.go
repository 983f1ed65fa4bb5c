package httpcache

import (
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

// Reasons a request cannot be keyed. The middleware never caches such a request: it passes it to
// the handler untouched (a bypass), so a hostile Host, path or query string can never poison a
// cache entry. [RequestKey] returns them wrapped in a *KeyError.
var (
	// ErrBadHost: the Host is empty, malformed, or not in Config.Hosts.
	ErrBadHost = errors.New("httpcache: host is malformed or not allowed")
	// ErrBadPath: the path holds a control character, space or bad percent-escape, or is too long.
	ErrBadPath = errors.New("httpcache: path is malformed or too long")
	// ErrBadQuery: the query string has a bad escape or a control character.
	ErrBadQuery = errors.New("httpcache: query string is malformed")
	// ErrQueryTooLarge: the query string exceeds Config.MaxQueryBytes or Config.MaxQueryParams.
	ErrQueryTooLarge = errors.New("httpcache: query string is too large")
)

// KeyError says which part of a request could not be made into a cache key.
type KeyError struct {
	Part string // "host", "path" or "query"
	Err  error  // one of the ErrXxx sentinels
}

// Error reports the sentinel's message and the part of the request it concerns.
func (e *KeyError) Error() string { return e.Err.Error() + " (" + e.Part + ")" }

// Unwrap returns the sentinel.
func (e *KeyError) Unwrap() error { return e.Err }

// keyRules holds what the key builder needs from Config, already validated.
type keyRules struct {
	hosts       []string // lowercase; a leading "." matches the domain and its subdomains
	maxPath     int
	maxQuery    int
	maxParams   int
	ignoreParam map[string]struct{}
	scheme      func(*http.Request) string
	prefix      string
}

func defaultScheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// RequestKey returns the cache key the middleware uses for r under cfg (nil for defaults):
// "GET scheme://host/path?query" behind Config.KeyPrefix, where HEAD is keyed as GET, the host is
// validated, lowercased and stripped of its default port, the path's percent-escapes are
// normalised (RFC 3986 §6.2.2), and the query string is canonical: pairs decoded, sorted by name
// (values of one name keep their order), re-encoded, with Config.IgnoreQueryParams removed. A
// request that cannot be keyed returns a *KeyError wrapping ErrBadHost, ErrBadPath, ErrBadQuery
// or ErrQueryTooLarge.
func RequestKey(r *http.Request, cfg *Config) (string, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return "", err
	}
	return c.keys.build(r)
}

func (k *keyRules) build(r *http.Request) (string, error) {
	scheme := k.scheme(r)
	host, ok := k.canonicalHost(r.Host, scheme)
	if !ok {
		return "", &KeyError{Part: "host", Err: ErrBadHost}
	}
	raw := r.URL.EscapedPath() // RawPath when it is a valid encoding of Path

	if len(raw) > k.maxPath {
		return "", &KeyError{Part: "path", Err: ErrBadPath}
	}
	var b strings.Builder
	b.Grow(len(k.prefix) + 4 + len(scheme) + 3 + len(host) + len(raw) + 1 + len(r.URL.RawQuery))
	b.WriteString(k.prefix)
	b.WriteString("GET ")
	b.WriteString(scheme)
	b.WriteString("://")
	b.WriteString(host)
	if raw == "" || raw[0] != '/' {
		b.WriteByte('/')
	}
	if !appendPath(&b, raw) {
		return "", &KeyError{Part: "path", Err: ErrBadPath}
	}
	if err := k.appendQuery(&b, r.URL.RawQuery); err != nil {
		return "", &KeyError{Part: "query", Err: err}
	}
	return b.String(), nil
}

// canonicalHost validates host[:port] and returns it lowercased without the scheme's default port.
func (k *keyRules) canonicalHost(hostport, scheme string) (string, bool) {
	if hostport == "" || len(hostport) > 261 {
		return "", false
	}
	host, port := hostport, ""
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return "", false
		}
		host, port = hostport[:end+1], hostport[end+1:]
		a, err := netip.ParseAddr(host[1 : len(host)-1])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return "", false
		}
		host = "[" + a.String() + "]"
	} else if i := strings.LastIndexByte(hostport, ':'); i >= 0 {
		host, port = hostport[:i], hostport[i:]
	}
	if port != "" {
		if port[0] != ':' || len(port) > 6 {
			return "", false
		}
		port = port[1:]
		for i := 0; i < len(port); i++ {
			if port[i] < '0' || port[i] > '9' {
				return "", false
			}
		}
		if port == "" || (port == "80" && scheme == "http") || (port == "443" && scheme == "https") {
			port = ""
		}
	}
	if host == "" {
		return "", false
	}
	if host[0] != '[' {
		var ok bool
		if host, ok = canonicalName(host); !ok {
			return "", false
		}
	}
	if len(k.hosts) > 0 && !hostAllowed(host, k.hosts) {
		return "", false
	}
	if port != "" {
		return host + ":" + port, true
	}
	return host, true
}

// canonicalName checks a DNS name or IPv4 literal and lowercases it (allocating only when needed).
func canonicalName(h string) (string, bool) {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return "", false
	}
	upper := false
	label := 0
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
		case c >= 'A' && c <= 'Z':
			upper = true
		case c == '-':
			if label == 0 || i+1 == len(h) || h[i+1] == '.' {
				return "", false
			}
		case c == '.':
			if label == 0 {
				return "", false
			}
			label = 0
			continue
		default:
			return "", false
		}
		label++
		if label > 63 {
			return "", false
		}
	}
	if upper {
		h = strings.ToLower(h)
	}
	return h, true
}

func hostAllowed(host string, allowed []string) bool {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	for _, a := range allowed {
		if a == "*" || a == host {
			return true
		}
		if a[0] == '.' && (host == a[1:] || strings.HasSuffix(host, a)) {
			return true
		}
	}
	return false
}

func isUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

const upperHex = "0123456789ABCDEF"

// appendPath writes an escaped path with escapes normalised: an escaped unreserved character is
// decoded, every other escape gets uppercase hex, and a raw byte that must be escaped is escaped.
// Control characters (raw or escaped as %00-%1F, %7F) make the path invalid.
func appendPath(b *strings.Builder, p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '%':
			if i+2 >= len(p) {
				return false
			}
			hi, ok1 := unhex(p[i+1])
			lo, ok2 := unhex(p[i+2])
			if !ok1 || !ok2 {
				return false
			}
			v := hi<<4 | lo
			if v < 0x20 || v == 0x7f {
				return false
			}
			if isUnreserved(v) {
				b.WriteByte(v)
			} else {
				b.WriteByte('%')
				b.WriteByte(upperHex[v>>4])
				b.WriteByte(upperHex[v&15])
			}
			i += 2
		case c <= 0x20 || c >= 0x7f || c == '?' || c == '#':
			if c < 0x20 || c == 0x7f {
				return false
			}
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return true
}

type queryPair struct{ k, v string }

// appendQuery writes "?" and the canonical form of raw, or nothing when raw has no pairs.
func (k *keyRules) appendQuery(b *strings.Builder, raw string) error {
	if raw == "" {
		return nil
	}
	if len(raw) > k.maxQuery {
		return ErrQueryTooLarge
	}
	var stack [16]queryPair
	pairs := stack[:0]
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		if len(pairs) == k.maxParams {
			return ErrQueryTooLarge
		}
		name, value, _ := strings.Cut(part, "=")
		var err error
		if name, err = unescapeQuery(name); err != nil {
			return err
		}
		if value, err = unescapeQuery(value); err != nil {
			return err
		}
		if _, skip := k.ignoreParam[name]; skip {
			continue
		}
		pairs = append(pairs, queryPair{name, value})
	}
	if len(pairs) == 0 {
		return nil
	}
	slices.SortStableFunc(pairs, func(a, b queryPair) int { return strings.Compare(a.k, b.k) })
	b.WriteByte('?')
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		appendQueryEscaped(b, p.k)
		b.WriteByte('=')
		appendQueryEscaped(b, p.v)
	}
	return nil
}

// unescapeQuery decodes one query component like url.QueryUnescape, refusing ';' (which net/http
// also rejects as a separator) and control characters, raw or escaped.
func unescapeQuery(s string) (string, error) {
	plain := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c == ';' {
			return "", ErrBadQuery
		}
		if c == '%' || c == '+' {
			plain = false
		}
	}
	if plain {
		return s, nil
	}
	u, err := url.QueryUnescape(s)
	if err != nil {
		return "", ErrBadQuery
	}
	for i := 0; i < len(u); i++ {
		if u[i] < 0x20 || u[i] == 0x7f {
			return "", ErrBadQuery
		}
	}
	return u, nil
}

func appendQueryEscaped(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isUnreserved(c):
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&15])
		}
	}
}
