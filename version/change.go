package version

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Change is one difference between a version and the version before it, declared on the newer
// version's Spec. Handlers are written for the newest version only: when a client asks for an
// older one, the Middleware converts its JSON request body up through every newer version's
// Request functions (oldest first), runs the handler, then converts the JSON response down
// through every newer version's Response functions (newest first) — Stripe's scheme.
//
// Bodies are decoded with encoding/json into map[string]any, []any, string, bool, nil and
// json.Number (numbers keep their precision); a function edits the value in place or returns a
// new one. Only application/json and +json bodies are converted (not application/problem+json).
// A request body that is not valid JSON is passed to the handler untouched, for it to reject.
// Responses of a converted route are buffered, so they cannot stream.
type Change struct {
	// Description says what changed, for people: "price is an object {amount, currency}".
	// Required.
	Description string
	// Routes limits the change to requests matching these http.ServeMux patterns, matched on
	// the path without the version segment ("GET /api/products/{id}"). Empty: every route.
	Routes []string
	// Request converts a request body written for the previous version into this version's
	// shape. nil when requests did not change. An error answers 400 with its message.
	Request func(r *http.Request, body any) (any, error)
	// Response converts a response body of this version into the previous version's shape.
	// status is the response status, so error bodies can be left alone. nil when responses
	// did not change. An error answers 500.
	Response func(r *http.Request, status int, body any) (any, error)
}

// change is a Change with its routes compiled into a ServeMux used only for matching.
type change struct {
	Change
	mux *http.ServeMux
}

var matched = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

func compileChange(c Change) (cc *change, err error) {
	if c.Description == "" {
		return nil, errors.New("the Description is empty")
	}
	if c.Request == nil && c.Response == nil {
		return nil, errors.New("neither Request nor Response is set")
	}
	cc = &change{Change: c}
	if len(c.Routes) == 0 {
		return cc, nil
	}
	cc.mux = http.NewServeMux()
	defer func() {
		if p := recover(); p != nil { // ServeMux panics on a bad or duplicate pattern
			cc, err = nil, fmt.Errorf("bad Routes: %v", p)
		}
	}()
	for _, pat := range c.Routes {
		cc.mux.Handle(pat, matched)
	}
	return cc, nil
}

func (c *change) matches(r *http.Request) bool {
	if c.mux == nil {
		return true
	}
	_, pat := c.mux.Handler(r)
	return pat != ""
}

// convert serves r through next with the changes of versions newer than e applied. It returns
// false, having done nothing, when no change matches the route.
func (n *Negotiator) convert(w http.ResponseWriter, r *http.Request, e *entry, next http.Handler) bool {
	var req, resp []*change
	for _, c := range e.later {
		if !c.matches(r) {
			continue
		}
		if c.Request != nil {
			req = append(req, c)
		}
		if c.Response != nil {
			resp = append(resp, c)
		}
	}
	if req == nil && resp == nil {
		return false
	}
	if req != nil && r.Body != nil && r.Body != http.NoBody && isJSON(r.Header.Get("Content-Type")) {
		var ok bool
		if r, ok = n.convertRequest(w, r, req); !ok {
			return true
		}
	}
	if resp == nil {
		next.ServeHTTP(w, r)
		return true
	}
	bw := &bufferedWriter{ResponseWriter: w, max: n.maxBody}
	next.ServeHTTP(bw, r)
	n.finishResponse(w, r, bw, resp)
	return true
}

func (n *Negotiator) convertRequest(w http.ResponseWriter, r *http.Request, req []*change) (*http.Request, bool) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, n.maxBody+1))
	_ = r.Body.Close()
	if err != nil {
		n.onError(w, r, &Error{Err: ErrConversion, Status: http.StatusBadRequest,
			Detail: "the request body could not be read: " + err.Error()})
		return nil, false
	}
	if int64(len(raw)) > n.maxBody {
		n.onError(w, r, &Error{Err: ErrConversion, Status: http.StatusRequestEntityTooLarge,
			Detail: "the request body is larger than " + strconv.FormatInt(n.maxBody, 10) + " bytes"})
		return nil, false
	}
	out := raw
	if body, derr := decodeJSON(raw); derr == nil {
		for _, c := range req {
			if body, err = c.Request(r, body); err != nil {
				n.onError(w, r, &Error{Err: ErrConversion, Status: http.StatusBadRequest,
					Detail: "the request body cannot be converted to the current API version (" + c.Description + "): " + err.Error()})
				return nil, false
			}
		}
		if out, err = json.Marshal(body); err != nil {
			n.onError(w, r, &Error{Err: ErrConversion, Status: http.StatusInternalServerError,
				Detail: "the converted request body cannot be encoded: " + err.Error()})
			return nil, false
		}
	}
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(out))
	r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(out)), nil }
	r2.ContentLength = int64(len(out))
	r2.Header.Set("Content-Length", strconv.Itoa(len(out)))
	return r2, true
}

func (n *Negotiator) finishResponse(w http.ResponseWriter, r *http.Request, bw *bufferedWriter, resp []*change) {
	status := bw.status
	if status == 0 {
		status = http.StatusOK
	}
	h := w.Header()
	body := bw.buf.Bytes()
	if bw.overflow {
		n.onError(w, r, &Error{Err: ErrConversion, Status: http.StatusInternalServerError,
			Detail: "the response is larger than " + strconv.FormatInt(n.maxBody, 10) + " bytes and cannot be converted to API version " + Get(r.Context()).String()})
		return
	}
	if len(body) > 0 && isJSON(h.Get("Content-Type")) {
		v, err := decodeJSON(body)
		if err == nil {
			for i := len(resp) - 1; i >= 0 && err == nil; i-- {
				v, err = resp[i].Response(r, status, v)
				if err != nil {
					err = fmt.Errorf("%s: %w", resp[i].Description, err)
				}
			}
		}
		if err == nil {
			body, err = json.Marshal(v)
		}
		if err != nil {
			h.Del("Content-Type")
			n.onError(w, r, &Error{Err: ErrConversion, Status: http.StatusInternalServerError,
				Detail: "the response cannot be converted to API version " + Get(r.Context()).String() + ": " + err.Error()})
			return
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("trailing data after JSON value")
	}
	return v, nil
}

// bufferedWriter holds a response so it can be converted before it is sent. Headers go straight
// to the real writer's map; status and body wait.
type bufferedWriter struct {
	http.ResponseWriter
	buf      bytes.Buffer
	status   int
	max      int64
	overflow bool
}

func (b *bufferedWriter) WriteHeader(code int) {
	if code < 200 { // informational (103 Early Hints): send now
		b.ResponseWriter.WriteHeader(code)
		return
	}
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	if b.overflow {
		return len(p), nil
	}
	if int64(b.buf.Len()+len(p)) > b.max {
		b.overflow = true
		b.buf.Reset()
		return len(p), nil
	}
	return b.buf.Write(p)
}

// Flush does nothing: a converted response is sent whole.
func (b *bufferedWriter) Flush() {}

// Unwrap lets http.ResponseController reach the real writer.
func (b *bufferedWriter) Unwrap() http.ResponseWriter { return b.ResponseWriter }

// EachObject calls fn on body when it is a JSON object, or on each object of body when it is a
// JSON array, so one Change serves both "GET /products/{id}" and "GET /products". Other values
// are left alone. It stops at the first error.
func EachObject(body any, fn func(obj map[string]any) error) error {
	switch b := body.(type) {
	case map[string]any:
		return fn(b)
	case []any:
		for _, el := range b {
			if obj, ok := el.(map[string]any); ok {
				if err := fn(obj); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
