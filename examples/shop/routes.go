package main

import (
	"context"
	"embed"
	"net/http"
	"time"

	"github.com/klauspost/compress/gzhttp"

	"github.com/buttress-go/buttress/dbrouter"
	"github.com/buttress-go/buttress/logging"
	"github.com/buttress-go/buttress/ratelimit"
	"github.com/buttress-go/buttress/secure"
	"github.com/buttress-go/buttress/version"
)

//go:embed static
var staticFS embed.FS

// routes builds the whole handler: the middleware stack outermost first, then the routes.
func (a *app) routes(ctx context.Context) (http.Handler, error) {
	secCfg := &secure.Config{
		TrustedProxies:        a.cfg.TrustedProxies,
		AllowedHosts:          a.cfg.AllowedHosts,
		SSLRedirect:           a.cfg.SSLRedirect,
		RedirectExempt:        []string{"/healthz", "/readyz"},
		HSTSMaxAge:            365 * 24 * time.Hour, // sent on HTTPS responses only
		HSTSIncludeSubdomains: true,
		ContentSecurityPolicy: "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
		InsecureCookies:       !a.cfg.SSLRedirect, // plain-HTTP development keeps cookies usable
		SecretKey:             a.cfg.SecretKey,
	}
	sec, err := secure.New(secCfg)
	if err != nil {
		return nil, err
	}
	// The admin forms add the masked-token layer on top of the tokenless Origin checks.
	tokCfg := *secCfg
	tokCfg.CSRFTokens = true
	adminSec, err := secure.New(&tokCfg)
	if err != nil {
		return nil, err
	}

	reqID, err := logging.RequestIDMiddleware(a.log, nil)
	if err != nil {
		return nil, err
	}
	recoverer, err := logging.Recover(a.log, nil)
	if err != nil {
		return nil, err
	}
	access, err := logging.AccessLog(a.log, &logging.AccessLogConfig{
		ClientIP: sec.ClientIP, SkipPaths: []string{"/healthz", "/readyz"}, SlowThreshold: time.Second,
	})
	if err != nil {
		return nil, err
	}
	ryw, err := dbrouter.Middleware(a.cfg.SecretKey, &dbrouter.MiddlewareConfig{Insecure: !a.cfg.SSLRedirect})
	if err != nil {
		return nil, err
	}

	// API: a per-IP limit on every call and a per-customer limit for calls naming one.
	limits, err := a.limiter.Middleware([]ratelimit.Policy{
		{Name: "ip", Limit: ratelimit.PerMinute(a.cfg.APIRate), Key: ratelimit.ClientIP(sec.ClientIP)},
		{Name: "customer", Limit: ratelimit.PerMinute(a.cfg.APIUserRate), Key: ratelimit.Header("X-Customer")},
	}, nil)
	if err != nil {
		return nil, err
	}
	versions, err := a.apiVersions()
	if err != nil {
		return nil, err
	}
	api := version.NewRouter()
	api.HandleFunc("1", "GET /api/products", a.handleAPIProducts)
	api.HandleFunc("1", "GET /api/products/{id}", a.handleAPIProduct)
	api.HandleFunc("1", "POST /api/orders", a.handleAPIOrder)
	api.HandleFunc("1", "GET /api/orders/{id}", a.handleAPIOrderGet)

	dashboard, err := a.jobs.Dashboard(ctx, "/admin/jobs", a.requireAdmin)
	if err != nil {
		a.log.Warn().Err(err).Msg("River UI not mounted")
		dashboard = a.requireAdmin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "River UI is not available on this database: "+err.Error(), http.StatusNotImplemented)
		}))
	}

	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.FileServerFS(staticFS))
	mux.HandleFunc("GET /healthz", a.handleHealthz)
	mux.HandleFunc("GET /readyz", a.handleReadyz)
	mux.Handle("GET /{$}", a.pages.Middleware(http.HandlerFunc(a.handleIndex)))
	mux.Handle("GET /products/{id}", a.pages.Middleware(http.HandlerFunc(a.handleProduct)))

	// logging.Routes: the middleware in between pass copies of the request, which would hide
	// the matched pattern from the access log (the version router's is the more specific one).
	mux.Handle("/api/", limits(versions.Middleware(a.pages.Middleware(logging.Routes(api)))))

	admin := func(h http.HandlerFunc) http.Handler { return adminSec.CSRF(a.requireAdmin(h)) }
	mux.Handle("GET /admin/login", adminSec.CSRF(http.HandlerFunc(a.handleLoginForm)))
	mux.Handle("POST /admin/login", adminSec.CSRF(http.HandlerFunc(a.handleLogin)))
	mux.Handle("POST /admin/logout", admin(a.handleLogout))
	mux.Handle("GET /admin/{$}", admin(a.handleAdmin))
	mux.Handle("GET /admin/products/{id}", admin(a.handleEditForm))
	mux.Handle("POST /admin/products/{id}", admin(a.handleEdit))
	mux.Handle("/admin/jobs/", dashboard)
	mux.Handle("GET /debug/stats", admin(a.handleStats))

	var h http.Handler = logging.Routes(mux)
	h = ryw(h)
	h = gzhttp.GzipHandler(h)
	h = sec.Middleware(h)
	h = access(h)
	h = recoverer(h)
	h = reqID(h)
	return h, nil
}

func (a *app) handleHealthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

// handleReadyz reports ready when the primary answers and the job client is healthy (migrated,
// running). Load balancers stop sending traffic when it fails, and during shutdown.
func (a *app) handleReadyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if a.shuttingDown.Load() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	if err := a.db.Writer().PingContext(ctx); err != nil {
		http.Error(w, "database: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	if err := a.jobs.Health(ctx); err != nil {
		http.Error(w, "jobs: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}
