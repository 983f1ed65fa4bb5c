package rediscache

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"
	"github.com/redis/rueidis"

	"github.com/buttress-go/buttress/cache"
)

// Config holds a Store's optional settings. A nil *Config means defaults.
type Config struct {
	// Prefix starts every Redis key the store writes. Default "bc:". Entry keys are
	// Prefix+"e:"+namespace+":"+key, tag keys Prefix+"t:"+tag.
	Prefix string
	// LocalTTL is how long rueidis keeps a client-side cached copy of an entry or tag version
	// (the server's invalidation push drops it earlier when the key changes). Default 1m.
	LocalTTL time.Duration
	// TagTTL is the lifetime of a tag version key, set when the tag is created or invalidated
	// (reads do not extend it). A tag key that expires is a safe invalidation: its entries
	// become misses and are refilled, so a tag that is never invalidated drops its entries once
	// per TagTTL. Default 24h; a negative value keeps tag keys forever (memory then grows with
	// the number of distinct tags).
	TagTTL time.Duration
	// MemoEntries bounds the decoded-value memo (entries decoded once and reused while the
	// stored bytes are the same write). Default 10,000.
	MemoEntries int
	// FillLock enables the distributed fill lock (at most one load per key across processes;
	// waiters are woken by Redis's invalidation push). It needs a store made by Open. Default
	// false.
	FillLock bool
	// FillLockTTL is how long a fill lock is held at most (it expires if its holder dies).
	// Default 10s.
	FillLockTTL time.Duration
	// FillLockWait is how long a process waits for another's fill before loading itself.
	// Default 5s.
	FillLockWait time.Duration
}

func (c *Config) withDefaults() (Config, error) {
	var cfg Config
	if c != nil {
		cfg = *c
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "bc:"
	}
	for name, d := range map[string]*time.Duration{"LocalTTL": &cfg.LocalTTL, "FillLockTTL": &cfg.FillLockTTL, "FillLockWait": &cfg.FillLockWait} {
		if *d < 0 {
			return cfg, fmt.Errorf("rediscache: Config.%s must be >= 0, got %v", name, *d)
		}
	}
	if cfg.LocalTTL == 0 {
		cfg.LocalTTL = time.Minute
	}
	if cfg.TagTTL == 0 {
		cfg.TagTTL = 24 * time.Hour
	}
	if cfg.MemoEntries < 0 {
		return cfg, fmt.Errorf("rediscache: Config.MemoEntries must be >= 0, got %d", cfg.MemoEntries)
	}
	if cfg.MemoEntries == 0 {
		cfg.MemoEntries = 10_000
	}
	if cfg.FillLockTTL == 0 {
		cfg.FillLockTTL = 10 * time.Second
	}
	if cfg.FillLockWait == 0 {
		cfg.FillLockWait = 5 * time.Second
	}
	return cfg, nil
}

// Store is a cache.Store on Redis through rueidis. Create it with New or Open.
type Store struct {
	client  rueidis.Client
	owned   bool
	cfg     Config
	cluster bool
	memo    *otter.Cache[string, *memo]
	own     *ownWrites
	epoch   atomic.Uint64
	locks   *lockWaits // nil without FillLock
	tags    *tagLayer  // nil unless made by Open
	keys    *keyCmds
}

type memo struct {
	nonce   uint64
	e       *cache.Entry
	tagKeys []string            // Redis keys of e.Tags, built once
	tagGets []rueidis.Cacheable // their pinned client-side-cached GETs
}

var (
	_ cache.Store      = (*Store)(nil)
	_ cache.Epocher    = (*Store)(nil)
	_ cache.FillLocker = (*Store)(nil)
)

// New returns a Store using client, which must have client-side caching enabled (the rueidis
// default). The caller keeps ownership of client. Config.FillLock needs Open instead.
func New(client rueidis.Client, cfg *Config) (*Store, error) {
	if client == nil {
		return nil, errors.New("rediscache: client must not be nil")
	}
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if c.FillLock {
		return nil, errors.New("rediscache: Config.FillLock needs the invalidation hook that Open installs: use Open")
	}
	return newStore(client, c, nil)
}

