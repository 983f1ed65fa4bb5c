package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
}

// run starts the shop and serves until ctx ends, then drains HTTP and jobs. Logs go to logOut;
// the start-up banner with the URLs goes to banner.
func run(ctx context.Context, getenv func(string) string, logOut, banner io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	a, err := newApp(ctx, cfg, logOut)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.migrate(ctx); err != nil {
		return err
	}
	handler, err := a.routes(ctx)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (set SHOP_ADDR): %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// Jobs run until shutdown; their context is not the signal context, so SIGTERM starts a soft
	// stop (running jobs finish) rather than cancelling them.
	if err := a.jobs.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	a.printBanner(banner, ln.Addr().String())

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		_ = a.jobs.Shutdown(context.Background())
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	// Graceful shutdown: fail readiness, drain HTTP, then stop jobs (soft, escalating to cancel:
	// an interrupted job goes back to the queue with its attempt unchanged).
	a.shuttingDown.Store(true)
	a.log.Info().Msg("shutting down")
	drainCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	httpErr := srv.Shutdown(drainCtx)
	jobsErr := a.jobs.Shutdown(drainCtx)
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if jobsErr != nil && !errors.Is(jobsErr, context.DeadlineExceeded) {
		return fmt.Errorf("stop jobs: %w", jobsErr)
	}
	if httpErr != nil {
		return fmt.Errorf("drain HTTP: %w", httpErr)
	}
	a.log.Info().Bool("jobs_interrupted", jobsErr != nil).Msg("stopped")
	return nil
}

func (a *app) printBanner(w io.Writer, addr string) {
	host, port, _ := net.SplitHostPort(addr)
	if host == "127.0.0.1" || host == "::" || host == "" || host == "0.0.0.0" {
		host = "localhost"
	}
	base := "http://" + net.JoinHostPort(host, port)
	backend := "SQLite (" + a.cfg.SQLitePath + "), in-memory cache and rate limits"
	if a.postgres {
		backend = fmt.Sprintf("PostgreSQL with %d replica(s)", len(a.cfg.ReplicaURLs))
		if a.cfg.RedisURL != "" {
			backend += ", Redis cache and rate limits"
		}
	}
	fmt.Fprintf(w, `Buttress shop listening on %s
  backend:      %s
  catalogue:    %s/
  API v2:       %s/api/v2/products   (v1, deprecated: %s/api/v1/products)
  admin:        %s/admin/   (password %q; set ADMIN_PASSWORD)
  jobs (River): %s/admin/jobs/
  live stats:   %s/debug/stats
  health:       %s/healthz  %s/readyz
`, addr, backend, base, base, base, base, a.cfg.AdminPassword, base, base, base, base)
	if a.cfg.RandomSecret {
		fmt.Fprintln(w, "  note: SECRET_KEY is unset, so a random one signs sessions and cursors until restart")
	}
}
