package httpcache

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/buttress-go/buttress/cache"
	"github.com/stretchr/testify/require"
)

type product struct {
	ID    int
	Name  string
	calls *atomic.Int64
}

// Render counts how often the template really executed.
func (p product) Render() string { p.calls.Add(1); return p.Name }

func (p product) CacheTags() []string { return []string{fmt.Sprint("product:", p.ID)} }

func setupFragments(t *testing.T) (*Fragments, *cache.MemoryStore) {
	t.Helper()
	store, err := cache.NewMemoryStore(nil)
	require.NoError(t, err)
	f, err := NewFragments(store, nil)
	require.NoError(t, err)
	return f, store
}

const cardSrc = `{{define "card"}}<b>{{.Render}}</b>{{end}}`

func TestFragmentRender(t *testing.T) {
	t.Parallel()
	f, _ := setupFragments(t)
	ctx := context.Background()
	tmpl := template.Must(template.New("").Parse(cardSrc))
	var calls atomic.Int64
	p := product{ID: 1, Name: "<Tea>", calls: &calls}

	html, err := f.Render(ctx, tmpl, "card", p, &Fragment{Vary: []any{p.ID}, Tags: []string{"product:1"}})
	require.NoError(t, err)
	require.Equal(t, template.HTML("<b>&lt;Tea&gt;</b>"), html)
	p.Name = "changed but same vary values"
	html, err = f.Render(ctx, tmpl, "card", p, &Fragment{Vary: []any{1}, Tags: []string{"product:1"}})
	require.NoError(t, err)
	require.Equal(t, template.HTML("<b>&lt;Tea&gt;</b>"), html)
	// 2: the first Render of a template in a process executes it once more (see Render).
	require.Equal(t, int64(2), calls.Load())

	// Other vary values, other fragment.
	_, err = f.Render(ctx, tmpl, "card", p, &Fragment{Vary: []any{2}})
	require.NoError(t, err)
	require.Equal(t, int64(3), calls.Load())

	// Invalidating the tag drops it.
	require.NoError(t, f.InvalidateTags(ctx, "product:1"))
	html, err = f.Render(ctx, tmpl, "card", p, &Fragment{Vary: []any{1}, Tags: []string{"product:1"}})
	require.NoError(t, err)
	require.Equal(t, template.HTML("<b>changed but same vary values</b>"), html)
	require.Equal(t, int64(4), calls.Load())
}

func TestFragmentErrors(t *testing.T) {
	t.Parallel()
	f, _ := setupFragments(t)
	tmpl := template.Must(template.New("").Parse(`{{define "bad"}}{{.Missing.Field}}{{end}}`))
	_, err := f.Render(context.Background(), tmpl, "nope", nil, nil)
	require.ErrorIs(t, err, ErrNoTemplate)
	_, err = f.Render(context.Background(), tmpl, "bad", 42, nil)
	require.Error(t, err)
	_, err = NewFragments(nil, nil)
	require.Error(t, err)
	store, _ := cache.NewMemoryStore(nil)
	_, err = NewFragments(store, &FragmentConfig{TTL: -1})
	require.ErrorContains(t, err, "FragmentConfig.TTL")
}

func TestConcurrentFragmentMissesRenderOnce(t *testing.T) {
	t.Parallel()
	f, _ := setupFragments(t)
	tmpl := template.Must(template.New("").Parse(cardSrc))
	var calls atomic.Int64
	p := product{ID: 1, Name: "x", calls: &calls}
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			html, err := f.Render(context.Background(), tmpl, "card", p, &Fragment{Vary: []any{1}})
			if err == nil && html != "<b>x</b>" {
				err = errors.New(string(html))
			}
			require.NoError(t, err)
		})
	}
	wg.Wait()
	require.Equal(t, int64(2), calls.Load(), "one priming execution, one load; stats %+v", f.cache.Stats())
}

