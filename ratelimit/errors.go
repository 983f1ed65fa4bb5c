package ratelimit

import "errors"

// Sentinel errors. Errors returned by this package wrap one of them; branch with errors.Is.
var (
	// ErrInvalidLimit reports a Limit with a zero or negative Rate, Period or Burst, or one whose
	// numbers overflow.
	ErrInvalidLimit = errors.New("ratelimit: invalid limit")
	// ErrInvalidRequest reports a Request the store cannot check: an empty key, a negative cost,
	// fewer result slots than requests, or more requests than a single check allows.
	ErrInvalidRequest = errors.New("ratelimit: invalid request")
	// ErrInvalidConfig reports a Config or Policy field out of range; the message names the field.
	ErrInvalidConfig = errors.New("ratelimit: invalid config")
	// ErrStoreUnavailable is returned (wrapped) by [Limiter.Take] when the store failed or the
	// circuit breaker is open and the limiter fails closed.
	ErrStoreUnavailable = errors.New("ratelimit: store unavailable")
	// ErrSkip may be returned by a [KeyFunc] to leave a policy out for this request (for example a
	// per-user policy on an anonymous request). Any other error, or an empty key, is a key error.
	ErrSkip = errors.New("ratelimit: skip policy")
	// ErrNoClientIP reports that the client address of a request could not be determined.
	ErrNoClientIP = errors.New("ratelimit: no client IP")
)
