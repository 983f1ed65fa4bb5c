package logging

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/buttress-go/buttress/logging"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httplog/v3"
	"github.com/rs/zerolog"
	"github.com/rs/zerolog/hlog"
)

// discardWriter is a reusable http.ResponseWriter so that every contender is
// charged only for its own allocations.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

var okBody = []byte("ok")

func okHandler(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(okBody) }

// setIDHeader puts chi's request ID on the response, which chi does not do
// itself and both Buttress and hlog's RequestIDHandler do.
func setIDHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(middleware.RequestIDHeader, middleware.GetReqID(r.Context()))
		next.ServeHTTP(w, r)
	})
}

func buttressChain(b *testing.B, l zerolog.Logger) http.Handler {
	rid, err := logging.RequestIDMiddleware(l, nil)
	if err != nil {
		b.Fatal(err)
	}
	acc, err := logging.AccessLog(l, nil)
	if err != nil {
		b.Fatal(err)
	}
	return rid(acc(http.HandlerFunc(okHandler)))
}

// hlogChain logs the same fields as Buttress' compact access line: chi mints
// the ID, hlog binds it to the request logger and writes the access line.
func hlogChain(l zerolog.Logger) http.Handler {
	bindID := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := middleware.GetReqID(r.Context())
			zerolog.Ctx(r.Context()).UpdateContext(func(c zerolog.Context) zerolog.Context { return c.Str("request_id", id) })
			next.ServeHTTP(w, r)
		})
	}
	access := hlog.AccessHandler(func(r *http.Request, status, size int, d time.Duration) {
		hlog.FromRequest(r).Info().Str("method", r.Method).Str("path", r.URL.Path).
			Int("status", status).Int("bytes", size).Dur("duration_ms", d).Msg("request")
	})
	return middleware.RequestID(setIDHeader(hlog.NewHandler(l)(bindID(
		hlog.RemoteIPHandler("ip")(hlog.UserAgentHandler("user_agent")(access(http.HandlerFunc(okHandler))))))))
}

func httplogChain() http.Handler {
	lg := slog.New(slog.NewJSONHandler(io.Discard, nil))
	return middleware.RequestID(setIDHeader(httplog.RequestLogger(lg, &httplog.Options{
		Level:  slog.LevelInfo,
		Schema: httplog.SchemaECS,
	})(http.HandlerFunc(okHandler))))
}

func run(b *testing.B, h http.Handler, incomingID bool) {
	req := httptest.NewRequest(http.MethodGet, "/items/42", nil)
	req.Header.Set("User-Agent", "bench/1.0")
	if incomingID {
		req.Header.Set("X-Request-Id", "01HZX3K8J9Q7W5E2R4T6Y8U0IP")
	}
	w := &discardWriter{h: make(http.Header, 4)}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

// BenchmarkRequestIDAccessLog: a request through request-ID + access-log
// middleware, the ID minted by the middleware, the line written as JSON to
// io.Discard.
func BenchmarkRequestIDAccessLog(b *testing.B) {
	l := zerolog.New(io.Discard)
	b.Run("buttress", func(b *testing.B) { run(b, buttressChain(b, l), false) })
	b.Run("hlog_chi", func(b *testing.B) { run(b, hlogChain(l), false) })
	b.Run("httplog", func(b *testing.B) { run(b, httplogChain(), false) })
}

// BenchmarkMiddlewareVsRawLine sets the whole Buttress path (a valid
// incoming ID, the access line, the HTTP plumbing) against raw zerolog
// writing a line with the same fields and values: the cost of the middleware
// over the line itself. The line alone is compared in logging's own
// BenchmarkAccessLine.
func BenchmarkMiddlewareVsRawLine(b *testing.B) {
	l := zerolog.New(io.Discard)
	b.Run("buttress", func(b *testing.B) { run(b, buttressChain(b, l), true) })
	b.Run("zerolog", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			start := time.Now()
			l.Info().Str("method", "GET").Str("path", "/items/42").Int("status", 200).Int64("bytes", 2).
				Float64("duration_ms", float64(time.Since(start))/float64(time.Millisecond)).Str("ip", "192.0.2.1").
				Str("user_agent", "bench/1.0").Str("request_id", "01HZX3K8J9Q7W5E2R4T6Y8U0IP").Msg("request")
		}
	})
}
