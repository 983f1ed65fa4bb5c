package cache

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"
)

// MemoryConfig holds a MemoryStore's optional settings. A nil *MemoryConfig means defaults.
type MemoryConfig struct {
	// MaxEntries bounds the number of entries. Default 100,000. Ignored when MaxBytes is set.
	MaxEntries int
	// MaxBytes, when > 0, bounds the estimated size of the entries instead of their number
	// (see Weigh).
	MaxBytes uint64
	// Weigh estimates an entry's size in bytes for MaxBytes. Default: the length of []byte and
	// string values plus the key and tag lengths plus 128 bytes of overhead.
	Weigh func(key Key, e *Entry) uint32
	// MaxTags bounds the number of tag versions held. An evicted tag version is a safe
	// invalidation: entries carrying it become misses. Default max(10,000, MaxEntries).
	MaxTags int
}

// MemoryStore is the in-process Store: bounded, with W-TinyLFU eviction (otter v2), values
// kept decoded (a hit neither decodes nor allocates), tag versions held locally. Create it
// with NewMemoryStore.
//
// It is built on github.com/maypok86/otter/v2 rather than a home-grown map: otter's
// W-TinyLFU (adaptive window, count-min sketch admission) keeps the hit ratio of Caffeine, and
// its reads are lock-free and allocation-free, which is what a cache hit needs.
type MemoryStore struct {
	entries *otter.Cache[Key, memEntry]
	tags    *otter.Cache[string, *tagState]
	next    atomic.Uint64
	epoch   atomic.Uint64
}

// memEntry is an Entry with pointers to its tags' states. otter holds it by value, so what a
// Get hit needs (the value, its freshness, the first tag check) sits in otter's own node: a hit
// loads the node and the tag state, never the Entry (see peek).
type memEntry struct {
	e          *Entry
	value      any // e.Value
	freshUntil int64
	negative   bool
	first      tagCheck
	rest       []tagCheck
}

// tagCheck is one tag of an entry: its state and the version the entry was computed with.
type tagCheck struct {
	st *tagState
	v  uint64
}

// tagState holds a tag's current version; 0 once the tag was evicted from the tag map (every
// entry pointing at it is then stale: versions are never 0).
type tagState struct{ v atomic.Uint64 }

var (
	_ Store   = (*MemoryStore)(nil)
	_ Epocher = (*MemoryStore)(nil)
)

// Epoch counts the Delete and InvalidateTags calls made on the store.
func (s *MemoryStore) Epoch() uint64 { return s.epoch.Load() }

