package version

import (
	"context"
	"net/http"
	"strings"
)

// Middleware negotiates the version of every request, then calls next:
//
//   - Vary is added for every header reader (Accept for MediaType), on errors too;
//   - api-supported-versions and api-deprecated-versions are set (unless HideVersionHeaders);
//   - a bad version is answered by Config.OnError (problem+json) with the status of its Error;
//   - the resolved version's Deprecation, Sunset and Link headers are set, and a version past
//     its sunset answers 410 when Config.GoneAfterSunset is set;
//   - the version is put on the request context (FromContext) and, when it came from a
//     PathReader, the version segment is removed from r.URL so the router sees "/api/products";
//   - for a version older than the newest, the Changes of every newer version that match the
//     route convert the request body up and the response body down (see Change).
//
// Headers are set before next runs, so a handler may still change them. A CORS preflight
// (OPTIONS with Access-Control-Request-Method) that names no version is passed to next without
// one even when Config.Required is set, since browsers never add custom headers to it.
func (n *Negotiator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if n.vary != nil {
			h["Vary"] = append(h["Vary"], n.vary...)
		}
		if !n.hideHeaders {
			if n.supported != nil {
				h["Api-Supported-Versions"] = n.supported
			}
			if n.deprecated != nil {
				h["Api-Deprecated-Versions"] = n.deprecated
			}
		}
		e, verr := n.resolve(r)
		if verr != nil {
			if verr.Err == ErrRequired && isPreflight(r) {
				// Browsers send CORS preflights without custom headers: let the CORS
				// handler answer it, without a version.
				next.ServeHTTP(w, r)
				return
			}
			n.onError(w, r, verr)
			return
		}
		n.lifecycle(h, e)
		if n.isGone(e) {
			sup := n.usable()
			n.onError(w, r, &Error{Err: ErrSunset, Status: http.StatusGone, Value: e.v.String(), Supported: sup,
				Detail: "API version " + e.v.String() + " was retired on " + e.sunset[0] + "; supported versions: " + joinVersions(sup)})
			return
		}
		r2 := r.WithContext(context.WithValue(r.Context(), ctxKey{}, &e.v))
		for _, p := range n.paths {
			if p.KeepPath {
				continue
			}
			if u := p.rewriteURL(r2.URL); u != nil {
				r2.URL = u
				break
			}
		}
		if len(e.later) > 0 && n.convert(w, r2, e, next) {
			return
		}
		next.ServeHTTP(w, r2)
	})
}

// lifecycle sets the Deprecation, Sunset and Link headers of e.
func (n *Negotiator) lifecycle(h http.Header, e *entry) {
	if e.deprecation != nil {
		h["Deprecation"] = e.deprecation
	}
	if e.sunset != nil {
		h["Sunset"] = e.sunset
	}
	if e.links != nil {
		h["Link"] = append(h["Link"], e.links...)
	}
}

// isJSON reports whether a Content-Type is JSON that a Change may convert: application/json or
// a +json type, but not application/problem+json (errors keep their shape).
func isJSON(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(trimOWS(mt))
	if mt == "application/problem+json" {
		return false
	}
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
}
