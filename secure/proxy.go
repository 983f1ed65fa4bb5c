package secure

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// ProxyHeader names the header family a trusted proxy uses to describe the client.
type ProxyHeader int

const (
	// XForwarded reads X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host (the default:
	// nginx, HAProxy, AWS ALB, Heroku, Cloud Run).
	XForwarded ProxyHeader = iota
	// Forwarded reads the RFC 7239 Forwarded header.
	Forwarded
)

// String returns the header name.
func (h ProxyHeader) String() string {
	if h == Forwarded {
		return "Forwarded"
	}
	return "X-Forwarded-For"
}

// Proxies is the trusted-proxy resolver: the one place that decides a request's client IP, scheme
// and host. Forwarded headers are honoured only when the TCP peer is in the trusted list, and the
// client IP is the rightmost hop that is not a trusted proxy: everything left of it was written
// by the client and can be forged.
//
// Only one header family is read (see ProxyHeader): a proxy that appends X-Forwarded-For passes a
// client's Forwarded header through untouched, so reading both would let clients choose their IP.
//
// A nil *Proxies trusts nobody: the client IP is RemoteAddr, the scheme comes from r.TLS and the
// host from r.Host. Methods are safe for concurrent use.
type Proxies struct {
	prefixes []netip.Prefix
	header   ProxyHeader
}

// NewProxies returns a resolver trusting the given proxies, each a CIDR prefix ("10.0.0.0/8",
// "2001:db8::/32") or a single address ("127.0.0.1"), reading the given header family.
func NewProxies(trusted []string, header ProxyHeader) (*Proxies, error) {
	if header != XForwarded && header != Forwarded {
		return nil, fmt.Errorf("%w: Config.ProxyHeader %d is neither XForwarded nor Forwarded", ErrInvalidConfig, header)
	}
	p := &Proxies{header: header}
	for i, s := range trusted {
		pfx, err := parsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("%w: Config.TrustedProxies[%d] %q is not an IP address or CIDR prefix", ErrInvalidConfig, i, s)
		}
		p.prefixes = append(p.prefixes, pfx)
	}
	return p, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		if p.Addr().Is4In6() {
			bits := p.Bits() - 96
			if bits < 0 {
				return netip.Prefix{}, fmt.Errorf("IPv4-mapped prefix shorter than /96")
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), bits)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Trusted reports whether addr is one of the trusted proxies.
func (p *Proxies) Trusted(addr netip.Addr) bool {
	if p == nil {
		return false
	}
	addr = addr.Unmap().WithZone("")
	for _, pfx := range p.prefixes {
		if pfx.Contains(addr) {
			return true
		}
	}
	return false
}

// peer returns the TCP peer of the request.
func peer(r *http.Request) (netip.Addr, error) {
	if a, ok := parseNode(r.RemoteAddr); ok {
		return a, nil
	}
	return netip.Addr{}, fmt.Errorf("%w: %q", ErrRemoteAddr, r.RemoteAddr)
}

// fromTrustedPeer reports whether the request came straight from a trusted proxy.
func (p *Proxies) fromTrustedPeer(r *http.Request) bool {
	if p == nil || len(p.prefixes) == 0 {
		return false
	}
	a, err := peer(r)
	return err == nil && p.Trusted(a)
}

// ClientIP returns the client's IP address: RemoteAddr unless the peer is a trusted proxy, in
// which case it is the rightmost hop of the forwarded header that is not a trusted proxy (or the
// leftmost hop when all are trusted). IPv4-mapped addresses are unmapped and zones dropped. It
// has exactly the shape other Buttress packages take as a client-IP resolver:
//
//	ratelimit.ClientIP(proxies.ClientIP)                      // rate-limit key
//	&logging.AccessLogConfig{ClientIP: proxies.ClientIP}      // access log
//
// It fails with ErrRemoteAddr when RemoteAddr is not an address and with ErrForwardedInvalid
// when a trusted proxy's header does not parse or names no address for the client hop.
func (p *Proxies) ClientIP(r *http.Request) (netip.Addr, error) {
	pa, err := peer(r)
	if err != nil {
		return netip.Addr{}, err
	}
	if !p.Trusted(pa) {
		return pa, nil
	}
	if p.header == Forwarded {
		var buf [8]fwdElem
		elems, err := forwardedElems(r.Header["Forwarded"], buf[:0])
		if err != nil {
			return netip.Addr{}, err
		}
		idx, addr, err := p.clientElem(elems)
		if err != nil || idx < 0 {
			return pa, err
		}
		return addr, nil
	}
	return p.clientXFF(r.Header["X-Forwarded-For"], pa)
}