// Open creates the rueidis client from opt and returns a Store owning it (Close closes it).
// It installs an invalidation hook (chained to opt.OnInvalidations) through which the store
// keeps its own push-invalidated copy of tag versions, so a warm tag check is a map lookup
// rather than a DoCache call, and which wakes fill-lock waiters (Config.FillLock).
func Open(opt rueidis.ClientOption, cfg *Config) (*Store, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	lw := newLockWaits()
	tl := newTagLayer(c.MemoEntries * 4)
	prev := opt.OnInvalidations
	opt.OnInvalidations = func(msgs []rueidis.RedisMessage) {
		tl.invalidated(msgs)
		lw.invalidated(msgs)
		if prev != nil {
			prev(msgs)
		}
	}
	client, err := rueidis.NewClient(opt)
	if err != nil {
		return nil, fmt.Errorf("rediscache: %w", err)
	}
	if !c.FillLock {
		lw = nil
	}
	s, err := newStore(client, c, lw)
	if err != nil {
		client.Close()
		return nil, err
	}
	s.owned = true
	s.tags = tl
	return s, nil
}

func newStore(client rueidis.Client, c Config, lw *lockWaits) (*Store, error) {
	memoCache, err := otter.New(&otter.Options[string, *memo]{MaximumSize: c.MemoEntries})
	if err != nil {
		return nil, fmt.Errorf("rediscache: %w", err)
	}
	return &Store{
		client:  client,
		cfg:     c,
		cluster: client.Mode() == rueidis.ClientModeCluster,
		memo:    memoCache,
		own:     newOwnWrites(c.LocalTTL+time.Second, max(4*c.MemoEntries, 1024)),
		locks:   lw,
		keys:    newKeyCmds(c.MemoEntries),
	}, nil
}

// Client returns the rueidis client.
func (s *Store) Client() rueidis.Client { return s.client }

// Close closes the client if the Store owns it (Open); otherwise it does nothing.
func (s *Store) Close() {
	if s.owned {
		s.client.Close()
	}
}

// Epoch counts the Delete and InvalidateTags calls made through the store in this process.
func (s *Store) Epoch() uint64 { return s.epoch.Load() }

func (s *Store) entryKey(k cache.Key) string {
	return s.cfg.Prefix + "e:" + k.Namespace + ":" + k.Name
}

func (s *Store) tagKey(tag string) string { return s.cfg.Prefix + "t:" + tag }

// newVersion returns a random tag version or entry nonce, never tokAbsent nor tokUnknown.
func newVersion() uint64 {
	for {
		if v := rand.Uint64(); v != tokAbsent && v != tokUnknown {
			return v
		}
	}
}

// read returns the raw bytes under key, through the client-side cache unless that may predate
// this process's own write of key; ok is false when the key does not exist.
func (s *Store) read(ctx context.Context, key string, get rueidis.Cacheable) (raw string, ok bool, err error) {
	raw, ok, err = rawResult(s.client.DoCache(ctx, get, s.cfg.LocalTTL))
	if err != nil {
		return "", false, err
	}
	if gen, verify := s.own.check(key, entryToken(raw, ok)); verify {
		raw, ok, err = rawResult(s.client.Do(ctx, s.client.B().Get().Key(key).Build()))
		if err != nil {
			return "", false, err
		}
		s.own.confirm(key, gen, entryToken(raw, ok))
	}
	return raw, ok, nil
}

// rawResult returns a GET's bytes; ok is false when the key does not exist.
func rawResult(r rueidis.RedisResult) (raw string, ok bool, err error) {
	raw, err = r.ToString()
	if err != nil {
		if rueidis.IsRedisNil(err) {
			return "", false, nil
		}
		return "", false, err
	}
	return raw, true, nil
}

