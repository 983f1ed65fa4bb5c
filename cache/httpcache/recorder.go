package httpcache

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"net/http"
)

var (
	_ http.ResponseWriter = (*recorder)(nil)
	_ http.Flusher        = (*recorder)(nil)
	_ http.Hijacker       = (*recorder)(nil)
)

// recorder is the ResponseWriter a page's handler writes to on a miss. It buffers the
// response so it can be stored; when the handler streams (Flush), hijacks the connection, or
// writes more than MaxBodyBytes, it switches to pass-through: what was buffered is written to
// the client and the rest goes straight through, and the page is not stored.
type recorder struct {
	w       http.ResponseWriter
	req     *http.Request
	state   *pageState
	header  http.Header
	body    bytes.Buffer
	maxBody int
	status  int
	wrote   bool
	// passReason is set once the recorder has switched to pass-through.
	passReason string
	// onPass sets the headers the middleware adds to a pass-through response.
	onPass func(h http.Header, reason string)
	// head: the client asked for HEAD (the handler runs as GET); the body is never sent.
	head bool
}

func (rec *recorder) Header() http.Header {
	if rec.passReason != "" {
		return rec.w.Header()
	}
	return rec.header
}

func (rec *recorder) WriteHeader(code int) {
	if rec.passReason != "" {
		rec.w.WriteHeader(code)
		return
	}
	if rec.wrote {
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		// Informational (103 Early Hints): forward, keep the final response to come.
		h := rec.w.Header()
		for k, v := range rec.header {
			h[k] = v
		}
		rec.w.WriteHeader(code)
		return
	}
	rec.status, rec.wrote = code, true
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.passReason != "" {
		if rec.head {
			return len(p), nil
		}
		return rec.w.Write(p)
	}
	if !rec.wrote {
		rec.WriteHeader(http.StatusOK)
	}
	if rec.body.Len()+len(p) > rec.maxBody {
		if err := rec.pass(reasonTooLarge); err != nil {
			return 0, err
		}
		return rec.Write(p)
	}
	return rec.body.Write(p)
}

// pass switches to pass-through, writing what was buffered.
func (rec *recorder) pass(reason string) error {
	if rec.passReason != "" {
		return nil
	}
	rec.passReason = reason
	h := rec.w.Header()
	for k, v := range rec.header {
		h[k] = v
	}
	rec.onPass(h, reason)
	if !rec.wrote {
		return nil // the handler has not written yet: it will, straight through
	}
	rec.w.WriteHeader(rec.status)
	if rec.body.Len() > 0 && !rec.head {
		_, err := rec.w.Write(rec.body.Bytes())
		rec.body = bytes.Buffer{}
		return err
	}
	return nil
}

// Flush makes the response a stream: it is sent now and never stored.
func (rec *recorder) Flush() { _ = rec.FlushError() }

// FlushError is Flush reporting the underlying writer's error (used by http.ResponseController).
func (rec *recorder) FlushError() error {
	if !rec.wrote && rec.passReason == "" {
		rec.WriteHeader(http.StatusOK)
	}
	if err := rec.pass(reasonStreamed); err != nil {
		return err
	}
	return http.NewResponseController(rec.w).Flush()
}

// Hijack hands the connection to the handler; the response is not stored.
func (rec *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if rec.passReason == "" {
		rec.passReason = reasonStreamed
	}
	h, ok := rec.w.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("httpcache: the underlying ResponseWriter cannot hijack")
	}
	return h.Hijack()
}

// Unwrap returns the client's ResponseWriter (for http.ResponseController's deadlines).
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.w }
