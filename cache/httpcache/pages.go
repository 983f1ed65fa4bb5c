package httpcache

import (
	"context"
	"errors"
	"hash/maphash"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/buttress-go/buttress/cache"
)

// Pages is the per-view response cache. Create it with [NewPages] and wrap handlers with
// [Pages.Middleware]. It is safe for concurrent use.
type Pages struct {
	cfg   *config
	store cache.Store
	cache *cache.Cache[[]byte]

	flights flights
	pass    passMemo
	locks   [32]sync.Mutex // serialise read-modify-write of entries with Vary variants
	seed    maphash.Seed

	hits, misses, stored, notStored, bypassed, collapsed atomic.Uint64

	statusHit, statusCollapsed string
}

// Stats counts what the middleware did since it was created.
type Stats struct {
	Hits      uint64 // responses served from the cache (304s included)
	Misses    uint64 // handler runs for a cacheable request
	Stored    uint64 // responses stored
	NotStored uint64 // handler runs whose response was refused (see Cache-Status detail)
	Bypassed  uint64 // requests passed through without lookup (method, Authorization, bad key...)
	Collapsed uint64 // misses served from a concurrent miss's response, without running the handler
}

// NewPages returns a page cache storing into store (cache.NewMemoryStore, rediscache, ...),
// with cfg's settings (nil = defaults). Tags are global to a store, so InvalidateTags on any
// cache.Cache over the same store drops the pages carrying those tags.
func NewPages(store cache.Store, cfg *Config) (*Pages, error) {
	if store == nil {
		return nil, errors.New("httpcache: store must not be nil")
	}
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	var cc cache.Config
	if cfg != nil && cfg.Cache != nil {
		cc = *cfg.Cache
	}
	if cc.Prefix == "" {
		cc.Prefix = "httpcache"
	}
	if cc.OnError == nil {
		cc.OnError = c.onError
	}
	cc.EarlyRecomputeBeta = -1 // pages are refreshed by requests, never in the background
	pc, err := cache.New[[]byte](guardStore{store}, &cc)
	if err != nil {
		return nil, err
	}
	return &Pages{
		cfg: c, store: store, cache: pc, seed: maphash.MakeSeed(),
		statusHit:       c.name + "; hit",
		statusCollapsed: c.name + "; fwd=uri-miss; collapsed",
	}, nil
}

// Stats returns the counters.
func (p *Pages) Stats() Stats {
	return Stats{
		Hits: p.hits.Load(), Misses: p.misses.Load(), Stored: p.stored.Load(),
		NotStored: p.notStored.Load(), Bypassed: p.bypassed.Load(), Collapsed: p.collapsed.Load(),
	}
}

// InvalidateTags drops every page (and every other entry of the store) carrying one of tags.
func (p *Pages) InvalidateTags(ctx context.Context, tags ...string) error {
	return p.cache.InvalidateTags(ctx, tags...)
}

// Middleware caches next's responses. Its method value has the middleware shape
// func(http.Handler) http.Handler.
func (p *Pages) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if reason := p.cfg.bypassReason(r); reason != "" {
			p.bypass(w, r, next, reason)
			return
		}
		key, err := p.cfg.keys.build(r)
		if err != nil {
			p.bypass(w, r, next, reasonBadKey)
			return
		}
		p.lookup(w, r, next, key, 0)
	})
}

func (p *Pages) bypass(w http.ResponseWriter, r *http.Request, next http.Handler, reason string) {
	p.bypassed.Add(1)
	w.Header()["Cache-Status"] = []string{p.cfg.name + "; fwd=bypass; detail=" + reason}
	next.ServeHTTP(w, r)
}

// findVariant looks for a fresh variant of entry matching h; fwd says why not when it fails
// ("uri-miss", "vary-miss" or "stale"), and corrupt reports an undecodable entry.
func findVariant(entry []byte, h http.Header, now int64, v *variantView) (fwd string, corrupt bool) {
	var head entryHead
	if parseHead(entry, &head) != nil {
		return "uri-miss", true
	}
	names := head.names[:head.nnames]
	fwd = "vary-miss"
	bad := false
	ok := head.each(func(block []byte) bool {
		vals, ok := parseVariant(block, v)
		if !ok {
			bad = true
			return false
		}
		if matchVaryValues(vals, names, h) {
			fwd = "stale"
			if v.expires > now {
				fwd = ""
			}
			return false
		}
		return true
	})
	if bad || !ok {
		return "uri-miss", true
	}
	return fwd, false
}

