package logging

import (
	"context"
	"net/http"
)

// Routes wraps a router that sets r.Pattern on the request it is given — http.ServeMux, chi,
// version.Router — so that AccessLog logs the matched route pattern even when middleware
// between the two hands the router a copy of the request (r.WithContext does), which leaves
// the access log's own *http.Request without a Pattern. Wrap the innermost router: when several
// Routes wrappers see a pattern, the innermost one's wins. It costs no allocation.
//
//	handler := rid(acc(sec.Middleware(logging.Routes(mux))))
//
// Without RequestIDMiddleware in front, Routes does nothing.
func Routes(router http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { // also when the handler panics: the recovered request is logged with its route
			if r.Pattern != "" {
				SetRoute(r.Context(), r.Pattern)
			}
		}()
		router.ServeHTTP(w, r)
	})
}

// SetRoute records pattern as the route AccessLog logs for the request of ctx, unless a route
// was recorded already (inner routers answer first, and theirs is the more specific pattern). It
// is for routers that do not set r.Pattern; ctx must come from a request that went through
// RequestIDMiddleware, else SetRoute does nothing.
func SetRoute(ctx context.Context, pattern string) {
	if s := stateFrom(ctx); s != nil && s.route == "" {
		s.route = pattern
	}
}