// lateStore is a memory store whose first Get made with a lateMiss ctx reads the store, then
// holds its answer until release is closed: that caller's miss was read before another
// caller's load filled the key, and it reaches GetOrLoad's singleflight after that load ended.
type lateStore struct {
	*cache.MemoryStore
	once    sync.Once
	read    chan struct{} // closed once the held Get has read the store
	release chan struct{}
}

type lateMiss struct{}

func (s *lateStore) Get(ctx context.Context, k cache.Key, vc cache.ValueCodec) (*cache.Entry, error) {
	e, err := s.MemoryStore.Get(ctx, k, vc)
	if ctx.Value(lateMiss{}) != nil {
		s.once.Do(func() {
			close(s.read)
			<-s.release
		})
	}
	return e, err
}

func TestLateFragmentMissUsesTheFill(t *testing.T) {
	t.Parallel()
	mem, err := cache.NewMemoryStore(nil)
	require.NoError(t, err)
	store := &lateStore{MemoryStore: mem, read: make(chan struct{}), release: make(chan struct{})}
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(store.release) }) }
	t.Cleanup(release) // a failed assertion must not leave the held Get blocked
	f, err := NewFragments(store, nil)
	require.NoError(t, err)
	tmpl := template.Must(template.New("").Parse(cardSrc))
	var calls atomic.Int64
	p := product{ID: 1, Name: "x", calls: &calls}
	opts := &Fragment{Vary: []any{1}}

	late := make(chan error, 1)
	go func() {
		html, err := f.Render(context.WithValue(context.Background(), lateMiss{}, true), tmpl, "card", p, opts)
		if err == nil && html != "<b>x</b>" {
			err = errors.New(string(html))
		}
		late <- err
	}()
	<-store.read // primed (1 execution) and read the miss
	html, err := f.Render(context.Background(), tmpl, "card", p, opts)
	require.NoError(t, err)
	require.Equal(t, template.HTML("<b>x</b>"), html)
	require.Equal(t, int64(2), calls.Load(), "prime, then this caller's load")
	release()
	require.NoError(t, <-late)
	require.Equal(t, int64(2), calls.Load(), "the late miss is served the fill; stats %+v", f.cache.Stats())
}

type keyed string

func (k keyed) CacheKey() string { return "k-" + string(k) }

func TestFragmentKey(t *testing.T) {
	t.Parallel()
	f, _ := setupFragments(t)
	const list = `{{define "list"}}{{range .}}{{template "card" .}}{{end}}{{end}}`
	a := template.Must(template.New("").Parse(cardSrc + list))
	b := template.Must(template.New("").Parse(cardSrc + list))
	changedCard := template.Must(template.New("").Parse(`{{define "card"}}<i>{{.Render}}</i>{{end}}` + list))
	commentOnly := template.Must(template.New("").Parse(`{{define "card"}}<!-- note --><b>{{.Render}}</b>{{end}}` + list))

	var calls atomic.Int64
	items := []product{{Name: "x", calls: &calls}}
	key := func(set *template.Template, name string, vary ...any) string {
		var data any = items
		if name == "card" {
			data = items[0]
		}
		_, err := f.Render(context.Background(), set, name, data, &Fragment{Vary: vary})
		require.NoError(t, err)
		k, err := f.key(set, name, vary)
		require.NoError(t, err)
		return k
	}
	require.True(t, strings.HasPrefix(key(a, "card"), "frag:card:"))
	require.Equal(t, key(a, "list"), key(b, "list"), "same source, same key")
	require.NotEqual(t, key(a, "list"), key(changedCard, "list"), "a called template changed")
	require.NotEqual(t, key(a, "card"), key(changedCard, "card"))
	require.Equal(t, key(a, "card"), key(commentOnly, "card"), "html/template strips comments")
	require.NotEqual(t, key(a, "card", 1), key(a, "card", "1"), "values are typed")
	require.NotEqual(t, key(a, "card", "a", "b"), key(a, "card", "ab"))
	require.Equal(t, key(a, "card", keyed("x")), key(a, "card", keyed("x")))
	require.NotEqual(t, key(a, "card", keyed("x")), key(a, "card", keyed("y")))

	// The set's own executions (card called from list, in the same context) leave the digest
	// that a fresh process computes unchanged.
	c := template.Must(template.New("").Parse(cardSrc + list))
	require.NoError(t, c.ExecuteTemplate(&strings.Builder{}, "list", items))
	f2, _ := setupFragments(t)
	_, err := f2.Render(context.Background(), c, "card", items[0], nil)
	require.NoError(t, err)
	k2, err := f2.key(c, "card", nil)
	require.NoError(t, err)
	require.Equal(t, key(b, "card"), k2)
}

