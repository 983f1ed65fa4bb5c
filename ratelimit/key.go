package ratelimit

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// KeyFunc derives a bucket key from a request. It returns [ErrSkip] to leave its policy out for
// this request (an anonymous request under a per-user policy). Any other error, or an empty key,
// is a key error, which the middleware answers with 400 or a fallback key
// ([MiddlewareConfig.KeyErrorFallback]); it never silently leaves a request unlimited.
type KeyFunc func(r *http.Request) (string, error)

// ClientIPResolver is the shape of a trusted-proxy client IP resolver, as provided by Buttress's
// secure package (pass its method value).
type ClientIPResolver = func(r *http.Request) (netip.Addr, error)

// RemoteAddrIP is the default [ClientIPResolver]: the address of the TCP peer, from
// r.RemoteAddr ("host:port", or a bare address). Behind a proxy use a trusted-proxy resolver
// instead, or every client shares the proxy's bucket.
func RemoteAddrIP(r *http.Request) (netip.Addr, error) {
	return ParseRemoteAddr(r.RemoteAddr)
}

// ParseRemoteAddr parses a RemoteAddr value: "ip:port", "[ipv6]:port", or a bare IP (IPv6 optionally in brackets). The zone
// is dropped and IPv4-mapped IPv6 addresses are unmapped. Anything else is an error wrapping
// [ErrNoClientIP].
func ParseRemoteAddr(s string) (netip.Addr, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone("").Unmap(), nil
	}
	bare := s
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		bare = s[1 : len(s)-1]
	}
	a, err := netip.ParseAddr(bare)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: cannot parse remote address %q", ErrNoClientIP, s)
	}
	return a.WithZone("").Unmap(), nil
}

// IPKey returns the bucket key of a client address: the address itself for IPv4 (and
// IPv4-mapped IPv6), its /64 prefix for IPv6 (one customer usually holds a whole /64, so keying
// on the full address would give them 2^64 buckets). An invalid address is an error wrapping
// [ErrNoClientIP].
func IPKey(a netip.Addr) (string, error) {
	if !a.IsValid() {
		return "", fmt.Errorf("%w: invalid address", ErrNoClientIP)
	}
	a = a.WithZone("").Unmap()
	if a.Is4() {
		return a.String(), nil
	}
	p, err := a.Prefix(64)
	if err != nil { // unreachable for a valid IPv6 address; kept so a bug cannot panic
		return "", fmt.Errorf("%w: %v", ErrNoClientIP, err)
	}
	return p.String(), nil
}

// ClientIP returns a KeyFunc keyed on the client address from resolver (nil: [RemoteAddrIP]),
// IPv6 grouped by /64 ([IPKey]). A resolver error is a key error.
func ClientIP(resolver ClientIPResolver) KeyFunc {
	if resolver == nil {
		resolver = RemoteAddrIP
	}
	return func(r *http.Request) (string, error) {
		a, err := resolver(r)
		if err != nil {
			return "", fmt.Errorf("%w: %w", ErrNoClientIP, err)
		}
		return IPKey(a)
	}
}

// Route returns a KeyFunc keyed on the matched http.ServeMux pattern (r.Pattern, set when the
// middleware wraps a handler registered on a ServeMux), else on the method and path. Combine it
// with a client key ([Join]); alone it limits a route for everyone together.
func Route() KeyFunc {
	return func(r *http.Request) (string, error) {
		if r.Pattern != "" {
			return r.Pattern, nil
		}
		return r.Method + " " + r.URL.Path, nil
	}
}

// Header returns a KeyFunc keyed on the value of a request header (an API key, a tenant).
// A request without it skips the policy ([ErrSkip]).
func Header(name string) KeyFunc {
	return func(r *http.Request) (string, error) {
		v := r.Header.Get(name)
		if v == "" {
			return "", ErrSkip
		}
		return v, nil
	}
}

// FromContext returns a KeyFunc keyed on a value the application put in the request context,
// typically the authenticated user's ID. When get reports false the policy is skipped
// ([ErrSkip]): an anonymous request is then limited only by the other policies.
func FromContext(get func(ctx context.Context) (string, bool)) KeyFunc {
	return func(r *http.Request) (string, error) {
		v, ok := get(r.Context())
		if !ok {
			return "", ErrSkip
		}
		return v, nil
	}
}

// Join returns a KeyFunc combining several (for example route and client IP): the parts are
// joined with "|". If any part skips or fails, so does the combination.
func Join(funcs ...KeyFunc) KeyFunc {
	return func(r *http.Request) (string, error) {
		var b strings.Builder
		for i, f := range funcs {
			k, err := f(r)
			if err != nil {
				return "", err
			}
			if k == "" {
				return "", fmt.Errorf("%w: key part %d is empty", ErrInvalidRequest, i)
			}
			if i > 0 {
				b.WriteByte('|')
			}
			b.WriteString(k)
		}
		return b.String(), nil
	}
}
