package secure

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
)

// BodyLimit is middleware limiting request bodies to Config.MaxBodyBytes. A request announcing a
// larger Content-Length gets 413 with a problem+json body before the handler runs; a chunked body
// is cut at the limit (the handler's Read fails with *http.MaxBytesError) and, unless the handler
// has already sent its status, the response is replaced by the same 413.
func (s *Secure) BodyLimit(next http.Handler) http.Handler {
	limit := s.maxBody
	if limit < 0 {
		return next
	}
	detail := "The request body is larger than the limit of " + strconv.FormatInt(limit, 10) + " bytes (Config.MaxBodyBytes)."
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			writeProblem(w, http.StatusRequestEntityTooLarge, detail)
			return
		}
		if r.ContentLength >= 0 || r.Body == nil || r.Body == http.NoBody {
			// A known length within the limit: the server never reads past it.
			next.ServeHTTP(w, r)
			return
		}
		lw := &limitWriter{ResponseWriter: w, detail: detail}
		lw.body = limitBody{rc: http.MaxBytesReader(w, r.Body, limit)}
		r.Body = &lw.body
		next.ServeHTTP(lw, r)
		if lw.body.hit && !lw.wrote {
			lw.WriteHeader(http.StatusRequestEntityTooLarge)
		}
	})
}

// limitBody records whether the limit was hit.
type limitBody struct {
	rc  io.ReadCloser
	hit bool
}

func (b *limitBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	var mbe *http.MaxBytesError
	if err != nil && errors.As(err, &mbe) {
		b.hit = true
	}
	return n, err
}

func (b *limitBody) Close() error { return b.rc.Close() }

// limitWriter replaces the handler's response by a 413 once the body limit was hit.
type limitWriter struct {
	http.ResponseWriter
	body    limitBody
	detail  string
	wrote   bool
	swallow bool
}

func (w *limitWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code) // informational: the final status is still to come
		return
	}
	if w.wrote {
		return
	}
	w.wrote = true
	if w.body.hit {
		w.swallow = true
		writeProblem(w.ResponseWriter, http.StatusRequestEntityTooLarge, w.detail)
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *limitWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.swallow {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *limitWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection over (WebSocket upgrades).
func (w *limitWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Flush sends buffered data (after the status, which may become 413).
func (w *limitWriter) Flush() {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if !w.swallow {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}
