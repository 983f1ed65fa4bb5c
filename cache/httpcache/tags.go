package httpcache

import (
	"context"
	"net/http"
	"slices"
	"sync"

	"github.com/buttress-go/buttress/cache"
)

// pageState is what the middleware records about the response being generated: the tags the
// handler attached and the tag versions read when they were attached.
type pageState struct {
	store cache.Store

	mu       sync.Mutex
	tags     []string
	versions []uint64
	failed   error // a TagVersions failure: the page is served but not stored
}

type pageStateKey struct{}

// add records tags (ignoring empty and repeated ones) and snapshots their current versions, so
// that an invalidation of one of them between now and the end of the handler keeps the page
// from being stored.
func (s *pageState) add(ctx context.Context, tags []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var fresh []string
	for _, t := range tags {
		if t != "" && !slices.Contains(s.tags, t) && !slices.Contains(fresh, t) {
			fresh = append(fresh, t)
		}
	}
	if len(fresh) == 0 || s.failed != nil {
		return
	}
	vers, err := s.store.TagVersions(ctx, fresh)
	if err != nil {
		s.failed = err
		return
	}
	s.tags = append(s.tags, fresh...)
	s.versions = append(s.versions, vers...)
}

func (s *pageState) snapshot() ([]string, []uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.tags), slices.Clone(s.versions), s.failed
}

// AddTags attaches tags to the page being generated for ctx's request, so that
// InvalidateTags on any of them (through any cache.Cache sharing the store) drops the stored
// page. It reports whether a page is being recorded (false outside the middleware, on a bypass,
// or for an empty tag list), and is safe for concurrent use.
//
// Call it before reading the data the tags stand for: the tags' versions are read when they
// are attached, and a page whose tags were invalidated after that is served but not stored.
func AddTags(ctx context.Context, tags ...string) bool {
	s, ok := ctx.Value(pageStateKey{}).(*pageState)
	if !ok || len(tags) == 0 {
		return false
	}
	s.add(ctx, tags)
	return true
}

// AddResponseTags is AddTags for handlers that hold the ResponseWriter rather than the request:
// it finds the middleware's writer through Unwrap() chains. It reports whether a page is being
// recorded.
func AddResponseTags(w http.ResponseWriter, tags ...string) bool {
	for w != nil {
		if rec, ok := w.(*recorder); ok {
			if len(tags) == 0 {
				return false
			}
			rec.state.add(rec.req.Context(), tags)
			return true
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
	return false
}
