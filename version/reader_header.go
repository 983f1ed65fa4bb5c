package version

import (
	"net/http"
	"net/textproto"
	"strings"
)

// HeaderReader reads the version from a request header, "Api-Version: 2" by default. Responses
// Vary on the header. Several header lines, or a comma-separated list, are accepted when they
// all name the same version and rejected as ambiguous otherwise.
type HeaderReader struct {
	name string // canonical form, so the lookup does not allocate
}

var _ Reader = (*HeaderReader)(nil)

// Header returns a reader for the named header; "" means "Api-Version".
func Header(name string) *HeaderReader {
	if name == "" {
		name = "Api-Version"
	}
	return &HeaderReader{name: textproto.CanonicalMIMEHeaderKey(name)}
}

// Source returns {SourceHeader, name}.
func (h *HeaderReader) Source() Source { return Source{Kind: SourceHeader, Name: h.header()} }

// header is the canonical header name; the zero HeaderReader reads "Api-Version".
func (h *HeaderReader) header() string {
	if h.name == "" {
		return "Api-Version"
	}
	return h.name
}

// Read returns the header's version text.
func (h *HeaderReader) Read(r *http.Request) (string, error) {
	var c collector
	for _, line := range r.Header[h.header()] {
		for {
			elem, rest, more := strings.Cut(line, ",")
			if err := c.add(trimOWS(elem)); err != nil {
				return "", err
			}
			if !more {
				break
			}
			line = rest
		}
	}
	return c.result()
}

func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
