package main

import (
	"context"
	"errors"

	"github.com/buttress-go/buttress/cache"
	"github.com/buttress-go/buttress/dbrouter"
)

// Cache tags. Every cached page, fragment and product entry carries the tags of the products it
// shows, so an edit drops exactly what showed the edited product.
const (
	tagProducts    = "products" // listings (a new product changes every page after it)
	tagBestSellers = "best-sellers"
	catalogKey     = "token"
)

func productTag(id int64) string { return "product:" + itoa(id) }

// A cache refill must never store data older than the edit that emptied the cache: a refill
// that read a lagging replica would put the old product back for a whole TTL. So after every
// catalogue write the writer's read-your-writes token (the primary's WAL position after the
// commit) is stored in the cache too, and public reads run with it merged into their session:
// the router sends them to a replica that has replayed the edit, else the primary. Reads still
// land on replicas, which replay a loopback edit within milliseconds, and the guarantee holds
// across app instances because the token lives in the shared cache store.

// publicCtx returns ctx with a read-your-writes session at least as fresh as the last catalogue
// write, and as the request's own session.
func (a *app) publicCtx(ctx context.Context) context.Context {
	tok, err := a.tokens.Get(ctx, catalogKey)
	if err != nil {
		if errors.Is(err, cache.ErrNotFound) {
			return ctx
		}
		// Cache down: we cannot know how fresh a replica must be; the primary is always fresh.
		return dbrouter.WithPrimary(ctx)
	}
	s := dbrouter.NewSession(tok)
	if own, ok := dbrouter.SessionFrom(ctx); ok {
		s.Merge(own.Token())
	}
	return dbrouter.WithSession(ctx, s)
}

// catalogWritten records the position of a catalogue write made with ctx's session and then
// invalidates tags. Call it after the write committed.
func (a *app) catalogWritten(ctx context.Context, tags ...string) error {
	if s, ok := dbrouter.SessionFrom(ctx); ok {
		tok := s.Token()
		if old, err := a.tokens.Get(ctx, catalogKey); err == nil {
			merged := dbrouter.NewSession(old)
			merged.Merge(tok)
			tok = merged.Token()
		}
		if err := a.tokens.Set(ctx, catalogKey, tok, nil); err != nil {
			return err
		}
	}
	return a.invalidate(ctx, tags...)
}

// invalidate drops every cached page, fragment and product entry carrying one of tags. Tags are
// global to the store, so one call on any cache over it reaches all three.
func (a *app) invalidate(ctx context.Context, tags ...string) error {
	return a.products.InvalidateTags(ctx, tags...)
}
