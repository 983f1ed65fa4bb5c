package httpcache

import (
	"context"

	"github.com/buttress-go/buttress/cache"
)

// guardStore wraps the user's cache.Store so that a page is stored with the tag versions read
// when its handler attached the tags, through Store.Fill: if a tag was invalidated while the
// handler ran, the store refuses the page (cache's "no stale fills" rule, extended to tags
// that are only known once the handler has run). Everything else passes through.
type guardStore struct {
	cache.Store
}

var _ cache.Store = guardStore{}

// pinned travels in the ctx of one Cache.Set call.
type pinned struct {
	tags     []string
	versions []uint64
	stored   bool
}

type pinnedKey struct{}

// TagVersions returns the pinned versions when the call is for exactly the pinned tags.
func (g guardStore) TagVersions(ctx context.Context, tags []string) ([]uint64, error) {
	if p, ok := ctx.Value(pinnedKey{}).(*pinned); ok && equalStrings(p.tags, tags) {
		return p.versions, nil
	}
	return g.Store.TagVersions(ctx, tags)
}

// Set turns a pinned write into a Fill.
func (g guardStore) Set(ctx context.Context, key cache.Key, e *cache.Entry, vc cache.ValueCodec) error {
	p, ok := ctx.Value(pinnedKey{}).(*pinned)
	if !ok {
		return g.Store.Set(ctx, key, e, vc)
	}
	stored, err := g.Store.Fill(ctx, key, e, vc)
	p.stored = stored && err == nil
	return err
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
