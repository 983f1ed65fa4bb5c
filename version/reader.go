package version

import "net/http"

// SourceKind is where in a request a version is read from. It decides the status of a bad
// version: 404 for the path and host, 406 for the media type, 400 for a header or the query.
type SourceKind uint8

// The sources a Reader may read from.
const (
	SourceNone      SourceKind = iota // no source (a default version, or a missing one)
	SourcePath                        // a path segment: /api/v2/products
	SourceHeader                      // a request header: Api-Version: 2
	SourceMediaType                   // the Accept header: application/json; version=2
	SourceQuery                       // a query parameter: ?version=2
	SourceHost                        // a host label: v2.api.example.com
)

// Source names a reader's place in the request: its kind and, for headers, the media type and
// the query, the header or parameter name.
type Source struct {
	Kind SourceKind
	Name string // header name for SourceHeader and SourceMediaType, parameter for SourceQuery
}

// String describes the source for people: "path", "header Api-Version", "query parameter version".
func (s Source) String() string {
	switch s.Kind {
	case SourcePath:
		return "path"
	case SourceHeader:
		return "header " + s.Name
	case SourceMediaType:
		return "media type in " + s.Name
	case SourceQuery:
		return "query parameter " + s.Name
	case SourceHost:
		return "host"
	}
	return ""
}

// Vary returns the request header a response must Vary on when this source is enabled, or "".
func (s Source) Vary() string {
	if s.Kind == SourceHeader || s.Kind == SourceMediaType {
		return s.Name
	}
	return ""
}

// Reader finds the version a request asks for in one place. The readers of this package are
// Path, Header, MediaType, Query and Host; a Negotiator combines several.
type Reader interface {
	// Source says where the reader looks; it must not change after the Negotiator is built.
	Source() Source
	// Read returns the version text the request carries, or "" when it carries none. When it
	// carries several values naming different versions, Read returns ErrAmbiguous; when it
	// carries an empty value, ErrMalformed. Other text that is not a version is returned as it
	// is, so the Negotiator rejects it as malformed rather than silently using the default.
	Read(r *http.Request) (string, error)
}

// collector merges the values one reader finds: repeats of one version are fine, different
// versions are ambiguous, and the first malformed value wins so the client hears about it.
type collector struct {
	raw string
	v   Version
	n   int
	bad bool
}

func (c *collector) add(raw string) error {
	v, why := parse(raw)
	switch {
	case c.n == 0:
		c.raw, c.v, c.bad, c.n = raw, v, why != "", 1
	case c.bad:
	case why != "":
		c.raw, c.bad = raw, true
	case !v.Same(c.v):
		return ErrAmbiguous
	}
	return nil
}

// result is what Read returns for the values collected.
func (c *collector) result() (string, error) {
	if c.bad && c.raw == "" {
		return "", ErrMalformed
	}
	return c.raw, nil
}
