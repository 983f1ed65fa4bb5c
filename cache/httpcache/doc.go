// Package httpcache caches whole HTTP responses per view and rendered html/template fragments,
// over any cache.Store (the in-process memory store or Redis), with tag invalidation.
//
//	store, _ := cache.NewMemoryStore(nil)
//	pages, _ := httpcache.NewPages(store, &httpcache.Config{TTL: time.Minute, SessionCookies: []string{"session"}})
//	mux.Handle("GET /products/{id}", pages.Middleware(productHandler))
//
//	// in productHandler, before reading product 42:
//	httpcache.AddTags(r.Context(), "product:42")
//
//	// when product 42 changes (any cache.Cache over the same store will do):
//	pages.InvalidateTags(ctx, "product:42")
//
// # What is cached
//
// Only GET and HEAD requests are looked up; a HEAD is answered from the GET entry, and a HEAD
// miss runs the handler as a GET to fill it. Requests carrying Authorization or one of
// Config.SessionCookies bypass the cache unless Config.CachePrivateRequests is set. A response
// is stored only when its status is in Config.CacheableStatus (200 by default) and it has no
// Set-Cookie, no Cache-Control private, no-store, no-cache or max-age=0 (s-maxage=0), no
// "Vary: *", was not streamed (Flush), hijacked, or larger than Config.MaxBodyBytes. Its
// lifetime is s-maxage, else max-age, else Config.TTL, capped by Config.MaxTTL, then shortened
// by the cache's TTL jitter (cache.Config.Jitter, up to 10% by default) so that pages filled
// together do not expire together. Request
// Cache-Control is ignored, as shared caches commonly do: a client cannot force a page to be
// regenerated.
//
// # Keys
//
// The key is the method (HEAD keyed as GET), the scheme, the validated and lowercased host
// without its default port, the path with normalised percent-escapes, and a canonical query
// string (decoded, sorted by name, re-encoded; Config.IgnoreQueryParams removed). A request
// whose host, path or query string is malformed, holds control characters, or exceeds the
// configured bounds is never cached: it is passed to the handler untouched (see [RequestKey]),
// so hostile input cannot poison an entry.
//
// # Vary in one read
//
// An entry holds the names listed by the response's Vary header and up to Config.MaxVariants
// variants, each with the request's values of those headers. A lookup is one read of the
// store, where Django's cache_page needs two (the header list, then the response).
//
// # Validators, Age and Cache-Status
//
// A stored response gets a strong ETag (a SHA-256 prefix of its body) and a Last-Modified
// (when it was generated) if the handler set none. If-None-Match (weak comparison, "*"
// supported; a malformed list matches nothing) and, without it, If-Modified-Since are answered
// with 304 from the stored validators. On a miss the handler gets the request without its
// conditional and Range headers, so that it produces the full representation to store; a
// Range request is answered with the whole page (RFC 9110 allows a server to ignore Range). Every response carries Age (on hits) and a Cache-Status
// header (RFC 9211): "buttress; hit", "buttress; fwd=uri-miss; stored", "buttress;
// fwd=bypass; detail=authorization", "buttress; fwd=uri-miss; detail=set-cookie", ...
//
// # Tags and stale fills
//
// A handler attaches tags with [AddTags] (request context) or [AddResponseTags] (the
// ResponseWriter). The tags' versions are read when they are attached; the page is written
// with cache.Store.Fill, which refuses it if one of them was invalidated while the handler ran
// (the response is still sent, with detail=invalidated). Attach tags before reading the data
// they stand for.
//
// # Stampedes
//
// Concurrent misses for one page (and one Vary variant) in a process run the handler once; the
// others wait and are served its stored response (Cache-Status "collapsed"). If the response
// could not be stored, each waiter runs the handler itself, since it may be personal, and for
// the next 10 seconds requests for that page are not coalesced at all (hit-for-pass), so pages
// that always set a cookie do not queue. The handler runs on the request's own goroutine and
// context, so streaming handlers still stream.
//
// # Unkeyed inputs
//
// The key holds only the URL parts above; everything else a handler reads from the request
// must be named in its response's Vary header (Accept-Language, a theme cookie, and
// X-Forwarded-Host if it builds absolute links from it), or the first requester's variant is
// served to everyone: the classic web-cache-poisoning mistake.
//
// # Failures
//
// A failing store (Redis down) makes every request a miss served by the handler; errors go to
// Config.OnError and the cache.Cache's circuit breaker stops calling the store. Configure the
// Redis client for it (rueidis: DisableRetry and bounded dial and write timeouts), or a read
// waits as long as the client retries.
//
// # Fragments
//
// [Fragments] caches rendered html/template templates. The key is the template's name, a
// digest of its source and of the templates it calls (a deployed change invalidates it), and
// the vary-on values; fragments take tags and a TTL, render once under concurrent misses
// (cache.Cache.GetOrLoad), and are usable from handlers ([Fragments.Render]) and from templates
// ({{fragment "card" . .ID}}, see [Fragments.Funcs]). The first Render of a template in a
// process executes it once before the lookup: html/template rewrites a template's trees on its
// first execution, and the digest is taken from the finished trees.
package httpcache