// maxWaits bounds how many fills one request waits for: its page's first fill, then the fill
// of its own Vary variant, with one to spare. Past it the request runs the handler itself.
const maxWaits = 3

// lookup serves r from the cache or fills it. waited counts the fills r has waited for and
// reads the result of.
func (p *Pages) lookup(w http.ResponseWriter, r *http.Request, next http.Handler, key string, waited int) {
	ctx := r.Context()
	now := p.cfg.now().UnixNano()
	old, err := p.cache.Get(ctx, key)
	if err != nil && !errors.Is(err, cache.ErrNotFound) {
		p.cfg.onError(ctx, err) // fail-closed cache: serve uncached
		p.bypass(w, r, next, reasonBackend)
		return
	}
	fwd := "uri-miss"
	var names [][]byte
	if old != nil {
		var v variantView
		var corrupt bool
		if fwd, corrupt = findVariant(old, r.Header, now, &v); fwd == "" {
			if waited > 0 {
				p.collapsed.Add(1)
				p.serve(w, r, &v, p.statusCollapsed, now)
				return
			}
			p.hits.Add(1)
			p.serve(w, r, &v, p.statusHit, now)
			return
		}
		if corrupt {
			p.cfg.onError(ctx, ErrCorruptEntry)
			old = nil
		} else {
			var head entryHead
			_ = parseHead(old, &head)
			names = head.names[:head.nnames]
		}
	}
	fkey := key
	if len(names) > 0 {
		fkey = string(appendVaryValues([]byte(key+"\x00"), names, r.Header))
	}
	if p.pass.marked(key, now) {
		// Its last response could not be stored: do not queue behind other requests.
		fl := &flight{}
		p.misses.Add(1)
		p.fill(w, r, next, key, fwd, fl)
		p.pass.set(key, now, passes(fl))
		return
	}
	fl, leader := p.flights.join(fkey)
	if !leader {
		select {
		case <-fl.done:
		case <-ctx.Done():
			return
		}
		if fl.stored && waited < maxWaits {
			// The leader stored its response: read it back through the cache, which checks
			// the tags again (an invalidation since the store is seen) and finds this
			// request's variant, or joins or leads the fill of that variant.
			p.lookup(w, r, next, key, waited+1)
			return
		}
		p.misses.Add(1)
		p.notStored.Add(1)
		reason := fl.reason
		if reason == "" {
			reason = "vary-miss"
		}
		w.Header()["Cache-Status"] = []string{p.cfg.name + "; fwd=" + fwd + "; detail=" + reason}
		next.ServeHTTP(w, r)
		return
	}
	defer p.flights.finish(fkey, fl)
	// The flight this request missed may have stored the page and finished between our read
	// and our join: read again before running the handler.
	if cur, err := p.cache.Get(ctx, key); err == nil {
		var v variantView
		f, corrupt := findVariant(cur, r.Header, now, &v)
		if f == "" {
			fl.stored = true
			p.hits.Add(1)
			p.serve(w, r, &v, p.statusHit, now)
			return
		}
		var head entryHead
		if names == nil && !corrupt && waited < maxWaits && parseHead(cur, &head) == nil && head.nnames > 0 {
			// The page was stored meanwhile with a Vary header, but not this request's variant:
			// that variant's fill is its own flight (keyed by the Vary values, so never this
			// one), which this request joins or leads, and those that joined this flight are
			// told to read back and do the same.
			fl.stored = true
			p.lookup(w, r, next, key, waited+1)
			return
		}
	}
	p.misses.Add(1)
	p.fill(w, r, next, key, fwd, fl)
	p.pass.set(key, now, passes(fl))
}

// passes reports whether a fill's response was refused for what it is (so the next ones will
// likely be too), rather than for a passing reason (a backend error, an invalidation).
func passes(fl *flight) bool {
	switch fl.reason {
	case "", reasonBackend, reasonInvalidated, reasonPanic:
		return false
	}
	return !fl.stored
}

// fillStripped are the request headers a fill does not pass to the handler.
var fillStripped = []string{"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range", "Range"}

