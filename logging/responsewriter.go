package logging

import (
	"bufio"
	"io"
	"net"
	"net/http"
)

// responseWriter records the status and body size of a response. It keeps
// the optional interfaces of the writer it wraps reachable: Flush and Hijack
// delegate through http.ResponseController, ReadFrom keeps sendfile, and
// Unwrap lets http.NewResponseController find everything else.
type responseWriter struct {
	w           http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

var (
	_ http.ResponseWriter = (*responseWriter)(nil)
	_ http.Flusher        = (*responseWriter)(nil)
	_ http.Hijacker       = (*responseWriter)(nil)
	_ io.ReaderFrom       = (*responseWriter)(nil)
)

// takeWriter returns w itself when it already is a responseWriter (an outer
// AccessLog or Recover wrapped it), else the request state's embedded writer
// the first time it is asked for, else a new one.
func takeWriter(w http.ResponseWriter, s *reqState) *responseWriter {
	if rw, ok := w.(*responseWriter); ok {
		return rw
	}
	if s != nil && !s.rwUsed {
		s.rwUsed = true
		s.rw = responseWriter{w: w}
		return &s.rw
	}
	return &responseWriter{w: w}
}

// Header implements http.ResponseWriter.
func (rw *responseWriter) Header() http.Header { return rw.w.Header() }

// WriteHeader implements http.ResponseWriter. Informational (1xx) headers
// other than 101 pass through without being recorded as the status.
func (rw *responseWriter) WriteHeader(code int) {
	if rw.wroteHeader {
		rw.w.WriteHeader(code) // let net/http report the superfluous call
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		rw.w.WriteHeader(code)
		return
	}
	rw.status, rw.wroteHeader = code, true
	rw.w.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (rw *responseWriter) Write(p []byte) (int, error) {
	if !rw.wroteHeader {
		rw.status, rw.wroteHeader = http.StatusOK, true
	}
	n, err := rw.w.Write(p)
	rw.bytes += int64(n)
	return n, err
}

// ReadFrom implements io.ReaderFrom, keeping the wrapped writer's sendfile
// path when it has one.
func (rw *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	if !rw.wroteHeader {
		rw.status, rw.wroteHeader = http.StatusOK, true
	}
	if rf, ok := rw.w.(io.ReaderFrom); ok {
		n, err := rf.ReadFrom(src)
		rw.bytes += n
		return n, err
	}
	return io.Copy(writerOnly{rw}, src)
}

type writerOnly struct{ io.Writer }

// Flush implements http.Flusher; it is a no-op when the wrapped writer
// cannot flush.
func (rw *responseWriter) Flush() {
	if !rw.wroteHeader {
		rw.status, rw.wroteHeader = http.StatusOK, true
	}
	_ = http.NewResponseController(rw.w).Flush()
}

// Hijack implements http.Hijacker; it returns an error wrapping
// http.ErrNotSupported when the wrapped writer cannot hijack.
func (rw *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, b, err := http.NewResponseController(rw.w).Hijack()
	if err == nil && !rw.wroteHeader {
		rw.status, rw.wroteHeader = http.StatusSwitchingProtocols, true
	}
	return c, b, err
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (rw *responseWriter) Unwrap() http.ResponseWriter { return rw.w }