func forwardedElems(lines []string, dst []fwdElem) ([]fwdElem, error) {
	var err error
	for _, l := range lines {
		if dst, err = parseForwarded(l, dst); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

// clientElem walks Forwarded elements right to left and returns the index and address of the
// client hop, or -1 when there are no elements.
func (p *Proxies) clientElem(elems []fwdElem) (int, netip.Addr, error) {
	idx, last := -1, netip.Addr{}
	for i := len(elems) - 1; i >= 0; i-- {
		a, ok := parseNode(elems[i].forV)
		if !ok {
			return -1, netip.Addr{}, fmt.Errorf("%w: Forwarded: for=%q is not an IP address", ErrForwardedInvalid, elems[i].forV)
		}
		idx, last = i, a
		if !p.Trusted(a) {
			break
		}
	}
	return idx, last, nil
}

func (p *Proxies) clientXFF(lines []string, pa netip.Addr) (netip.Addr, error) {
	found := false
	var last netip.Addr
	for i := len(lines) - 1; i >= 0; i-- {
		rest := lines[i]
		for rest != "" {
			hop := rest
			if c := strings.LastIndexByte(rest, ','); c >= 0 {
				hop, rest = rest[c+1:], rest[:c]
			} else {
				rest = ""
			}
			hop = strings.TrimSpace(hop)
			if hop == "" {
				continue
			}
			a, ok := parseNode(hop)
			if !ok {
				return netip.Addr{}, fmt.Errorf("%w: X-Forwarded-For hop %q is not an IP address", ErrForwardedInvalid, hop)
			}
			if !p.Trusted(a) {
				return a, nil
			}
			found, last = true, a
		}
	}
	if found {
		return last, nil
	}
	return pa, nil
}

// Scheme returns "https" or "http": the forwarded scheme when the peer is a trusted proxy that
// sent one (X-Forwarded-Proto's rightmost value, or proto= of the client's Forwarded element),
// otherwise "https" exactly when the connection itself is TLS. Values other than http and https
// are ignored.
func (p *Proxies) Scheme(r *http.Request) string {
	if p.fromTrustedPeer(r) {
		var v string
		if p.header == Forwarded {
			v = p.forwardedField(r, func(e *fwdElem) string { return e.proto })
		} else {
			v = lastListValue(r.Header["X-Forwarded-Proto"])
		}
		switch {
		case strings.EqualFold(v, "https"):
			return "https"
		case strings.EqualFold(v, "http"):
			return "http"
		}
	}
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// IsSecure reports whether the client reached the site over HTTPS (see Scheme).
func (p *Proxies) IsSecure(r *http.Request) bool { return p.Scheme(r) == "https" }

// Host returns the host the client asked for: the forwarded host when the peer is a trusted proxy
// that sent one, otherwise r.Host. The value is NOT validated; use Secure.Host for a host checked
// against Config.AllowedHosts.
func (p *Proxies) Host(r *http.Request) string {
	if p.fromTrustedPeer(r) {
		var v string
		if p.header == Forwarded {
			v = p.forwardedField(r, func(e *fwdElem) string { return e.host })
		} else {
			v = lastListValue(r.Header["X-Forwarded-Host"])
		}
		if v != "" {
			return v
		}
	}
	return r.Host
}

// forwardedField returns a field of the client's Forwarded element, or "" when the header is
// absent or invalid.
func (p *Proxies) forwardedField(r *http.Request, field func(*fwdElem) string) string {
	lines := r.Header["Forwarded"]
	if len(lines) == 0 {
		return ""
	}
	var buf [8]fwdElem
	elems, err := forwardedElems(lines, buf[:0])
	if err != nil {
		return ""
	}
	idx, _, err := p.clientElem(elems)
	if err != nil || idx < 0 {
		return ""
	}
	return field(&elems[idx])
}
