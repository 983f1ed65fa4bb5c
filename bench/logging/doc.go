// Package logging compares Buttress' request-ID + access-log middleware with
// zerolog's hlog plus chi's middleware.RequestID, with go-chi/httplog/v3
// (slog) behind chi's RequestID, and with a raw zerolog line carrying the
// same fields.
package logging