// entryToken identifies the write that stored raw (its nonce) for own-write coherence.
func entryToken(raw string, ok bool) uint64 {
	if !ok {
		return tokAbsent
	}
	if nonce, ok := entryNonce(raw); ok {
		return nonce
	}
	return tokUnknown
}

// versionResult returns a GET of a tag key as a version (tokAbsent when missing or malformed).
func versionResult(r rueidis.RedisResult) (uint64, error) {
	str, err := r.ToString()
	if err != nil {
		if rueidis.IsRedisNil(err) {
			return tokAbsent, nil
		}
		return 0, err
	}
	return parseVersion(str), nil
}

// Get returns the entry under key if its tag versions are current.
func (s *Store) Get(ctx context.Context, k cache.Key, vc cache.ValueCodec) (*cache.Entry, error) {
	kc := s.entryCmd(k)
	key := kc.key
	raw, ok, err := s.read(ctx, key, kc.get)
	if err != nil || !ok {
		return nil, err
	}
	m, err := s.decode(key, raw, vc)
	if err != nil {
		return nil, err
	}
	ok, err = s.current(ctx, m)
	if err != nil || !ok {
		return nil, err
	}
	return m.e, nil
}

// current reports whether every tag of m still has the version m.e was computed with. Each
// tag is read on its own: on a warm tag layer or client-side cache that is a local lookup, and
// cheaper than DoMultiCache's batching for the few tags an entry carries.
func (s *Store) current(ctx context.Context, m *memo) (bool, error) {
	for i, tk := range m.tagKeys {
		v, err := s.tagVersion(ctx, tk, m.tagGets[i])
		if err != nil {
			return false, err
		}
		if v == tokAbsent || v != m.e.Versions[i] { // a missing or malformed tag matches nothing
			return false, nil
		}
	}
	return true, nil
}

// tagVersion returns the current version of tag key tk (tokAbsent when missing): from the tag
// layer (Open) unless this process wrote tk and the layer may not have caught up, else through
// the client-side cache, checked against this process's own writes.
func (s *Store) tagVersion(ctx context.Context, tk string, get rueidis.Cacheable) (uint64, error) {
	if s.tags != nil && !s.own.pending(tk) {
		if v, ok := s.tags.get(tk); ok {
			return v, nil
		}
	}
	var seq0 uint64
	if s.tags != nil {
		seq0 = s.tags.seq.Load() // before the read: see tagLayer
	}
	v, err := versionResult(s.client.DoCache(ctx, get, s.cfg.LocalTTL))
	if err != nil {
		return 0, err
	}
	if gen, verify := s.own.check(tk, v); verify {
		if s.tags != nil {
			seq0 = s.tags.seq.Load()
		}
		if v, err = versionResult(s.client.Do(ctx, s.client.B().Get().Key(tk).Build())); err != nil {
			return 0, err
		}
		s.own.confirm(tk, gen, v)
	}
	if s.tags != nil && v != tokAbsent {
		s.tags.store(tk, v, seq0)
	}
	return v, nil
}

