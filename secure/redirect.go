package secure

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// redirectRules is the compiled Config.RedirectExempt.
type redirectRules struct {
	exact    map[string]bool
	prefixes []string
}

func compileRedirect(patterns []string) (redirectRules, error) {
	rr := redirectRules{exact: make(map[string]bool)}
	for i, p := range patterns {
		if !strings.HasPrefix(p, "/") {
			return rr, fmt.Errorf("%w: Config.RedirectExempt[%d] %q must start with \"/\"", ErrInvalidConfig, i, p)
		}
		if pre, ok := strings.CutSuffix(p, "*"); ok {
			rr.prefixes = append(rr.prefixes, pre)
			continue
		}
		if strings.Contains(p, "*") {
			return rr, fmt.Errorf("%w: Config.RedirectExempt[%d] %q: \"*\" is allowed only at the end", ErrInvalidConfig, i, p)
		}
		rr.exact[p] = true
	}
	return rr, nil
}

func (rr *redirectRules) exempt(path string) bool {
	if rr.exact[path] {
		return true
	}
	for _, p := range rr.prefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// Redirect is middleware sending plain-HTTP requests to HTTPS when Config.SSLRedirect is set:
// 301 for GET and HEAD, 308 (method and body kept) otherwise, to
// https://<CanonicalHost or validated host[:HTTPSPort]><path>?<query>. Paths in
// Config.RedirectExempt are served as they are. Without Config.CanonicalHost, a host that fails
// validation gets 400, never a redirect to it, so Redirect is safe even without the Hosts
// middleware in front; with it, every plain-HTTP request goes to the canonical host whatever
// Host it named.
func (s *Secure) Redirect(next http.Handler) http.Handler {
	if !s.cfg.SSLRedirect {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.proxies.IsSecure(r) || s.redirect.exempt(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		host := s.cfg.CanonicalHost
		if host == "" {
			d, _, err := s.hostParts(r)
			if err != nil {
				writeProblem(w, http.StatusBadRequest, "Invalid Host header: "+strings.TrimPrefix(err.Error(), "secure: "))
				return
			}
			host = d
			if p := s.cfg.HTTPSPort; p != 0 && p != 443 {
				host += ":" + strconv.Itoa(p)
			}
		}
		code := http.StatusPermanentRedirect
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			code = http.StatusMovedPermanently
		}
		uri := r.URL.RequestURI()
		if !strings.HasPrefix(uri, "/") { // "OPTIONS *"
			uri = "/"
		}
		w.Header().Set("Location", "https://"+host+uri)
		w.WriteHeader(code)
	})
}
