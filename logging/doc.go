// Package logging is Buttress' structured logging on zerolog: one request,
// one ID, from the edge to its queries and background jobs.
//
// # Logger
//
// New builds a zerolog.Logger: JSON by default (console with FormatConsole,
// or FormatAuto for console on a terminal and JSON elsewhere),
// service/version/environment fields, a level string with
// per-component overrides and optional sampling of debug lines:
//
//	l := logging.New(os.Stdout, &logging.Config{
//		Service: "shop", Version: "1.4.2", Environment: "prod",
//		Level:   os.Getenv("LOG_LEVEL"), // "info,dbrouter=debug"
//	})
//	dbLog := logging.Component(l, "dbrouter") // debug, with component=dbrouter
//
// Field names are compact by default; SchemaECS switches to Elastic Common
// Schema names for ELK (service.name, http.request.id, event.duration in
// nanoseconds...).
//
// # Middleware
//
// RequestIDMiddleware accepts an incoming X-Request-ID only when it is 20 to
// 200 characters of [A-Za-z0-9+/=-] (no quotes, spaces or newlines: no log
// injection) and otherwise mints a ULID; it sets the response header, puts
// the ID in the context (RequestID, WithRequestID) and binds it, with the W3C
// traceparent's trace.id and span.id, to the request logger that Ctx and
// zerolog.Ctx return. AccessLog writes one line per request, at error for
// 5xx, warn for 4xx except 429 (info), with skip rules for health checks and
// a slow-request threshold. Recover turns panics into an RFC 9457 500 and
// hands the stack to the log and to an OnPanic hook (Sentry...).
//
//	rid, _ := logging.RequestIDMiddleware(l, nil)
//	acc, _ := logging.AccessLog(l, &logging.AccessLogConfig{SkipPaths: []string{"/healthz"}})
//	rec, _ := logging.Recover(l, nil)
//	handler := rid(acc(rec(mux)))
//
// Placed in that order, right outside the router, request ID and access log
// together cost two allocations per request: everything the middleware keep
// for a request lives in one struct that is also the request's context.
//
// The route is r.Pattern, which a ServeMux sets on the request it is given.
// Middleware between the access log and the router that passes on a copy of
// the request (anything calling r.WithContext) hides it; wrap the router in
// Routes (or call SetRoute from a router of your own) and the route is
// logged whatever stands in between.
//
// # Hooks for other packages
//
// SlowQueryLogger returns a func(ctx, query, node string, took) for
// dbrouter's Config.OnSlowQuery, logging the statement with literals
// redacted (RedactSQL) and the request ID found in ctx. NewSlogHandler
// bridges slog users (River) to zerolog. WithRequestID and RequestID carry
// the ID into background jobs.
//
// # Departures from the design note
//
// New never fails, like zerolog.New: an invalid field falls back to its
// default and New logs an error line naming it (Config.Validate fails fast);
// SlowQueryLogger does the same, so it drops straight into dbrouter's
// Config. The middleware constructors return (middleware, error) instead,
// the error naming the invalid field.
// zerolog v1.35.1's own zerolog.NewSlogHandler fails testing/slogtest
// (groups are flattened, WithAttrs before WithGroup lands in the group), so
// this package ships SlogHandler. The request logger is built lazily, the
// first time Ctx or zerolog.Ctx asks for it.
package logging
