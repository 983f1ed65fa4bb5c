package httpcache

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Config holds the optional settings of [NewPages]. A nil *Config, and every zero field, means the
// default stated on the field.
type Config struct {
	// TTL is how long a response is kept when it states no freshness of its own. A response's
	// Cache-Control s-maxage, else max-age, overrides it. Default 5 minutes.
	TTL time.Duration

	// MaxTTL caps the lifetime a response may ask for with max-age/s-maxage. Default 24 hours.
	MaxTTL time.Duration

	// CacheableStatus lists the response status codes that may be stored. Default {200}.
	CacheableStatus []int

	// Hosts, when non-empty, lists the hosts whose requests may be cached (like Django's
	// ALLOWED_HOSTS): an exact lowercase name, ".example.com" for the domain and its
	// subdomains, or "*". A request for any other host is passed through uncached. Default: any
	// syntactically valid host.
	Hosts []string

	// SessionCookies names cookies whose presence on a request means the response is personal:
	// such requests bypass the cache unless CachePrivateRequests is set. Default none.
	SessionCookies []string

	// CachePrivateRequests lets requests carrying Authorization or one of SessionCookies be
	// served from and stored in the cache. Default false: they bypass it. Only set it when the
	// handler's output does not depend on who is asking (or it says so with Vary).
	CachePrivateRequests bool

	// MaxBodyBytes is the largest body stored; a larger response streams to the client
	// uncached. Default 1 MiB.
	MaxBodyBytes int

	// MaxVariants is how many Vary variants of one URL are kept in its entry; the oldest is
	// dropped first. Default 8.
	MaxVariants int

	// MaxPathBytes, MaxQueryBytes and MaxQueryParams bound what is accepted into a key; a
	// request over a bound is passed through uncached. Defaults 2048, 2048 and 64.
	MaxPathBytes, MaxQueryBytes, MaxQueryParams int

	// IgnoreQueryParams lists query parameters left out of the key (for example "utm_source"),
	// so that URLs differing only by them share an entry. Default none.
	IgnoreQueryParams []string

	// Scheme returns the request's scheme for the key. Default: "https" when r.TLS is set,
	// else "http". Behind a TLS-terminating proxy, supply one that trusts only your proxy.
	Scheme func(r *http.Request) string

	// KeyPrefix is put before every page key. Default "page:".
	KeyPrefix string

	// Name is the cache's name in the Cache-Status response header (RFC 9211). Default
	// "buttress".
	Name string

	// OnError is called when the backing cache fails (the request is still served, through the
	// handler) or a stored entry is corrupt. Default: ignore.
	OnError func(ctx context.Context, err error)

	// Now returns the current time. Default time.Now. Tests use it to age entries.
	Now func() time.Time
}

// config is Config with defaults applied and derived tables built.
type config struct {
	ttl, maxTTL    time.Duration
	status         [8]int
	nstatus        int
	sessionCookies []string
	cachePrivate   bool
	maxBody        int
	maxVariants    int
	name           string
	onError        func(context.Context, error)
	now            func() time.Time
	keys           keyRules
}

func (c *Config) withDefaults() (*config, error) {
	var zero Config
	if c == nil {
		c = &zero
	}
	out := &config{
		ttl: c.TTL, maxTTL: c.MaxTTL, cachePrivate: c.CachePrivateRequests,
		maxBody: c.MaxBodyBytes, maxVariants: c.MaxVariants, name: c.Name,
		onError: c.OnError, now: c.Now,
		keys: keyRules{
			maxPath: c.MaxPathBytes, maxQuery: c.MaxQueryBytes, maxParams: c.MaxQueryParams,
			scheme: c.Scheme, prefix: c.KeyPrefix,
		},
	}
	switch {
	case c.TTL < 0:
		return nil, fmt.Errorf("httpcache: Config.TTL must be >= 0, got %v", c.TTL)
	case c.MaxTTL < 0:
		return nil, fmt.Errorf("httpcache: Config.MaxTTL must be >= 0, got %v", c.MaxTTL)
	case c.MaxBodyBytes < 0:
		return nil, fmt.Errorf("httpcache: Config.MaxBodyBytes must be >= 0, got %d", c.MaxBodyBytes)
	case c.MaxVariants < 0 || c.MaxVariants > 64:
		return nil, fmt.Errorf("httpcache: Config.MaxVariants must be in [0, 64], got %d", c.MaxVariants)
	case c.MaxPathBytes < 0 || c.MaxQueryBytes < 0 || c.MaxQueryParams < 0:
		return nil, fmt.Errorf("httpcache: Config.MaxPathBytes, MaxQueryBytes and MaxQueryParams must be >= 0")
	case len(c.CacheableStatus) > len(out.status):
		return nil, fmt.Errorf("httpcache: Config.CacheableStatus may list at most %d codes", len(out.status))
	}
	if out.ttl == 0 {
		out.ttl = 5 * time.Minute
	}
	if out.maxTTL == 0 {
		out.maxTTL = 24 * time.Hour
	}
	if out.ttl > out.maxTTL {
		return nil, fmt.Errorf("httpcache: Config.TTL (%v) must not exceed Config.MaxTTL (%v)", out.ttl, out.maxTTL)
	}
	statuses := c.CacheableStatus
	if len(statuses) == 0 {
		statuses = []int{http.StatusOK}
	}
	for _, s := range statuses {
		if s < 200 || s > 599 || s == http.StatusPartialContent || s == http.StatusNotModified {
			return nil, fmt.Errorf("httpcache: Config.CacheableStatus: %d cannot be cached (use final statuses other than 206 and 304)", s)
		}
		out.status[out.nstatus] = s
		out.nstatus++
	}
	for _, name := range c.SessionCookies {
		if name == "" {
			return nil, fmt.Errorf("httpcache: Config.SessionCookies holds an empty name")
		}
		out.sessionCookies = append(out.sessionCookies, name)
	}
	for _, h := range c.Hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			return nil, fmt.Errorf("httpcache: Config.Hosts holds an empty host")
		}
		out.keys.hosts = append(out.keys.hosts, h)
	}
	if len(c.IgnoreQueryParams) > 0 {
		out.keys.ignoreParam = make(map[string]struct{}, len(c.IgnoreQueryParams))
		for _, p := range c.IgnoreQueryParams {
			out.keys.ignoreParam[p] = struct{}{}
		}
	}
	if out.maxBody == 0 {
		out.maxBody = 1 << 20
	}
	if out.maxVariants == 0 {
		out.maxVariants = 8
	}
	if out.name == "" {
		out.name = "buttress"
	}
	if out.onError == nil {
		out.onError = func(context.Context, error) {}
	}
	if out.now == nil {
		out.now = time.Now
	}
	if out.keys.maxPath == 0 {
		out.keys.maxPath = 2048
	}
	if out.keys.maxQuery == 0 {
		out.keys.maxQuery = 2048
	}
	if out.keys.maxParams == 0 {
		out.keys.maxParams = 64
	}
	if out.keys.scheme == nil {
		out.keys.scheme = defaultScheme
	}
	if out.keys.prefix == "" {
		out.keys.prefix = "page:"
	}
	return out, nil
}

func (c *config) statusCacheable(code int) bool {
	for i := 0; i < c.nstatus; i++ {
		if c.status[i] == code {
			return true
		}
	}
	return false
}
