package version

import (
	"net/http"
	"strings"
)

// MediaTypeReader reads the version from the Accept header, in either form:
//
//   - a media-type parameter: "Accept: application/json; version=2" (Param, "version" by default);
//   - a vendor media type: "Accept: application/vnd.acme.v2+json" (when Vendor is "acme").
//     The part after the vendor counts as a version when it looks like one ("v2", "2.1");
//     "application/vnd.acme.product+json" names no version.
//
// Every media range is examined; ranges naming different versions are ambiguous. Responses Vary
// on Accept. An unsupported or malformed version here answers 406 Not Acceptable.
type MediaTypeReader struct {
	// Vendor enables vendor media types application/vnd.<Vendor>.<version>+<suffix> (and
	// without "+suffix"). Empty disables them.
	Vendor string
	// Param is the media-type parameter holding the version; empty means "version".
	Param string
}

var _ Reader = (*MediaTypeReader)(nil)

// MediaType returns a reader for the "version" parameter of Accept and, when vendor is not
// empty, for application/vnd.<vendor>.v<N>+json.
func MediaType(vendor string) *MediaTypeReader {
	return &MediaTypeReader{Vendor: vendor}
}

// Source returns {SourceMediaType, "Accept"}.
func (m *MediaTypeReader) Source() Source { return Source{Kind: SourceMediaType, Name: "Accept"} }

// Read returns the version text found in the Accept header, or "".
func (m *MediaTypeReader) Read(r *http.Request) (string, error) {
	param := m.Param
	if param == "" {
		param = "version"
	}
	var c collector
	for _, line := range r.Header["Accept"] {
		for line != "" {
			var rng string
			rng, line = nextRange(line)
			if err := m.readRange(rng, param, &c); err != nil {
				return "", err
			}
		}
	}
	return c.result()
}

// nextRange cuts one media range off an Accept value, honouring quoted strings.
func nextRange(s string) (string, string) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case '\\':
			if quoted {
				i++
			}
		case ',':
			if !quoted {
				return s[:i], s[i+1:]
			}
		}
	}
	return s, ""
}

func (m *MediaTypeReader) readRange(rng, param string, c *collector) error {
	mt, params, _ := strings.Cut(rng, ";")
	mt = trimOWS(mt)
	if m.Vendor != "" {
		if raw, ok := vendorVersion(mt, m.Vendor); ok && looksLikeVersion(raw) {
			if err := c.add(raw); err != nil {
				return err
			}
		}
	}
	for params != "" {
		var p string
		p, params = nextParam(params)
		name, val, _ := strings.Cut(p, "=")
		if !strings.EqualFold(trimOWS(name), param) {
			continue
		}
		val = trimOWS(val)
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = val[1 : len(val)-1] // escapes inside are left as is and fail to parse
		}
		if err := c.add(val); err != nil {
			return err
		}
	}
	return nil
}

// nextParam cuts one parameter off "; a=1; b=\"x;y\"", honouring quoted strings.
func nextParam(s string) (string, string) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case '\\':
			if quoted {
				i++
			}
		case ';':
			if !quoted {
				return s[:i], s[i+1:]
			}
		}
	}
	return s, ""
}

// vendorVersion reads "application/vnd.acme.v2+json": the part between "vnd.acme." and "+".
func vendorVersion(mt, vendor string) (string, bool) {
	typ, sub, ok := strings.Cut(mt, "/")
	if !ok || !strings.EqualFold(typ, "application") {
		return "", false
	}
	if len(sub) < 4+len(vendor)+1 || !strings.EqualFold(sub[:4], "vnd.") ||
		!strings.EqualFold(sub[4:4+len(vendor)], vendor) || sub[4+len(vendor)] != '.' {
		return "", false
	}
	raw := sub[4+len(vendor)+1:]
	if i := strings.IndexByte(raw, '+'); i >= 0 {
		raw = raw[:i]
	}
	return raw, true
}
