package cache

import (
	"errors"
	"fmt"
)

// Sentinel errors. Match them with errors.Is.
var (
	// ErrNotFound is returned by Get on a miss, and by GetOrLoad when the loader reported that
	// the value does not exist (a loader error wrapping ErrNotFound is cached as a negative entry
	// for Config.NegativeTTL).
	ErrNotFound = errors.New("cache: not found")
	// ErrEmptyKey is returned for an empty key.
	ErrEmptyKey = errors.New("cache: key must not be empty")
	// ErrNilLoader is returned by GetOrLoad when the loader is nil.
	ErrNilLoader = errors.New("cache: loader must not be nil")
	// ErrNegativeTTL is returned when a TTL or a stale window is negative.
	ErrNegativeTTL = errors.New("cache: TTL must not be negative")
	// ErrEmptyTag is returned when a tag is the empty string.
	ErrEmptyTag = errors.New("cache: tag must not be empty")
	// ErrEncode wraps a codec failure to encode a value; nothing is stored.
	ErrEncode = errors.New("cache: cannot encode value")
	// ErrCorrupt is reported to Config.OnError when a stored entry cannot be decoded; the read
	// is a miss.
	ErrCorrupt = errors.New("cache: corrupt entry")
	// ErrUnavailable is returned (inside an *OpError) in fail-closed mode while the circuit
	// breaker is open. A store failure itself comes back in fail-closed mode as an *OpError
	// carrying the store's error.
	ErrUnavailable = errors.New("cache: store unavailable")
	// ErrMismatch is returned by SetMany when keys and values differ in length.
	ErrMismatch = errors.New("cache: keys and values differ in length")
)

// OpError describes a store failure: the operation, the key or tags involved, and the cause.
// It is what Config.OnError receives, and what fail-closed calls return (wrapping ErrUnavailable
// when the breaker is open).
type OpError struct {
	Op  string // "get", "set", "fill", "delete", "invalidate", "tags", "lock"
	Key string // the caller's key, or the tags joined by ","
	Err error
}

// Error reports the operation, the key and the cause.
func (e *OpError) Error() string {
	return fmt.Sprintf("cache: %s %q: %v", e.Op, e.Key, e.Err)
}

// Unwrap returns the cause.
func (e *OpError) Unwrap() error { return e.Err }