// NewMemoryStore returns a MemoryStore with cfg's settings (nil = defaults).
func NewMemoryStore(cfg *MemoryConfig) (*MemoryStore, error) {
	var c MemoryConfig
	if cfg != nil {
		c = *cfg
	}
	if c.MaxEntries < 0 {
		return nil, fmt.Errorf("cache: MemoryConfig.MaxEntries must be >= 0, got %d", c.MaxEntries)
	}
	if c.MaxTags < 0 {
		return nil, fmt.Errorf("cache: MemoryConfig.MaxTags must be >= 0, got %d", c.MaxTags)
	}
	if c.MaxEntries == 0 {
		c.MaxEntries = 100_000
	}
	if c.MaxTags == 0 {
		c.MaxTags = max(10_000, c.MaxEntries)
	}
	clock := otter.NewCoarseClock(time.Millisecond) // a hit reads no precise time
	o := &otter.Options[Key, memEntry]{
		Clock: clock,
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[Key, memEntry]) time.Duration {
			return time.Duration(e.Value.e.ExpiresAt() - time.Now().UnixNano())
		}),
	}
	if c.MaxBytes > 0 {
		w := c.Weigh
		if w == nil {
			w = defaultWeigh
		}
		o.MaximumWeight = c.MaxBytes
		o.Weigher = func(k Key, m memEntry) uint32 { return w(k, m.e) }
	} else {
		o.MaximumSize = c.MaxEntries
	}
	entries, err := otter.New(o)
	if err != nil {
		return nil, fmt.Errorf("cache: memory store: %w", err)
	}
	tags, err := otter.New(&otter.Options[string, *tagState]{
		MaximumSize: c.MaxTags,
		OnAtomicDeletion: func(e otter.DeletionEvent[string, *tagState]) {
			e.Value.v.Store(0)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("cache: memory store: %w", err)
	}
	s := &MemoryStore{entries: entries, tags: tags}
	s.next.Store(rand.Uint64() >> 1)
	return s, nil
}

func defaultWeigh(k Key, e *Entry) uint32 {
	n := 128 + len(k.Namespace) + len(k.Name)
	switch v := e.Value.(type) {
	case []byte:
		n += len(v)
	case string:
		n += len(v)
	}
	for _, t := range e.Tags {
		n += len(t) + 8
	}
	return uint32(min(n, 1<<31))
}

// version returns a version never returned before by this store (never 0).
func (s *MemoryStore) version() uint64 {
	for {
		if v := s.next.Add(1); v != 0 {
			return v
		}
	}
}

// Len returns the number of entries held (an estimate while evictions are pending).
func (s *MemoryStore) Len() int { return s.entries.EstimatedSize() }

// Get returns the entry under key if its tag versions are current.
func (s *MemoryStore) Get(_ context.Context, key Key, _ ValueCodec) (*Entry, error) {
	m, ok := s.entries.GetIfPresent(key)
	if !ok || !m.current() {
		return nil, nil
	}
	return m.e, nil
}

// peek is Get for Cache.Get's hit path: the value and freshness of key's entry if its tags are
// current, read from otter's node alone.
func (s *MemoryStore) peek(key Key) (value any, freshUntil int64, negative, ok bool) {
	m, ok := s.entries.GetIfPresent(key)
	if !ok || !m.current() {
		return nil, 0, false, false
	}
	return m.value, m.freshUntil, m.negative, true
}

func (m *memEntry) current() bool {
	if m.first.st == nil {
		return true
	}
	if m.first.st.v.Load() != m.first.v {
		return false
	}
	for _, c := range m.rest {
		if c.st.v.Load() != c.v {
			return false
		}
	}
	return true
}

// tag returns the state of tag t, creating it (with a new version) when missing.
func (s *MemoryStore) tag(t string) *tagState {
	if st, ok := s.tags.GetIfPresent(t); ok {
		return st
	}
	st := &tagState{}
	st.v.Store(s.version())
	st, _ = s.tags.SetIfAbsent(t, st)
	return st
}

func (s *MemoryStore) wrap(e *Entry) (memEntry, error) {
	if err := checkEntry(e); err != nil {
		return memEntry{}, err
	}
	cp := *e
	m := memEntry{e: &cp, value: cp.Value, freshUntil: cp.FreshUntil, negative: cp.Negative}
	if len(e.Tags) > 1 {
		m.rest = make([]tagCheck, len(e.Tags)-1)
	}
	for i, t := range e.Tags {
		if t == "" {
			return memEntry{}, ErrEmptyTag
		}
		c := tagCheck{st: s.tag(t), v: e.Versions[i]}
		if i == 0 {
			m.first = c
		} else {
			m.rest[i-1] = c
		}
	}
	return m, nil
}

// GetMany returns the entries under keys (nil where missing).
func (s *MemoryStore) GetMany(ctx context.Context, keys []Key, vc ValueCodec) ([]*Entry, error) {
	out := make([]*Entry, len(keys))
	for i, k := range keys {
		out[i], _ = s.Get(ctx, k, vc)
	}
	return out, nil
}

// Set stores e under key.
func (s *MemoryStore) Set(_ context.Context, key Key, e *Entry, _ ValueCodec) error {
	m, err := s.wrap(e)
	if err != nil {
		return err
	}
	s.entries.Set(key, m)
	return nil
}

// SetMany stores each entry under its key.
func (s *MemoryStore) SetMany(_ context.Context, keys []Key, es []*Entry, _ ValueCodec) error {
	if len(keys) != len(es) {
		return ErrMismatch
	}
	ms := make([]memEntry, len(es))
	for i, e := range es {
		m, err := s.wrap(e)
		if err != nil {
			return err
		}
		ms[i] = m
	}
	for i, k := range keys {
		s.entries.Set(k, ms[i])
	}
	return nil
}

// Fill stores e only if its tag versions are still current. (A racing invalidation that lands
// after the check still wins: Get compares the versions again.)
func (s *MemoryStore) Fill(_ context.Context, key Key, e *Entry, _ ValueCodec) (bool, error) {
	m, err := s.wrap(e)
	if err != nil {
		return false, err
	}
	if !m.current() {
		return false, nil
	}
	s.entries.Set(key, m)
	return true, nil
}

// Delete removes keys.
func (s *MemoryStore) Delete(_ context.Context, keys ...Key) error {
	s.epoch.Add(1)
	for _, k := range keys {
		s.entries.Invalidate(k)
	}
	return nil
}

// TagVersions returns the current version of each tag, creating missing ones.
func (s *MemoryStore) TagVersions(_ context.Context, tags []string) ([]uint64, error) {
	out := make([]uint64, len(tags))
	for i, t := range tags {
		if t == "" {
			return nil, ErrEmptyTag
		}
		out[i] = s.tag(t).v.Load()
	}
	return out, nil
}

// InvalidateTags gives each tag a new version.
func (s *MemoryStore) InvalidateTags(_ context.Context, tags ...string) error {
	for _, t := range tags {
		if t == "" {
			return ErrEmptyTag
		}
	}
	s.epoch.Add(1)
	for _, t := range tags {
		st := s.tag(t)
		st.v.Store(s.version())
	}
	return nil
}

func checkEntry(e *Entry) error {
	if e == nil {
		return fmt.Errorf("cache: nil entry")
	}
	if len(e.Tags) != len(e.Versions) {
		return fmt.Errorf("cache: entry has %d tags but %d versions", len(e.Tags), len(e.Versions))
	}
	return nil
}

// Close stops the store's maintenance goroutines (otter's periodic clean-up). The store stays
// usable; expired entries are then dropped on access or eviction only.
func (s *MemoryStore) Close() {
	s.entries.StopAllGoroutines()
	s.tags.StopAllGoroutines()
}
