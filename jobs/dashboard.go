package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/rs/zerolog"
	"riverqueue.com/riverui"
)

// Dashboard returns River UI (riverqueue.com/riverui) for this client as an http.Handler
// mounted under prefix (e.g. "/admin/jobs"), wrapped in auth. River UI has no authentication of
// its own and can retry, cancel and delete jobs, so Dashboard refuses (ErrNoAuth) to build one
// without an auth middleware. The UI's background services run until ctx ends.
func (c *Client) Dashboard(ctx context.Context, prefix string, auth func(http.Handler) http.Handler) (http.Handler, error) {
	if auth == nil {
		return nil, ErrNoAuth
	}
	h, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(c.river, nil),
		Logger:    slog.New(zerolog.NewSlogHandler(c.log.With().Str("logger", "riverui").Logger())),
		Prefix:    prefix,
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: dashboard: %w", err)
	}
	if err := h.Start(ctx); err != nil {
		return nil, fmt.Errorf("jobs: dashboard: start: %w", err)
	}
	wrapped := auth(h)
	if wrapped == nil {
		return nil, fmt.Errorf("%w: the auth middleware returned a nil handler", ErrNoAuth)
	}
	return wrapped, nil
}
