package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/buttress-go/buttress/logging"
	"github.com/buttress-go/buttress/secure"
)

const (
	adminCookie  = "shop_admin"
	adminSession = 8 * time.Hour
)

// adminToken is the admin session cookie's value: its expiry, signed with the secret key.
func (a *app) adminToken(expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	return exp + "." + base64.RawURLEncoding.EncodeToString(a.sign("admin-session", exp))
}

func (a *app) sign(purpose, value string) []byte {
	h := hmac.New(sha256.New, a.cfg.SecretKey)
	h.Write([]byte(purpose + "\x00" + value))
	return h.Sum(nil)
}

func (a *app) isAdmin(r *http.Request) bool {
	c, err := r.Cookie(adminCookie)
	if err != nil {
		return false
	}
	exp, mac, ok := strings.Cut(c.Value, ".")
	if !ok {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil || !hmac.Equal(got, a.sign("admin-session", exp)) {
		return false
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	return err == nil && time.Now().Before(time.Unix(unix, 0))
}

// requireAdmin is the admin area's auth middleware (also guarding River UI and /debug/stats).
func (a *app) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.isAdmin(r) {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
				return
			}
			http.Error(w, "admin login required", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (a *app) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "login.html", struct {
		page
		Error string
	}{page: a.newPage(r, "Admin login")})
}

func (a *app) handleLogin(w http.ResponseWriter, r *http.Request) {
	pw := r.PostFormValue("password")
	if subtle.ConstantTimeCompare([]byte(pw), []byte(a.cfg.AdminPassword)) != 1 {
		a.render(w, r, http.StatusUnauthorized, "login.html", struct {
			page
			Error string
		}{a.newPage(r, "Admin login"), "Wrong password."})
		return
	}
	http.SetCookie(w, secure.SessionCookie(adminCookie, a.adminToken(time.Now().Add(adminSession)), adminSession))
	http.Redirect(w, r, "/admin/", http.StatusSeeOther)
}

func (a *app) handleLogout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, secure.SessionCookie(adminCookie, "", -1))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// handleAdmin lists products for editing. Admin requests carry the session cookie, so they
// bypass the page cache and read through the router with the editor's read-your-writes token.
func (a *app) handleAdmin(w http.ResponseWriter, r *http.Request) {
	after, ok := a.afterParam(w, r)
	if !ok {
		return
	}
	ps, more, err := listProducts(r.Context(), a.db, after, maxPageSize)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	data := struct {
		page
		Products []Product
		Next     string
	}{a.newPage(r, "Admin"), ps, a.nextCursor(ps, more)}
	a.render(w, r, http.StatusOK, "admin.html", data)
}

func (a *app) handleEditForm(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	p, err := getProduct(r.Context(), a.db, id)
	if errors.Is(err, errNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "edit.html", struct {
		page
		Product Product
	}{a.newPage(r, "Edit "+p.Name), p})
}

// handleEdit saves the form (CSRF-checked by the middleware), records the write's position and
// invalidates exactly the product's pages, fragments and API entries.
func (a *app) handleEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	p := Product{ID: id, Name: strings.TrimSpace(r.PostFormValue("name")), Description: r.PostFormValue("description")}
	var err error
	p.PriceCents, err = strconv.ParseInt(r.PostFormValue("price_cents"), 10, 64)
	if err != nil || p.PriceCents < 0 || p.Name == "" || len(p.Name) > 200 {
		http.Error(w, "name (1-200 characters) and a non-negative price_cents are required", http.StatusBadRequest)
		return
	}
	if p.Stock, err = strconv.ParseInt(r.PostFormValue("stock"), 10, 64); err != nil || p.Stock < 0 {
		http.Error(w, "stock must be a non-negative integer", http.StatusBadRequest)
		return
	}
	if err := updateProduct(r.Context(), a.db, p); errors.Is(err, errNotFound) {
		http.NotFound(w, r)
		return
	} else if err != nil {
		a.serverError(w, r, err)
		return
	}
	if err := a.catalogWritten(r.Context(), productTag(id)); err != nil {
		// The edit is saved; a cache we could not invalidate must not keep serving old pages.
		logging.Ctx(r.Context()).Error().Err(err).Int64("product_id", id).Msg("cache invalidation failed")
	}
	logging.Ctx(r.Context()).Info().Int64("product_id", id).Msg("product edited")
	http.Redirect(w, r, "/admin/products/"+itoa(id), http.StatusSeeOther)
}
