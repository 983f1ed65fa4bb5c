package secure

import (
	"fmt"
	"net/http"
	"strings"
)

// ParseHost splits and validates a Host header value with Django's grammar: after ASCII
// lower-casing, the whole value must be a name of [a-z0-9.-] or a bracketed IPv6 literal,
// optionally followed by ":" and decimal digits. One trailing dot is stripped from the domain.
// It returns the domain (an IPv6 literal keeps its brackets) and the port ("" when absent), or an
// error wrapping ErrHostInvalid.
func ParseHost(host string) (domain, port string, err error) {
	if host == "" || len(host) > 255+6 {
		return "", "", fmt.Errorf("%w: %q", ErrHostInvalid, host)
	}
	host = asciiLower(host)
	name := host
	if c := strings.LastIndexByte(host, ':'); c >= 0 && (host[0] != '[' || c > strings.LastIndexByte(host, ']')) {
		name, port = host[:c], host[c+1:]
		if port == "" || !allDigits(port) {
			return "", "", fmt.Errorf("%w: %q: bad port", ErrHostInvalid, host)
		}
	}
	if name == "" {
		return "", "", fmt.Errorf("%w: %q", ErrHostInvalid, host)
	}
	if name[0] == '[' {
		if !validIPv6Literal(name) {
			return "", "", fmt.Errorf("%w: %q: bad IPv6 literal", ErrHostInvalid, host)
		}
		return name, port, nil
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return "", "", fmt.Errorf("%w: %q: character %q not allowed", ErrHostInvalid, host, c)
		}
	}
	if name = strings.TrimSuffix(name, "."); name == "" {
		return "", "", fmt.Errorf("%w: %q: empty domain", ErrHostInvalid, host)
	}
	return name, port, nil
}

// validIPv6Literal matches Django's \[[a-f0-9]*:[a-f0-9.:]+\] (input already lower-cased).
func validIPv6Literal(s string) bool {
	if len(s) < 4 || s[0] != '[' || s[len(s)-1] != ']' {
		return false
	}
	in := s[1 : len(s)-1]
	c := strings.IndexByte(in, ':')
	if c < 0 || c == len(in)-1 {
		return false
	}
	for i := 0; i < len(in); i++ {
		ch := in[i]
		hex := '0' <= ch && ch <= '9' || 'a' <= ch && ch <= 'f'
		switch {
		case i < c && !hex:
			return false
		case i > c && !hex && ch != '.' && ch != ':':
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// asciiLower lower-cases ASCII letters, returning s itself (no allocation) when it has none.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// hostList is a compiled Config.AllowedHosts.
type hostList struct {
	any      bool                // "*"
	exact    map[string]struct{} // "example.com", "[::1]"
	suffixes []string            // ".example.com" (matches the apex and subdomains)
}

// defaultAllowedHosts are allowed when Config.AllowedHosts is empty: local development only,
// like Django's DEBUG defaults. Production sites must list their hosts (Check reports W020).
var defaultAllowedHosts = []string{".localhost", "127.0.0.1", "[::1]"}

func compileHosts(patterns []string) (hostList, error) {
	if len(patterns) == 0 {
		patterns = defaultAllowedHosts
	}
	hl := hostList{exact: make(map[string]struct{})}
	for i, p := range patterns {
		if p == "*" {
			hl.any = true
			continue
		}
		name := strings.TrimPrefix(p, ".")
		d, port, err := ParseHost(name)
		if err != nil || port != "" || d == "" {
			return hl, fmt.Errorf("%w: Config.AllowedHosts[%d] %q must be a host name, an IP literal, \".\"+domain or \"*\" (no port)", ErrInvalidConfig, i, p)
		}
		if strings.HasPrefix(p, ".") {
			hl.suffixes = append(hl.suffixes, "."+d)
		} else {
			hl.exact[d] = struct{}{}
		}
	}
	return hl, nil
}

// allowed reports whether the parsed domain matches: exactly, or as the apex or a subdomain of a
// ".example.com" pattern.
func (hl *hostList) allowed(domain string) bool {
	if hl.any {
		return true
	}
	if _, ok := hl.exact[domain]; ok {
		return true
	}
	for _, s := range hl.suffixes {
		if strings.HasSuffix(domain, s) || domain == s[1:] {
			return true
		}
	}
	return false
}

// Host returns the request's host, validated: the proxy-aware host (see Proxies.Host), parsed
// with ParseHost and matched against Config.AllowedHosts. The result is the lower-cased domain,
// with ":port" when the request named one. It fails with ErrHostInvalid or ErrHostNotAllowed.
func (s *Secure) Host(r *http.Request) (string, error) {
	d, port, err := s.hostParts(r)
	if err != nil {
		return "", err
	}
	if port == "" {
		return d, nil
	}
	return d + ":" + port, nil
}

func (s *Secure) hostParts(r *http.Request) (domain, port string, err error) {
	raw := s.proxies.Host(r)
	d, port, err := ParseHost(raw)
	if err != nil {
		return "", "", err
	}
	if !s.hosts.allowed(d) {
		return "", "", fmt.Errorf("%w: %q; add %q to Config.AllowedHosts if it is yours", ErrHostNotAllowed, raw, d)
	}
	return d, port, nil
}

// Hosts is middleware answering 400 Bad Request (problem+json) to any request whose host is
// malformed or not in Config.AllowedHosts, before anything else sees it. It never redirects.
func (s *Secure) Hosts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, _, err := s.hostParts(r); err != nil {
			writeProblem(w, http.StatusBadRequest, "Invalid Host header: "+strings.TrimPrefix(err.Error(), "secure: "))
			return
		}
		next.ServeHTTP(w, r)
	})
}
