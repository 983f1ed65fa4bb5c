package httpcache_test

import (
	"context"
	"fmt"
	"html/template"
	"os"

	"github.com/buttress-go/buttress/cache"
	"github.com/buttress-go/buttress/cache/httpcache"
)

func ExampleNewFragments() {
	store, _ := cache.NewMemoryStore(nil)
	frags, err := httpcache.NewFragments(store, nil)
	if err != nil {
		panic(err)
	}
	tmpl := template.Must(template.New("").Parse(`{{define "price"}}<b>{{.}} €</b>{{end}}`))
	for _, price := range []int{3, 4} { // the second call is served from the cache
		html, err := frags.Render(context.Background(), tmpl, "price", price,
			&httpcache.Fragment{Vary: []any{"product:42"}, Tags: []string{"product:42"}})
		fmt.Println(html, err)
	}
	_ = frags.InvalidateTags(context.Background(), "product:42")
	html, _ := frags.Render(context.Background(), tmpl, "price", 4,
		&httpcache.Fragment{Vary: []any{"product:42"}, Tags: []string{"product:42"}})
	fmt.Println(html)
	// Output:
	// <b>3 €</b> <nil>
	// <b>3 €</b> <nil>
	// <b>4 €</b>
}

type item struct {
	ID   int
	Name string
}

func (i item) CacheTags() []string { return []string{fmt.Sprint("product:", i.ID)} }

func ExampleFragments_Funcs() {
	store, _ := cache.NewMemoryStore(nil)
	frags, _ := httpcache.NewFragments(store, nil)
	tmpl := template.Must(frags.Funcs(template.New("page")).Parse(
		`{{define "card"}}<li>{{.Name}}</li>{{end}}` +
			`{{define "list"}}<ul>{{range .}}{{fragment "card" . .ID}}{{end}}</ul>{{end}}`))
	items := []item{{1, "Tea"}, {2, "Cake"}}
	_ = tmpl.ExecuteTemplate(os.Stdout, "list", items)
	fmt.Println()
	items[0].Name = "Green tea" // cached until product:1 is invalidated
	_ = tmpl.ExecuteTemplate(os.Stdout, "list", items)
	fmt.Println()
	_ = frags.InvalidateTags(context.Background(), "product:1")
	_ = tmpl.ExecuteTemplate(os.Stdout, "list", items)
	fmt.Println()
	// Output:
	// <ul><li>Tea</li><li>Cake</li></ul>
	// <ul><li>Tea</li><li>Cake</li></ul>
	// <ul><li>Green tea</li><li>Cake</li></ul>
}
