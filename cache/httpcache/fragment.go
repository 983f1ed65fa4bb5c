package httpcache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"sync"
	"time"

	"github.com/buttress-go/buttress/cache"
)

// ErrNoTemplate is returned when a fragment names a template the set does not define.
var ErrNoTemplate = errors.New("httpcache: no such template")

// FragmentConfig holds the optional settings of [NewFragments]. Nil means defaults.
type FragmentConfig struct {
	// TTL is how long a fragment is kept when the call states none. Default 10 minutes.
	TTL time.Duration
	// KeyPrefix is put before every fragment key. Default "frag:".
	KeyPrefix string
	// Cache configures the cache.Cache fragments are stored through (nil = cache defaults,
	// with Prefix "httpcache").
	Cache *cache.Config
}

// Fragment is the per-call setting of [Fragments.Render].
type Fragment struct {
	// Vary lists the values the fragment's output depends on besides the template (a product
	// ID, its updated-at time, the user's locale...). Each is keyed by its CacheKey() string
	// method when it has one, else by its type and fmt %v form.
	Vary []any
	// Tags attach the fragment to tags; they are also added to the page being cached around
	// it (see [AddTags]), so invalidating them drops both.
	Tags []string
	// TTL overrides FragmentConfig.TTL when > 0.
	TTL time.Duration
}

// Tagged may be implemented by a fragment's data: its tags are added to the fragment's when it
// is rendered from a template with the "fragment" function.
type Tagged interface {
	CacheTags() []string
}

// Fragments renders named html/template templates once and reuses the HTML until it expires or
// one of its tags is invalidated. Create it with [NewFragments]. It is safe for concurrent use.
type Fragments struct {
	cache   *cache.Cache[template.HTML]
	ttl     time.Duration
	prefix  string
	digests sync.Map // digestKey -> string (trees are final once executed: no re-Parse)
	priming sync.Map // digestKey -> *sync.Mutex, while a template is being primed
}

type digestKey struct {
	set  *template.Template
	name string
}

// NewFragments returns a fragment cache storing into store, with cfg's settings (nil =
// defaults).
func NewFragments(store cache.Store, cfg *FragmentConfig) (*Fragments, error) {
	if store == nil {
		return nil, errors.New("httpcache: store must not be nil")
	}
	var c FragmentConfig
	if cfg != nil {
		c = *cfg
	}
	if c.TTL < 0 {
		return nil, fmt.Errorf("httpcache: FragmentConfig.TTL must be >= 0, got %v", c.TTL)
	}
	if c.TTL == 0 {
		c.TTL = 10 * time.Minute
	}
	if c.KeyPrefix == "" {
		c.KeyPrefix = "frag:"
	}
	var cc cache.Config
	if c.Cache != nil {
		cc = *c.Cache
	}
	if cc.Prefix == "" {
		cc.Prefix = "httpcache"
	}
	fc, err := cache.New[template.HTML](store, &cc)
	if err != nil {
		return nil, err
	}
	return &Fragments{cache: fc, ttl: c.TTL, prefix: c.KeyPrefix}, nil
}

// InvalidateTags drops every fragment (and every other entry of the store) carrying one of tags.
func (f *Fragments) InvalidateTags(ctx context.Context, tags ...string) error {
	return f.cache.InvalidateTags(ctx, tags...)
}

// key returns the cache key of template name of set t rendered for vary: the prefix, the name,
// a digest of the template's source and of the templates it calls, and a digest of vary. The
// template must have been executed once (html/template rewrites its trees on first execution,
// and reading them meanwhile would race): Render sees to it.
func (f *Fragments) key(t *template.Template, name string, vary []any) (string, error) {
	d, ok := f.digests.Load(digestKey{set: t, name: name})
	if !ok {
		return "", fmt.Errorf("%w: %q (not rendered yet)", ErrNoTemplate, name)
	}
	h := sha256.New()
	for _, v := range vary {
		if k, ok := v.(interface{ CacheKey() string }); ok {
			ck := k.CacheKey()
			fmt.Fprintf(h, "k%d:%s\x00", len(ck), ck)
			continue
		}
		s := fmt.Sprintf("%T=%v", v, v)
		fmt.Fprintf(h, "v%d:%s\x00", len(s), s)
	}
	return f.prefix + name + ":" + d.(string) + ":" + hex.EncodeToString(h.Sum(nil)[:16]), nil
}

