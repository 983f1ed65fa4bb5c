package logging

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/rs/zerolog"
)

// RecoverConfig holds Recover's optional settings. A nil *RecoverConfig
// means all defaults.
type RecoverConfig struct {
	// OnPanic, when set, receives every recovered panic with the request
	// context, the panic value and the goroutine's stack: plug an error
	// tracker (Sentry, ...) in here. A panic inside OnPanic is recovered and
	// logged. Default nil.
	OnPanic func(ctx context.Context, value any, stack []byte)

	// Schema selects compact (panic, stack) or ECS (error.message,
	// error.stack_trace) field names. Default SchemaCompact.
	Schema Schema
}

// problemBody is the RFC 9457 body of the 500 Recover sends. It names
// nothing of the panic.
type problemBody struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	RequestID string `json:"request_id,omitempty"`
}

// representation headers a panicking handler may have set for the response
// it never wrote; they would describe the wrong body.
var staleHeaders = []string{
	"Content-Length", "Content-Type", "Content-Encoding", "Content-Range",
	"Content-Disposition", "Content-Language", "Etag", "Last-Modified",
	"Transfer-Encoding", "Trailer",
}

// Recover returns middleware that turns a panic in the handler into a 500
// response with an application/problem+json body (RFC 9457) holding no
// stack or panic value, only the request ID. The panic value and stack go
// to the request logger (Ctx(ctx), else l) at error level and to
// cfg.OnPanic.
//
// http.ErrAbortHandler is re-panicked untouched, as net/http expects. When
// the handler had already started its response, no second header is
// written: the panic is logged and reported, then the response is aborted
// with http.ErrAbortHandler so the client sees a broken response rather
// than a truncated one that looks complete.
//
// Place Recover inside AccessLog so the access line records the 500.
func Recover(l zerolog.Logger, cfg *RecoverConfig) (func(http.Handler) http.Handler, error) {
	var c RecoverConfig
	if cfg != nil {
		c = *cfg
	}
	msgKey, stackKey := "panic", "stack"
	switch c.Schema {
	case SchemaCompact:
	case SchemaECS:
		msgKey, stackKey = "error.message", "error.stack_trace"
	default:
		return nil, fmt.Errorf("%w: RecoverConfig.Schema %d is not SchemaCompact or SchemaECS", ErrInvalidConfig, c.Schema)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rw := takeWriter(w, stateFrom(r.Context()))
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler { //nolint:errorlint // net/http compares with ==
					panic(v)
				}
				stack := debug.Stack()
				ctx := r.Context()
				logger := &l
				if ctx.Value(zerologKey) != nil {
					logger = Ctx(ctx)
				}
				e := logger.Error().Str("method", r.Method).Str("path", r.URL.Path)
				if err, isErr := v.(error); isErr {
					e.Str(msgKey, err.Error())
				} else {
					e.Str(msgKey, fmt.Sprint(v))
				}
				e.Bytes(stackKey, stack).Bool("response_started", rw.wroteHeader).Msg("panic recovered")
				if c.OnPanic != nil {
					callOnPanic(logger, c.OnPanic, ctx, v, stack)
				}
				if rw.wroteHeader {
					panic(http.ErrAbortHandler)
				}
				writeProblem500(rw, RequestID(ctx))
			}()
			next.ServeHTTP(rw, r)
		})
	}, nil
}

func callOnPanic(l *zerolog.Logger, f func(context.Context, any, []byte), ctx context.Context, v any, stack []byte) {
	defer func() {
		if p := recover(); p != nil {
			l.Error().Str("panic", fmt.Sprint(p)).Msg("logging: RecoverConfig.OnPanic panicked")
		}
	}()
	f(ctx, v, stack)
}

func writeProblem500(w http.ResponseWriter, requestID string) {
	h := w.Header()
	for _, k := range staleHeaders {
		delete(h, k)
	}
	body, err := json.Marshal(problemBody{
		Type:      "about:blank",
		Title:     http.StatusText(http.StatusInternalServerError),
		Status:    http.StatusInternalServerError,
		RequestID: requestID,
	})
	if err != nil { // cannot happen for this struct; keep the response valid anyway
		body = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500}`)
	}
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write(body)
}
