package version

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
)

// Router routes by pattern and then by version, with inheritance: a handler registered for
// version 2 serves version 2 and every later version until another handler is registered for
// the same pattern, so v3 of an endpoint unchanged since v2 is served by v2's handler. A version
// older than the first registration, or at or after a Remove, answers 404 (ErrNotAvailable) as
// problem+json.
//
// Patterns are http.ServeMux patterns (Go 1.22+: "GET /api/products/{id}"), matched on the path
// the Negotiator rewrote, and r.PathValue works in handlers. The version comes from the request
// context (FromContext), so mount the Router behind Negotiator.Middleware; a request without one
// is served by the newest registration.
//
// Use a Router where behaviour changed and Changes where only the JSON shape did. The
// Negotiator's Changes convert bodies to and from the newest version whatever handler runs, so
// do not let a Change's Routes cover a route that has version-specific handlers.
//
// Register routes before serving; Handle panics on a bad pattern or version, as ServeMux does.
type Router struct {
	mux    *http.ServeMux
	mu     sync.Mutex
	routes map[string]*route
}

var _ http.Handler = (*Router)(nil)

// NewRouter returns an empty Router.
func NewRouter() *Router {
	return &Router{mux: http.NewServeMux(), routes: make(map[string]*route)}
}

type route struct {
	pattern string
	mu      sync.RWMutex
	steps   []step // ascending by since
}

type step struct {
	since Version
	h     http.Handler // nil: removed
}

// Handle registers h for pattern from version since ("2", "2024-06-01") onwards.
func (rt *Router) Handle(since, pattern string, h http.Handler) {
	if h == nil {
		panic("version: Router.Handle: nil handler for " + pattern)
	}
	rt.add(since, pattern, h)
}

// HandleFunc registers f for pattern from version since onwards.
func (rt *Router) HandleFunc(since, pattern string, f func(http.ResponseWriter, *http.Request)) {
	if f == nil {
		panic("version: Router.HandleFunc: nil handler for " + pattern)
	}
	rt.add(since, pattern, http.HandlerFunc(f))
}

// Remove withdraws pattern from version since onwards: those versions answer 404.
func (rt *Router) Remove(since, pattern string) { rt.add(since, pattern, nil) }

func (rt *Router) add(since, pattern string, h http.Handler) {
	v, err := Parse(since)
	if err != nil {
		panic(fmt.Sprintf("version: Router: pattern %q: %v", pattern, err))
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	ro := rt.routes[pattern]
	if ro == nil {
		ro = &route{pattern: pattern}
		rt.mux.Handle(pattern, ro) // panics on a bad or conflicting pattern, as ServeMux does
		rt.routes[pattern] = ro
	}
	ro.mu.Lock()
	defer ro.mu.Unlock()
	i, found := slices.BinarySearchFunc(ro.steps, v, func(s step, v Version) int { return s.since.Compare(v) })
	if !found && i > 0 && ro.steps[i-1].since.Same(v) {
		found, i = true, i-1
	}
	if !found && i < len(ro.steps) && ro.steps[i].since.Same(v) {
		found = true
	}
	if found {
		panic(fmt.Sprintf("version: Router: pattern %q already registered for version %s", pattern, v))
	}
	ro.steps = slices.Insert(ro.steps, i, step{since: v, h: h})
}

// ServeHTTP routes r by pattern and version. Unknown paths get ServeMux's 404 and 405 answers.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) { rt.mux.ServeHTTP(w, r) }

func (ro *route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v, ok := FromContext(r.Context())
	ro.mu.RLock()
	var h http.Handler
	found := false
	if !ok {
		h, found = ro.steps[len(ro.steps)-1].h, true
	} else {
		for i := len(ro.steps) - 1; i >= 0; i-- {
			if s := ro.steps[i]; s.since.Same(v) || s.since.Compare(v) < 0 {
				h, found = s.h, true
				break
			}
		}
	}
	var avail []Version
	if h == nil {
		for _, s := range ro.steps {
			if s.h != nil {
				avail = append(avail, s.since)
			}
		}
	}
	ro.mu.RUnlock()
	if h != nil {
		h.ServeHTTP(w, r)
		return
	}
	detail := ro.pattern + " is not available in API version " + v.String()
	if !found {
		detail = ro.pattern + " does not exist before API version " + ro.steps[0].since.String()
	}
	WriteProblem(w, r, &Error{Err: ErrNotAvailable, Status: http.StatusNotFound, Value: v.String(),
		Detail: detail + "; handlers start at versions: " + joinVersions(avail), Supported: avail})
}
