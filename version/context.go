package version

import "context"

type ctxKey struct{}

// NewContext returns a copy of ctx carrying v, as the Negotiator's middleware does. Use it to
// call version-aware handlers in tests.
func NewContext(ctx context.Context, v Version) context.Context {
	return context.WithValue(ctx, ctxKey{}, &v)
}

// FromContext returns the version the Negotiator resolved for this request, and false when the
// request did not pass through one.
func FromContext(ctx context.Context) (Version, bool) {
	v, ok := ctx.Value(ctxKey{}).(*Version)
	if !ok || v == nil {
		return Version{}, false
	}
	return *v, true
}

// Get is FromContext without the flag: the zero Version (IsZero) when there is none.
func Get(ctx context.Context) Version {
	v, _ := FromContext(ctx)
	return v
}
