package main

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"github.com/buttress-go/buttress/cache/httpcache"
	"github.com/buttress-go/buttress/logging"
	"github.com/buttress-go/buttress/secure"
)

//go:embed templates/*.html
var templateFS embed.FS

func parseTemplates(frags *httpcache.Fragments) (*template.Template, error) {
	t := template.New("shop").Funcs(template.FuncMap{
		"price": func(cents int64) string { return fmt.Sprintf("€%d.%02d", cents/100, cents%100) },
	})
	t = frags.Funcs(t) // {{fragment ...}} for templates that want it
	return t.ParseFS(templateFS, "templates/*.html")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// page is the data every template gets.
type page struct {
	Title     string
	Nonce     string
	RequestID string
	CSRFField template.HTML
}

func (a *app) newPage(r *http.Request, title string) page {
	return page{Title: title, Nonce: secure.Nonce(r.Context()), RequestID: logging.RequestID(r.Context()),
		CSRFField: secure.CSRFField(r)}
}

// render executes a template into a buffer first, so a template error becomes a clean 500
// instead of half a page.
func (a *app) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := a.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		logging.Ctx(r.Context()).Error().Err(err).Str("template", name).Msg("render")
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// handleIndex lists products, one cached fragment (card) per product. The page itself is cached
// by the Pages middleware; each card's tag reaches the page through Render, so an edit of one
// product drops exactly the listing pages that show it.
func (a *app) handleIndex(w http.ResponseWriter, r *http.Request) {
	ctx := a.publicCtx(r.Context())
	after, ok := a.afterParam(w, r)
	if !ok {
		return
	}
	ps, more, err := listProducts(ctx, a.db, after, pageSize(0))
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	cards := make([]template.HTML, 0, len(ps))
	for i := range ps {
		p := &ps[i]
		html, err := a.frags.Render(r.Context(), a.tmpl, "card", p, &httpcache.Fragment{
			Vary: []any{p.ID, p.UpdatedAt.UnixNano()},
			Tags: []string{productTag(p.ID)},
		})
		if err != nil {
			a.serverError(w, r, err)
			return
		}
		cards = append(cards, html)
	}
	httpcache.AddTags(r.Context(), tagProducts)
	data := struct {
		page
		Cards []template.HTML
		Next  string
	}{a.newPage(r, "Products"), cards, a.nextCursor(ps, more)}
	a.render(w, r, http.StatusOK, "list.html", data)
}

func (a *app) handleProduct(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	p, err := getProduct(a.publicCtx(r.Context()), a.db, id)
	if errors.Is(err, errNotFound) {
		httpcache.AddTags(r.Context(), productTag(id)) // a 404 is not cached, but say what it is
		http.NotFound(w, r)
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	httpcache.AddTags(r.Context(), productTag(id))
	a.render(w, r, http.StatusOK, "detail.html", struct {
		page
		Product Product
	}{a.newPage(r, p.Name), p})
}

func (a *app) serverError(w http.ResponseWriter, r *http.Request, err error) {
	logging.Ctx(r.Context()).Error().Err(err).Msg("request failed")
	http.Error(w, "internal error", http.StatusInternalServerError)
}
