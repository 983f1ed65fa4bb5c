package dbrouter

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
)

// Shards spreads data over several clusters (each a [Router]: a primary and its replicas) by key.
// A request fixes its shard once in its ctx ([Shards.WithShard]); asking for another shard in the
// same ctx, or running a query or transaction with that ctx on another shard's Router, is refused
// with [ErrCrossShard], so a request or transaction can never span shards. Routers that are not
// among the shards (a cluster of global tables, say) take the ctx as usual.
type Shards struct {
	clusters []*Router
	fn       func(key string, n int) int
}

// ShardsConfig holds the optional settings of [NewShards].
type ShardsConfig struct {
	// ShardFunc maps a key to a cluster index in [0, n). Default: FNV-1a 64 of the key, then
	// [JumpHash], which moves only 1/n of the keys when a cluster is added at the end.
	ShardFunc func(key string, n int) int
}

// NewShards returns shards over clusters (at least one, none nil).
func NewShards(clusters []*Router, cfg *ShardsConfig) (*Shards, error) {
	if len(clusters) == 0 {
		return nil, fmt.Errorf("%w: NewShards needs at least one cluster", ErrBadConfig)
	}
	for i, c := range clusters {
		if c == nil {
			return nil, fmt.Errorf("%w: NewShards clusters[%d] is nil", ErrBadConfig, i)
		}
	}
	s := &Shards{clusters: append([]*Router(nil), clusters...), fn: defaultShardFunc}
	if cfg != nil && cfg.ShardFunc != nil {
		s.fn = cfg.ShardFunc
	}
	return s, nil
}

func defaultShardFunc(key string, n int) int {
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	return JumpHash(h.Sum64(), n)
}

// JumpHash is Lamping and Veach's jump consistent hash: it maps key to a bucket in [0, buckets)
// so that growing buckets by one moves only 1/buckets of the keys. buckets < 1 returns -1.
func JumpHash(key uint64, buckets int) int {
	if buckets < 1 {
		return -1
	}
	var b, j int64 = -1, 0
	for j < int64(buckets) {
		b = j
		key = key*2862933555777941757 + 1
		j = int64(float64(b+1) * (float64(int64(1)<<31) / float64((key>>33)+1)))
	}
	return int(b)
}

// Len returns the number of clusters.
func (s *Shards) Len() int { return len(s.clusters) }

// Index returns the cluster index of key; [ErrUnknownShard] for an empty key or a ShardFunc
// result out of range.
func (s *Shards) Index(key string) (int, error) {
	if key == "" {
		return -1, fmt.Errorf("%w: empty shard key", ErrUnknownShard)
	}
	i := s.fn(key, len(s.clusters))
	if i < 0 || i >= len(s.clusters) {
		return -1, fmt.Errorf("%w: ShardFunc(%q) = %d, want 0..%d", ErrUnknownShard, key, i, len(s.clusters)-1)
	}
	return i, nil
}

// WithShard fixes the ctx's shard to the one owning key. Calling it again with a key of the same
// shard is a no-op; a key of another shard returns [ErrCrossShard].
func (s *Shards) WithShard(ctx context.Context, key string) (context.Context, error) {
	i, err := s.Index(key)
	if err != nil {
		return ctx, err
	}
	if sc := scopeFrom(ctx); sc != nil && sc.shards == s {
		if sc.shard != i {
			return ctx, fmt.Errorf("%w: ctx is on shard %d, key %q belongs to shard %d", ErrCrossShard, sc.shard, key, i)
		}
		return ctx, nil
	}
	return withScope(ctx, func(sc *scope) { sc.shards, sc.shard = s, i }), nil
}

// Router returns the cluster fixed in ctx by WithShard; [ErrNoShard] if none.
func (s *Shards) Router(ctx context.Context) (*Router, error) {
	if sc := scopeFrom(ctx); sc != nil && sc.shards == s {
		return s.clusters[sc.shard], nil
	}
	return nil, ErrNoShard
}

// BeginTxx begins a transaction on the ctx's shard after checking that every key given belongs
// to it: a transaction touching keys of two shards is refused with [ErrCrossShard] before
// anything runs.
func (s *Shards) BeginTxx(ctx context.Context, opts *sql.TxOptions, keys ...string) (*Tx, error) {
	for _, k := range keys {
		var err error
		if ctx, err = s.WithShard(ctx, k); err != nil {
			return nil, err
		}
	}
	r, err := s.Router(ctx)
	if err != nil {
		return nil, err
	}
	return r.BeginTxx(ctx, opts)
}

// Close closes every cluster's router.
func (s *Shards) Close() error {
	for _, c := range s.clusters {
		_ = c.Close()
	}
	return nil
}

// checkShard refuses a ctx fixed to one shard on another shard's Router.
func (r *Router) checkShard(sc *scope) error {
	if sc == nil || sc.shards == nil || sc.shards.clusters[sc.shard] == r {
		return nil
	}
	for i, c := range sc.shards.clusters {
		if c == r {
			return fmt.Errorf("%w: ctx is fixed to shard %d, this router is shard %d", ErrCrossShard, sc.shard, i)
		}
	}
	return nil
}
