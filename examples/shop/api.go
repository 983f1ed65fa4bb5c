package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strconv"
	"time"

	"github.com/buttress-go/buttress/cache"
	"github.com/buttress-go/buttress/cache/httpcache"
	"github.com/buttress-go/buttress/logging"
	"github.com/buttress-go/buttress/version"
)

// The JSON API is written for its newest version only. v2 changed the product's price from an
// integer price_cents to an object; the Change below converts v2 responses back for v1 clients,
// so one handler serves both.

// apiProduct is a product in the newest (v2) API shape.
type apiProduct struct {
	ID          int64    `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Price       apiPrice `json:"price"`
	Stock       int64    `json:"stock"`
}

type apiPrice struct {
	AmountCents int64  `json:"amount_cents"`
	Currency    string `json:"currency"`
}

func toAPI(p Product) apiProduct {
	return apiProduct{ID: p.ID, Name: p.Name, Description: p.Description,
		Price: apiPrice{AmountCents: p.PriceCents, Currency: "EUR"}, Stock: p.Stock}
}

// apiVersions declares the API's versions: v1 is deprecated and has a sunset date.
func (a *app) apiVersions() (*version.Negotiator, error) {
	return version.New([]version.Spec{
		{
			Version:         "1",
			Deprecated:      time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			Sunset:          a.cfg.Sunset,
			DeprecationLink: "/docs/api-v2",
		},
		{
			Version: "2",
			Changes: []version.Change{{
				Description: "price is an object {amount_cents, currency} instead of the integer price_cents",
				Routes:      []string{"GET /api/products", "GET /api/products/{id}"},
				Response: func(_ *http.Request, status int, body any) (any, error) {
					if status != http.StatusOK {
						return body, nil
					}
					return body, version.EachObject(body, func(obj map[string]any) error {
						price, ok := obj["price"].(map[string]any)
						if !ok {
							return nil
						}
						delete(obj, "price")
						obj["price_cents"] = price["amount_cents"]
						return nil
					})
				},
			}},
		},
	}, &version.Config{Readers: []version.Reader{version.Path("/api")}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// problem answers with an RFC 9457 problem+json body.
func problem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": detail,
	})
}

// handleAPIProducts lists products with keyset pagination: ?limit= (capped at maxPageSize) and
// an opaque, signed ?cursor= from the previous page's Link: rel="next" header. A tampered cursor
// is a 400, never a silent restart from page one.
func (a *app) handleAPIProducts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 0
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			problem(w, http.StatusBadRequest, "limit must be a positive integer")
			return
		}
		limit = n
	}
	limit = pageSize(limit)
	after := int64(0)
	if c := q.Get("cursor"); c != "" {
		id, err := a.cursors.decode(c)
		if err != nil {
			problem(w, http.StatusBadRequest, "cursor is invalid: use the one from the Link header of the previous page")
			return
		}
		after = id
	}
	ps, more, err := listProducts(a.publicCtx(r.Context()), a.db, after, limit)
	if err != nil {
		a.apiError(w, r, err)
		return
	}
	out := make([]apiProduct, len(ps))
	tags := make([]string, 0, len(ps)+1)
	for i, p := range ps {
		out[i] = toAPI(p)
		tags = append(tags, productTag(p.ID))
	}
	httpcache.AddTags(r.Context(), append(tags, tagProducts)...)
	w.Header().Set("X-Page-Limit", strconv.Itoa(limit))
	if more {
		next := a.cursors.encode(ps[len(ps)-1].ID)
		// A relative reference keeps the caller's versioned path (/api/v1/products).
		w.Header().Set("Link", fmt.Sprintf(`<?limit=%d&cursor=%s>; rel="next"`, limit, next))
	}
	writeJSON(w, http.StatusOK, out)
}

// handleAPIProduct reads one product through the typed cache (one load per key however many
// requests miss at once), tagged so an edit drops it.
func (a *app) handleAPIProduct(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		problem(w, http.StatusNotFound, "no such product")
		return
	}
	ctx := a.publicCtx(r.Context())
	p, err := a.products.GetOrLoad(ctx, itoa(id), func(ctx context.Context) (Product, error) {
		p, err := getProduct(ctx, a.db, id)
		if errors.Is(err, errNotFound) {
			return p, cache.ErrNotFound // cached briefly as a negative entry
		}
		return p, err
	}, cache.Tags(productTag(id)))
	if errors.Is(err, cache.ErrNotFound) {
		problem(w, http.StatusNotFound, "no such product")
		return
	}
	if err != nil {
		a.apiError(w, r, err)
		return
	}
	httpcache.AddTags(r.Context(), productTag(id))
	writeJSON(w, http.StatusOK, toAPI(p))
}

type orderRequest struct {
	ProductID int64  `json:"product_id"`
	Quantity  int64  `json:"quantity"`
	Email     string `json:"email"`
}

// handleAPIOrder places an order: the order row, the stock update and the confirmation job are
// one transaction, so a crash can neither lose the e-mail nor send it for an order that was
// rolled back.
func (a *app) handleAPIOrder(w http.ResponseWriter, r *http.Request) {
	var req orderRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		problem(w, http.StatusBadRequest, "body must be JSON {product_id, quantity, email}: "+err.Error())
		return
	}
	if _, err := mail.ParseAddress(req.Email); err != nil || req.Quantity < 1 || req.Quantity > 100 || req.ProductID < 1 {
		problem(w, http.StatusBadRequest, "product_id, quantity (1-100) and a valid email are required")
		return
	}
	ctx := r.Context()
	tx, err := a.db.BeginTxx(ctx, nil)
	if err != nil {
		a.apiError(w, r, err)
		return
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	o, err := insertOrder(ctx, tx, req.ProductID, req.Quantity, req.Email, logging.RequestID(ctx))
	switch {
	case errors.Is(err, errNotFound):
		problem(w, http.StatusNotFound, "no such product")
		return
	case errors.Is(err, errOutOfStock):
		problem(w, http.StatusConflict, "not enough stock")
		return
	case err != nil:
		a.apiError(w, r, err)
		return
	}
	if _, err := a.jobs.EnqueueTx(ctx, tx.Tx(), confirmOrderArgs{OrderID: o.ID}, nil); err != nil {
		a.apiError(w, r, err)
		return
	}
	if err := tx.Commit(); err != nil {
		a.apiError(w, r, err)
		return
	}
	if err := a.catalogWritten(ctx, productTag(req.ProductID)); err != nil { // stock changed
		logging.Ctx(ctx).Error().Err(err).Msg("cache invalidation failed")
	}
	w.Header().Set("Location", "/api/orders/"+itoa(o.ID))
	writeJSON(w, http.StatusCreated, orderJSON(o))
}

func orderJSON(o Order) map[string]any {
	// The e-mail address stays out: order IDs are guessable and this API has no customer login.
	m := map[string]any{"id": o.ID, "product_id": o.ProductID, "quantity": o.Quantity,
		"created_at": o.CreatedAt, "confirmed": o.ConfirmedAt.Valid}
	if o.ConfirmedAt.Valid {
		m["confirmed_at"] = o.ConfirmedAt.Time
	}
	return m
}

// handleAPIOrderGet shows an order. It reads with the caller's read-your-writes token, so the
// client that just placed the order sees it even while the replicas catch up.
func (a *app) handleAPIOrderGet(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		problem(w, http.StatusNotFound, "no such order")
		return
	}
	o, err := getOrder(r.Context(), a.db, id)
	if errors.Is(err, errNotFound) {
		problem(w, http.StatusNotFound, "no such order")
		return
	}
	if err != nil {
		a.apiError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, orderJSON(o))
}

func (a *app) apiError(w http.ResponseWriter, r *http.Request, err error) {
	logging.Ctx(r.Context()).Error().Err(err).Msg("api request failed")
	problem(w, http.StatusInternalServerError, "internal error; quote the X-Request-ID header when reporting it")
}
