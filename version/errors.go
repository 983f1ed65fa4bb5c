package version

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// Sentinel errors. Every *Error and *ParseError wraps exactly one of them, so callers branch with
// errors.Is.
var (
	// ErrMalformed: the request names a version that is not a version ("v1x", "2024-13-01",
	// longer than MaxLen).
	ErrMalformed = errors.New("version: malformed API version")
	// ErrUnsupported: a well-formed version that is not in the supported set.
	ErrUnsupported = errors.New("version: unsupported API version")
	// ErrAmbiguous: the request names two different versions (two readers disagree, or one
	// reader finds several values).
	ErrAmbiguous = errors.New("version: ambiguous API version")
	// ErrRequired: Config.Required is set and the request names no version.
	ErrRequired = errors.New("version: API version required")
	// ErrSunset: the version is past its sunset and Config.GoneAfterSunset is set.
	ErrSunset = errors.New("version: API version is past its sunset")
	// ErrNotAvailable: a Router has no handler for this route in the requested version (the
	// route was added later, or removed).
	ErrNotAvailable = errors.New("version: route not available in this API version")
	// ErrConversion: a Change could not convert a request or response body.
	ErrConversion = errors.New("version: body conversion failed")
)

// Problem type URIs used in the "type" member of problem+json bodies (RFC 9457).
const (
	ProblemMalformed    = "urn:buttress:version:malformed"
	ProblemUnsupported  = "urn:buttress:version:unsupported"
	ProblemAmbiguous    = "urn:buttress:version:ambiguous"
	ProblemRequired     = "urn:buttress:version:required"
	ProblemSunset       = "urn:buttress:version:sunset"
	ProblemNotAvailable = "urn:buttress:version:not-available"
	ProblemConversion   = "urn:buttress:version:conversion"
)

// Error is a failed negotiation. It carries the HTTP status the client gets: malformed or
// unsupported versions answer 404 from the path or host, 406 from the media type and 400 from a
// header or the query; ambiguous and missing versions answer 400; a sunset version 410.
type Error struct {
	Err       error     // the sentinel: ErrMalformed, ErrUnsupported, ErrAmbiguous, ...
	Status    int       // the HTTP status to answer with
	Source    Source    // where the offending version came from (zero for ErrRequired)
	Value     string    // the text the client sent, as sent (may be long)
	Detail    string    // a sentence for the client saying what to change
	Supported []Version // the versions the client may use instead
}

// Error returns the sentinel's message and the detail.
func (e *Error) Error() string {
	if e.Detail != "" {
		return e.Err.Error() + ": " + e.Detail
	}
	return e.Err.Error()
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// problem is the RFC 9457 body. Extension members carry the versions.
type problem struct {
	Type      string   `json:"type"`
	Title     string   `json:"title"`
	Status    int      `json:"status"`
	Detail    string   `json:"detail,omitempty"`
	Instance  string   `json:"instance,omitempty"`
	Requested string   `json:"requested_version,omitempty"`
	Source    string   `json:"version_source,omitempty"`
	Supported []string `json:"supported_versions"`
}

func (e *Error) problem() problem {
	p := problem{Status: e.Status, Detail: e.Detail, Supported: make([]string, 0, len(e.Supported))}
	switch {
	case errors.Is(e.Err, ErrMalformed):
		p.Type, p.Title = ProblemMalformed, "Malformed API version"
	case errors.Is(e.Err, ErrUnsupported):
		p.Type, p.Title = ProblemUnsupported, "Unsupported API version"
	case errors.Is(e.Err, ErrAmbiguous):
		p.Type, p.Title = ProblemAmbiguous, "Ambiguous API version"
	case errors.Is(e.Err, ErrRequired):
		p.Type, p.Title = ProblemRequired, "API version required"
	case errors.Is(e.Err, ErrSunset):
		p.Type, p.Title = ProblemSunset, "API version retired"
	case errors.Is(e.Err, ErrNotAvailable):
		p.Type, p.Title = ProblemNotAvailable, "Not available in this API version"
	default:
		p.Type, p.Title = ProblemConversion, "API version conversion failed"
	}
	if e.Value != "" {
		p.Requested = clip(e.Value)
	}
	if e.Source.Kind != SourceNone {
		p.Source = e.Source.String()
	}
	for _, v := range e.Supported {
		p.Supported = append(p.Supported, v.String())
	}
	return p
}

// WriteProblem answers with err as an application/problem+json body (RFC 9457): type, title,
// status, detail, plus the extension members requested_version, version_source and
// supported_versions. Headers already set on w (Vary, api-supported-versions, Sunset...) are kept.
func WriteProblem(w http.ResponseWriter, r *http.Request, err *Error) {
	p := err.problem()
	if r != nil && r.URL != nil {
		p.Instance = r.URL.RequestURI()
	}
	body, jerr := json.Marshal(p)
	if jerr != nil { // cannot happen with these field types; answer plainly rather than panic
		body = []byte(`{"type":"about:blank","status":500}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(err.Status)
	if r == nil || r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// statusFor is the answer to a malformed or unsupported version from a source.
func statusFor(k SourceKind) int {
	switch k {
	case SourcePath, SourceHost:
		return http.StatusNotFound
	case SourceMediaType:
		return http.StatusNotAcceptable
	default:
		return http.StatusBadRequest
	}
}

func joinVersions(vs []Version) string {
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(v.String())
	}
	return b.String()
}