func TestFragmentFuncs(t *testing.T) {
	t.Parallel()
	f, _ := setupFragments(t)
	tmpl := template.Must(f.Funcs(template.New("page")).Parse(cardSrc +
		`{{define "page"}}<ul>{{range .}}<li>{{fragment "card" . .ID}}</li>{{end}}</ul>{{end}}`))
	var calls atomic.Int64
	items := []product{{ID: 1, Name: "tea", calls: &calls}, {ID: 2, Name: "cake", calls: &calls}}
	render := func() string {
		var sb strings.Builder
		require.NoError(t, tmpl.ExecuteTemplate(&sb, "page", items))
		return sb.String()
	}
	require.Equal(t, "<ul><li><b>tea</b></li><li><b>cake</b></li></ul>", render())
	require.Equal(t, "<ul><li><b>tea</b></li><li><b>cake</b></li></ul>", render())
	require.Equal(t, int64(3), calls.Load(), "tea twice (the template's first render primes it), cake once")
	// The data's CacheTags tagged the fragments.
	require.NoError(t, f.InvalidateTags(context.Background(), "product:2"))
	items[1].Name = "pie"
	require.Equal(t, "<ul><li><b>tea</b></li><li><b>pie</b></li></ul>", render())
	require.Equal(t, int64(4), calls.Load())
}

// A fragment rendered inside a cached page tags the page: invalidating the fragment's tag
// drops both.
func TestFragmentTagsReachThePage(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil)
	f, err := NewFragments(b.store, nil)
	require.NoError(t, err)
	tmpl := template.Must(template.New("").Parse(cardSrc))
	var calls atomic.Int64
	name := "tea"
	h := p.Middleware(b.counting(func(w http.ResponseWriter, r *http.Request) {
		prod := product{ID: 7, Name: name, calls: &calls}
		html, err := f.Render(r.Context(), tmpl, "card", prod, &Fragment{Vary: []any{7}, Tags: prod.CacheTags()})
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprintf(w, "<main>%s</main>", html)
	}))
	require.Equal(t, "<main><b>tea</b></main>", get(h, "GET", "/p/7").Body.String())
	requireStatus(t, get(h, "GET", "/p/7"), "buttress; hit")
	name = "green tea"
	require.NoError(t, p.InvalidateTags(context.Background(), "product:7"))
	w := get(h, "GET", "/p/7")
	require.Equal(t, "<main><b>green tea</b></main>", w.Body.String())
	requireStatus(t, w, "buttress; fwd=uri-miss; stored")
	require.Equal(t, int64(3), calls.Load(), "prime + load, then one load after the invalidation")
}

// A fragment whose template renders other fragments (Russian-doll caching).
func TestNestedFragments(t *testing.T) {
	t.Parallel()
	f, _ := setupFragments(t)
	tmpl := template.Must(f.Funcs(template.New("")).Parse(cardSrc +
		`{{define "shelf"}}<div>{{range .}}{{fragment "card" . .ID}}{{end}}</div>{{end}}`))
	var calls atomic.Int64
	items := []product{{ID: 1, Name: "tea", calls: &calls}, {ID: 2, Name: "cake", calls: &calls}}
	for range 2 {
		html, err := f.Render(context.Background(), tmpl, "shelf", items, &Fragment{Vary: []any{"shelf-1"}})
		require.NoError(t, err)
		require.Equal(t, template.HTML("<div><b>tea</b><b>cake</b></div>"), html)
	}
}
