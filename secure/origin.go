package secure

import (
	"fmt"
	"strings"
)

// originPattern is one compiled Config.TrustedOrigins entry.
type originPattern struct {
	scheme string
	host   string // exact domain, or ".example.com" when wildcard
	port   string // "" for the scheme's default port
	wild   bool
}

// parseOrigin splits a serialized origin "scheme://host[:port]" (the Origin header's form),
// lower-cased, with the scheme's default port dropped. It reports false for anything else,
// including "null", paths, user info and empty hosts.
func parseOrigin(s string) (scheme, host, port string, ok bool) {
	i := strings.Index(s, "://")
	if i <= 0 {
		return "", "", "", false
	}
	scheme, rest := asciiLower(s[:i]), s[i+3:]
	if !validScheme(scheme) || rest == "" || strings.ContainsAny(rest, "/?#@\\") {
		return "", "", "", false
	}
	if len(rest) > 2 && rest[0] == '*' && rest[1] == '.' {
		return "", "", "", false // wildcards belong in patterns, never in a request
	}
	host, port, err := ParseHost(rest)
	if err != nil || host == "" || host[0] == '.' || len(port) > 5 {
		return "", "", "", false
	}
	return scheme, host, normalizePort(scheme, port), true
}

func validScheme(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// normalizePort returns "" for the scheme's default port.
func normalizePort(scheme, port string) string {
	if scheme == "https" && port == "443" || scheme == "http" && port == "80" {
		return ""
	}
	return port
}

// compileOrigin parses a Config.TrustedOrigins entry: "scheme://host[:port]", where host may
// start with "*." to match subdomains.
func compileOrigin(i int, s string) (originPattern, error) {
	bad := func(why string) error {
		return fmt.Errorf("%w: Config.TrustedOrigins[%d] %q %s", ErrInvalidConfig, i, s, why)
	}
	if !strings.Contains(s, "://") {
		return originPattern{}, bad("needs a scheme: write it as \"https://" + s + "\"")
	}
	probe, wild := s, false
	if j := strings.Index(s, "://*."); j >= 0 {
		probe, wild = s[:j+3]+s[j+5:], true
	}
	scheme, host, port, ok := parseOrigin(probe)
	if !ok {
		return originPattern{}, bad("must be scheme://host[:port] with no path")
	}
	if wild {
		if host[0] == '[' || !strings.Contains(host, ".") && host != "localhost" {
			return originPattern{}, bad("wildcard needs a domain with a dot under it")
		}
		host = "." + host
	}
	return originPattern{scheme: scheme, host: host, port: port, wild: wild}, nil
}

// match reports whether a parsed origin matches: same scheme, same port, and the same host (or,
// for a wildcard, a host ending in ".domain" — never the domain itself nor "evildomain").
func (p *originPattern) match(scheme, host, port string) bool {
	if scheme != p.scheme || port != p.port {
		return false
	}
	if p.wild {
		return len(host) > len(p.host) && strings.HasSuffix(host, p.host)
	}
	return host == p.host
}
