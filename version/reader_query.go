package version

import (
	"net/http"
	"net/url"
	"strings"
)

// QueryReader reads the version from a query parameter, "?version=2" by default. Repeating the
// parameter with different versions is ambiguous; an empty value is malformed.
type QueryReader struct {
	name string
}

var _ Reader = (*QueryReader)(nil)

// Query returns a reader for the named query parameter; "" means "version".
func Query(name string) *QueryReader {
	if name == "" {
		name = "version"
	}
	return &QueryReader{name: name}
}

// Source returns {SourceQuery, name}.
func (q *QueryReader) Source() Source { return Source{Kind: SourceQuery, Name: q.param()} }

// param is the parameter name; the zero QueryReader reads "version".
func (q *QueryReader) param() string {
	if q.name == "" {
		return "version"
	}
	return q.name
}

// Read scans r.URL.RawQuery without building url.Values, so it allocates only when a key or
// value is percent-encoded.
func (q *QueryReader) Read(r *http.Request) (string, error) {
	var c collector
	name := q.param()
	rest := r.URL.RawQuery
	for rest != "" {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		key, val, _ := strings.Cut(pair, "=")
		if !queryKeyIs(key, name) {
			continue
		}
		if strings.ContainsAny(val, "%+") {
			u, err := url.QueryUnescape(val)
			if err != nil {
				u = val // bad escape: keep the text so it is reported as malformed
			}
			val = u
		}
		if err := c.add(val); err != nil {
			return "", err
		}
	}
	return c.result()
}

func queryKeyIs(key, name string) bool {
	if key == name {
		return true
	}
	if !strings.ContainsAny(key, "%+") {
		return false
	}
	u, err := url.QueryUnescape(key)
	return err == nil && u == name
}
