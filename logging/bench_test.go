package logging

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// discardWriter is a reusable http.ResponseWriter, so the benchmarks count
// the middleware's allocations, not the recorder's.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

func benchHandler(tb testing.TB) (http.Handler, *http.Request, *discardWriter) {
	l := zerolog.New(io.Discard)
	rid, err := RequestIDMiddleware(l, nil)
	if err != nil {
		tb.Fatal(err)
	}
	acc, err := AccessLog(l, nil)
	if err != nil {
		tb.Fatal(err)
	}
	ok := []byte("ok")
	h := rid(acc(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(ok) })))
	req := httptest.NewRequest(http.MethodGet, "/items/42", nil)
	req.Header.Set("User-Agent", "bench/1.0")
	return h, req, &discardWriter{h: make(http.Header, 4)}
}

// BenchmarkRequestIDAccessLog is the hot path: RequestIDMiddleware (minting
// an ID) then AccessLog writing a JSON line to io.Discard.
func BenchmarkRequestIDAccessLog(b *testing.B) {
	h, req, w := benchHandler(b)
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

// BenchmarkAccessLine sets the line AccessLog writes for a finished request
// (fields gathered from the request, its state and its response writer)
// against raw zerolog writing the same fields and values.
func BenchmarkAccessLine(b *testing.B) {
	l := zerolog.New(io.Discard)
	b.Run("buttress", func(b *testing.B) {
		acc := &accessLog{l: l, names: &compactNames}
		acc.c.Level, acc.c.Message = LevelForStatus, "request"
		req := httptest.NewRequest(http.MethodGet, "/items/42", nil)
		req.Header.Set("User-Agent", "bench/1.0")
		s := &reqState{Context: req.Context(), id: "01HZX3K8J9Q7W5E2R4T6Y8U0IP"}
		rw := &responseWriter{status: 200, bytes: 2, wroteHeader: true}
		b.ReportAllocs()
		for b.Loop() {
			acc.log(req, rw, s, time.Now(), false)
		}
	})
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

func BenchmarkRedactSQL(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		RedactSQL("SELECT id, name FROM users WHERE email = 'bob@example.com' AND age > 42 ORDER BY id LIMIT $1")
	}
}