// decode turns raw into an Entry, reusing the memo when raw is the write it decoded last.
func (s *Store) decode(key, raw string, vc cache.ValueCodec) (*memo, error) {
	nonce, ok := entryNonce(raw)
	if !ok {
		return nil, fmt.Errorf("%w: %s: not a cache entry", cache.ErrCorrupt, key)
	}
	if m, ok := s.memo.GetIfPresent(key); ok && m.nonce == nonce {
		return m, nil
	}
	e, nonce, payload, err := decodeEntry(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", cache.ErrCorrupt, key, err)
	}
	if !e.Negative {
		v, err := vc.Decode([]byte(payload))
		if err != nil {
			if !errors.Is(err, cache.ErrCorrupt) {
				err = fmt.Errorf("%w: %w", cache.ErrCorrupt, err)
			}
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		e.Value = v
	}
	m := s.newMemo(nonce, e)
	s.memo.Set(key, m)
	return m, nil
}

func (s *Store) newMemo(nonce uint64, e *cache.Entry) *memo {
	m := &memo{nonce: nonce, e: e}
	if len(e.Tags) > 0 {
		m.tagKeys = make([]string, len(e.Tags))
		m.tagGets = make([]rueidis.Cacheable, len(e.Tags))
		for i, t := range e.Tags {
			m.tagKeys[i] = s.tagKey(t)
			m.tagGets[i] = s.client.B().Get().Key(m.tagKeys[i]).Cache().Pin()
		}
	}
	return m
}

// readTags returns the current version of each tag (0 when missing), through the client-side
// cache, re-read from the server where that may predate this process's own write.
func (s *Store) readTags(ctx context.Context, tags []string) ([]uint64, error) {
	out := make([]uint64, len(tags))
	keys := make([]string, len(tags))
	cts := make([]rueidis.CacheableTTL, len(tags))
	for i, t := range tags {
		keys[i] = s.tagKey(t)
		cts[i] = rueidis.CT(s.client.B().Get().Key(keys[i]).Cache(), s.cfg.LocalTTL)
	}
	var verify []int
	var gens []uint64
	var cmds rueidis.Commands
	for i, r := range s.client.DoMultiCache(ctx, cts...) {
		v, err := versionResult(r)
		if err != nil {
			return nil, err
		}
		out[i] = v
		if gen, ok := s.own.check(keys[i], v); ok {
			verify, gens = append(verify, i), append(gens, gen)
			cmds = append(cmds, s.client.B().Get().Key(keys[i]).Build())
		}
	}
	if len(cmds) == 0 {
		return out, nil
	}
	for j, r := range s.client.DoMulti(ctx, cmds...) {
		v, err := versionResult(r)
		if err != nil {
			return nil, err
		}
		i := verify[j]
		out[i] = v
		s.own.confirm(keys[i], gens[j], v)
	}
	return out, nil
}

// parseVersion parses a 16-hex-digit version; anything else is 0 (a mismatch).
func parseVersion(s string) uint64 {
	if len(s) != 16 {
		return 0
	}
	var v uint64
	for i := 0; i < 16; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			return 0
		}
		v = v<<4 | uint64(c)
	}
	return v
}

func formatVersion(v uint64) string {
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = digits[v&15]
		v >>= 4
	}
	return string(b[:])
}

// GetMany returns the entries under keys (nil where missing or stale).
func (s *Store) GetMany(ctx context.Context, keys []cache.Key, vc cache.ValueCodec) ([]*cache.Entry, error) {
	out := make([]*cache.Entry, len(keys))
	cts := make([]rueidis.CacheableTTL, len(keys))
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = s.entryKey(k)
		cts[i] = rueidis.CT(s.client.B().Get().Key(names[i]).Cache(), s.cfg.LocalTTL)
	}
	rs := s.client.DoMultiCache(ctx, cts...)
	var corrupt error
	for i, r := range rs {
		raw, ok, err := rawResult(r)
		if err != nil {
			return nil, err
		}
		if gen, verify := s.own.check(names[i], entryToken(raw, ok)); verify {
			raw, ok, err = rawResult(s.client.Do(ctx, s.client.B().Get().Key(names[i]).Build()))
			if err != nil {
				return nil, err
			}
			s.own.confirm(names[i], gen, entryToken(raw, ok))
		}
		if !ok {
			continue
		}
		m, err := s.decode(names[i], raw, vc)
		if err != nil {
			corrupt = err
			continue
		}
		ok, err = s.current(ctx, m)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		e := m.e
		out[i] = e
	}
	// A corrupt entry is a miss; the error (wrapping cache.ErrCorrupt) reaches the error hook
	// while the good entries are still returned.
	return out, corrupt
}