// Render returns the HTML of template name of set t executed with data, from the cache when
// it holds it. Concurrent misses in this process render once (a load re-reads the key before
// rendering, which costs one more store read per miss). opts (nil = none) gives the vary-on
// values, tags and TTL. The fragment's tags are added to the page being cached for ctx's
// request, if any.
//
// The first Render of a template in a process executes it once before looking it up, so that
// its digest is taken from the trees html/template has finished rewriting.
//
// data was read before Render snapshots the tags' versions, so an invalidation that lands
// between that read and Render is not seen by this fill: the fragment would be stored with the
// old data until its TTL. Inside a page cached by Pages this cannot happen (the page's tags are
// pinned before the handler runs and the page and its fragments are dropped together); outside
// one, either give fragments a short TTL or read data through a cache.GetOrLoad with the same
// tags, whose fill is guarded against exactly this.
func (f *Fragments) Render(ctx context.Context, t *template.Template, name string, data any, opts *Fragment) (template.HTML, error) {
	var o Fragment
	if opts != nil {
		o = *opts
	}
	render := func() (template.HTML, error) {
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return template.HTML(buf.String()), nil
	}
	if _, ok := f.digests.Load(digestKey{set: t, name: name}); !ok {
		if err := f.prime(t, name, render); err != nil {
			return "", err
		}
	}
	key, err := f.key(t, name, o.Vary)
	if err != nil {
		return "", err
	}
	if len(o.Tags) > 0 {
		AddTags(ctx, o.Tags...)
	}
	ttl := o.TTL
	if ttl <= 0 {
		ttl = f.ttl
	}
	return f.cache.GetOrLoad(ctx, key, func(lctx context.Context) (template.HTML, error) {
		// GetOrLoad only joins a load still in flight: a caller whose miss was read before
		// another load filled the key, but who reached the singleflight after that load had
		// finished, starts a load of its own. Reading the key again here, once this load is
		// the only one for the key, serves that caller the fill it missed instead of
		// rendering a second time. (GetOrLoad then stores that value again, so its TTL
		// restarts from this load, at most the race's length later.)
		if html, err := f.cache.Get(lctx, key); err == nil {
			return html, nil
		}
		return render()
	}, &cache.Options{Tags: o.Tags, TTL: ttl})
}

// prime executes a template once and records its digest. Concurrent first calls for one
// template execute it once; the lock is per template, so a fragment whose template renders
// other fragments (nested caching) primes them without deadlock.
func (f *Fragments) prime(t *template.Template, name string, render func() (template.HTML, error)) error {
	dk := digestKey{set: t, name: name}
	l, _ := f.priming.LoadOrStore(dk, &sync.Mutex{})
	mu := l.(*sync.Mutex)
	mu.Lock()
	defer mu.Unlock()
	if _, ok := f.digests.Load(dk); ok {
		return nil
	}
	if t.Lookup(name) == nil {
		return fmt.Errorf("%w: %q", ErrNoTemplate, name)
	}
	if _, err := render(); err != nil {
		return err
	}
	d, ok := templateDigest(t, name)
	if !ok {
		return fmt.Errorf("%w: %q", ErrNoTemplate, name)
	}
	f.digests.Store(dk, d)
	f.priming.Delete(dk)
	return nil
}

// Funcs adds the "fragment" function to t and returns t; call it before parsing:
//
//	t := template.Must(frags.Funcs(template.New("page")).Parse(src))
//
// In the templates, {{fragment "card" . .ID .UpdatedAt}} renders the template "card" of the
// same set with data "." and caches it, varying on the remaining arguments; when the data
// implements [Tagged], its CacheTags are the fragment's tags. Templates have no request
// context, so these tags do not reach the page around them: inside a cached page, render
// fragments with Render(r.Context(), ...) or attach the tags to the page with AddTags.
func (f *Fragments) Funcs(t *template.Template) *template.Template {
	return t.Funcs(template.FuncMap{
		"fragment": func(name string, data any, vary ...any) (template.HTML, error) {
			var tags []string
			if tg, ok := data.(Tagged); ok {
				tags = tg.CacheTags()
			}
			return f.Render(context.Background(), t, name, data, &Fragment{Vary: vary, Tags: tags})
		},
	})
}
