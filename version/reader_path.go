package version

import (
	"net/http"
	"net/url"
	"strings"
)

// PathReader reads the version from the path segment right after a prefix: with the prefix
// "/api", "/api/v2/products" asks for version 2. A segment counts as a version when it is "v"
// followed by a digit, or only digits, dots and dashes; "/api/products" and "/api/2fa" name no
// version (the default applies) while "/api/v2x/products" and "/api/2024-13-01/products" are
// malformed and answer 404.
//
// By default the Negotiator rewrites the request so the router sees the path without the version
// segment ("/api/v2/products" is routed as "/api/products"), which lets one http.ServeMux pattern
// ("GET /api/products") serve every version. Set KeepPath to route the original path instead.
type PathReader struct {
	prefix string // "" or "/api" (no trailing slash)
	// KeepPath leaves r.URL.Path untouched instead of removing the version segment.
	KeepPath bool
}

var _ Reader = (*PathReader)(nil)

// Path returns a reader for the segment after prefix; "" or "/" means the first segment
// ("/v2/products"). The prefix must match whole segments.
func Path(prefix string) *PathReader {
	prefix = strings.TrimRight(prefix, "/")
	if prefix != "" && prefix[0] != '/' {
		prefix = "/" + prefix
	}
	return &PathReader{prefix: prefix}
}

// Prefix returns the prefix before the version segment ("" for the first segment).
func (p *PathReader) Prefix() string { return p.prefix }

// Source returns {SourcePath, ""}.
func (p *PathReader) Source() Source { return Source{Kind: SourcePath} }

// Read returns the version segment of r.URL.Path, or "" when there is none.
func (p *PathReader) Read(r *http.Request) (string, error) {
	seg, _, _ := p.segment(r.URL.Path)
	return seg, nil
}

// segment finds the version segment of path and its bounds [start, end).
func (p *PathReader) segment(path string) (string, int, int) {
	if !strings.HasPrefix(path, p.prefix) || len(path) <= len(p.prefix) || path[len(p.prefix)] != '/' {
		return "", 0, 0
	}
	start := len(p.prefix) + 1
	end := strings.IndexByte(path[start:], '/')
	if end < 0 {
		end = len(path)
	} else {
		end += start
	}
	seg := path[start:end]
	if !looksLikeVersion(seg) {
		return "", 0, 0
	}
	return seg, start, end
}

// strip removes the version segment: "/api/v2/products" → "/api/products", "/api/v2" → "/api",
// "/v2" → "/".
func (p *PathReader) strip(path string) (string, bool) {
	_, start, end := p.segment(path)
	if end == 0 {
		return path, false
	}
	out := path[:start-1] + path[end:]
	if out == "" {
		out = "/"
	}
	return out, true
}

// rewriteURL returns a copy of u without the version segment, or nil when u has none.
func (p *PathReader) rewriteURL(u *url.URL) *url.URL {
	path, ok := p.strip(u.Path)
	if !ok {
		return nil
	}
	u2 := *u
	u2.Path = path
	if u2.RawPath != "" {
		if raw, ok := p.strip(u2.RawPath); ok {
			u2.RawPath = raw
		} else {
			u2.RawPath = ""
		}
	}
	return &u2
}