// fill runs the handler for a miss, stores its response when it may, and answers the client.
func (p *Pages) fill(w http.ResponseWriter, r *http.Request, next http.Handler, key, fwd string, fl *flight) {
	state := &pageState{store: p.store}
	r2 := r.WithContext(context.WithValue(r.Context(), pageStateKey{}, state))
	head := r2.Method == http.MethodHead
	if head {
		r2.Method = http.MethodGet // fill the GET entry; serve answers HEAD without a body
	}
	// The handler must produce the full representation to store; conditional and range
	// requests are answered from it by serve (a server may ignore Range, RFC 9110 §14.2).
	for _, k := range fillStripped {
		if _, ok := r2.Header[k]; ok {
			r2.Header = r2.Header.Clone()
			for _, k := range fillStripped {
				delete(r2.Header, k)
			}
			break
		}
	}
	rec := &recorder{
		w: w, req: r2, state: state, header: make(http.Header), maxBody: p.cfg.maxBody, head: head,
		onPass: func(h http.Header, reason string) {
			h["Cache-Status"] = []string{p.cfg.name + "; fwd=" + fwd + "; detail=" + reason}
		},
	}
	fl.reason = reasonPanic // until the handler returns
	next.ServeHTTP(rec, r2)
	fl.reason = ""
	if rec.passReason != "" {
		fl.reason = rec.passReason
		p.notStored.Add(1)
		return
	}
	status := rec.status
	if !rec.wrote {
		status = http.StatusOK
	}
	reason, ttl := p.cfg.refusal(status, rec.header)
	var names []string
	if reason == "" {
		var ok bool
		if names, ok = varyNames(rec.header); !ok {
			reason = reasonVaryTooWide
		}
	}
	tags, versions, terr := state.snapshot()
	if reason == "" && terr != nil {
		p.cfg.onError(r.Context(), terr)
		reason = reasonBackend
	}
	if reason != "" {
		fl.reason = reason
		p.notStored.Add(1)
		p.writeRecorded(rec, status, p.cfg.name+"; fwd="+fwd+"; detail="+reason)
		return
	}

	now := p.cfg.now()
	body := rec.body.Bytes()
	addValidators(rec.header, body, now)
	nv := &variantData{
		varyValues: appendVaryValues(nil, names, r.Header),
		stored:     now.UnixNano(), expires: now.Add(ttl).UnixNano(),
		status: status, header: rec.header, tags: tags, body: body,
	}
	ctx := context.WithoutCancel(r.Context()) // a client that leaves does not abort the store
	pin := &pinned{tags: tags, versions: versions}
	pctx := context.WithValue(ctx, pinnedKey{}, pin)
	var entry []byte
	var err error
	if len(names) == 0 {
		entry, _ = buildEntry(nil, nv, nil, nv.stored, p.cfg.maxVariants)
		err = p.cache.Set(pctx, key, entry, &cache.Options{Tags: tags, TTL: ttl})
	} else {
		mu := &p.locks[maphash.String(p.seed, key)%uint64(len(p.locks))]
		mu.Lock()
		cur, _ := p.cache.Get(ctx, key)
		var expires int64
		entry, expires = buildEntry(names, nv, cur, nv.stored, p.cfg.maxVariants)
		err = p.cache.Set(pctx, key, entry, &cache.Options{Tags: tags, TTL: time.Duration(expires - nv.stored)})
		mu.Unlock()
	}
	status2 := p.cfg.name + "; fwd=" + fwd + "; stored"
	switch {
	case err != nil:
		p.cfg.onError(ctx, err)
		fl.reason = reasonBackend
		status2 = p.cfg.name + "; fwd=" + fwd + "; detail=" + reasonBackend
		p.notStored.Add(1)
	case !pin.stored:
		fl.reason = reasonInvalidated
		status2 = p.cfg.name + "; fwd=" + fwd + "; detail=" + reasonInvalidated
		p.notStored.Add(1)
	default:
		fl.stored = true
		p.stored.Add(1)
	}
	var v variantView
	if f, _ := findVariant(entry, r.Header, nv.stored, &v); f != "" {
		// Cannot happen: the entry's first variant is this request's.
		p.writeRecorded(rec, status, status2)
		return
	}
	p.serve(w, r, &v, status2, nv.stored)
}

// writeRecorded sends a buffered response that is not served from an entry.
func (p *Pages) writeRecorded(rec *recorder, status int, cacheStatus string) {
	h := rec.w.Header()
	for k, v := range rec.header {
		h[k] = v
	}
	h["Cache-Status"] = []string{cacheStatus}
	rec.w.WriteHeader(status)
	if rec.body.Len() > 0 && !rec.head {
		_, _ = rec.w.Write(rec.body.Bytes())
	}
}
