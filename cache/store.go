package cache

import "context"

// Store is the backend of a [Cache]: the in-process [MemoryStore], rediscache.Store, or a
// third-party implementation (run cache/cachetest against it).
//
// A Store holds entries under a [Key] and a version per tag. It is shared by any number of
// Cache values (with different prefixes or value types); tags are global to the store, so
// invalidating a tag drops every entry carrying it whatever Cache stored it.
//
// Contract (checked by cachetest):
//   - Get and GetMany return an entry only if every tag version recorded in it
//     ([Entry.Versions]) is still the tag's current version; otherwise a miss (nil, nil). Entries returned are shared and must not be modified.
//   - TagVersions returns the current version of each tag, creating missing ones. A version is
//     never 0 and never reused by the same tag.
//   - InvalidateTags gives each tag a new version, so that every entry stored with an older one
//     is a miss from the moment the call returns, in this process and (for shared stores) in
//     every other.
//   - Fill stores e only if the versions in e.Versions are still current (a load that raced an
//     invalidation is not stored) and reports whether it stored.
//   - Set stores e unconditionally (e.Versions were read by the caller just before).
//   - A store that serialises values uses the [ValueCodec] it is given. A corrupt stored value
//     is reported as an error wrapping [ErrCorrupt] (the Cache treats it as a miss and calls the
//     error hook); GetMany may return its other entries alongside such an error.
//   - Entries may be dropped at any time (eviction) and after [Entry.ExpiresAt]; the Cache
//     checks FreshUntil, StaleUntil and ErrorUntil itself.
type Store interface {
	Get(ctx context.Context, key Key, vc ValueCodec) (*Entry, error)
	GetMany(ctx context.Context, keys []Key, vc ValueCodec) ([]*Entry, error)
	Set(ctx context.Context, key Key, e *Entry, vc ValueCodec) error
	SetMany(ctx context.Context, keys []Key, es []*Entry, vc ValueCodec) error
	Fill(ctx context.Context, key Key, e *Entry, vc ValueCodec) (stored bool, err error)
	Delete(ctx context.Context, keys ...Key) error
	TagVersions(ctx context.Context, tags []string) ([]uint64, error)
	InvalidateTags(ctx context.Context, tags ...string) error
}

// Epocher is an optional Store interface: Epoch returns a counter that grows on every Delete and
// InvalidateTags made through the store in this process. A Cache uses it so that a caller
// arriving after an invalidation never joins a load that started before it, and so that an
// untagged load that raced a Delete is not stored.
type Epocher interface {
	Epoch() uint64
}

// FillLocker is an optional Store interface for a distributed fill lock. Before loading key,
// a Cache calls AwaitFill: the store either takes the lock (e == nil; call release after the
// fill), or waits for the lock holder's fill and returns the entry it stored (waited = true).
// When the wait gives up it returns (nil, false, release, nil) and the caller loads anyway.
type FillLocker interface {
	AwaitFill(ctx context.Context, key Key, vc ValueCodec) (e *Entry, waited bool, release func(), err error)
}

// Key names an entry: Namespace is "prefix:version" of the Cache that stores it, Name is the
// caller's key (or its hash when over-long). Stores that need one string use [Key.String].
type Key struct {
	Namespace string
	Name      string
}

// String returns "namespace:name".
func (k Key) String() string {
	if k.Namespace == "" {
		return k.Name
	}
	return k.Namespace + ":" + k.Name
}

// Entry is a stored value with its metadata. Times are Unix nanoseconds.
type Entry struct {
	// Value is the decoded value (nil for a negative entry).
	Value any
	// Negative marks a "not found" entry.
	Negative bool
	// Tags and Versions (same length): the entry's tags and their versions when the value was
	// computed.
	Tags     []string
	Versions []uint64
	// FreshUntil: until then the entry is fresh.
	FreshUntil int64
	// StaleUntil: until then a stale entry may be served while it is refreshed in the background
	// (stale-while-revalidate). StaleUntil >= FreshUntil.
	StaleUntil int64
	// ErrorUntil: until then a stale entry may be served when the loader fails
	// (stale-if-error). ErrorUntil >= FreshUntil.
	ErrorUntil int64
	// Delta is how long the load took, in nanoseconds (for probabilistic early recomputation).
	Delta int64
}

// ExpiresAt is when the store may drop the entry: the last of FreshUntil, StaleUntil and
// ErrorUntil.
func (e *Entry) ExpiresAt() int64 {
	return max(e.FreshUntil, e.StaleUntil, e.ErrorUntil)
}

// ValueCodec encodes and decodes one Cache's values; a Cache passes its own to the store on
// every call. Stores that keep values in memory ignore it.
type ValueCodec interface {
	Encode(v any) ([]byte, error)
	Decode(b []byte) (any, error)
}
