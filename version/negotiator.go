package version

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Spec declares one supported version and its lifecycle.
type Spec struct {
	// Version is the version text: "1", "2.1" or "2024-06-01" (see Parse). Required.
	Version string
	// Deprecated is when the version was, or will be, deprecated; zero means it is not.
	// Responses for it carry "Deprecation: @<unix seconds>" (RFC 9745) from the start, so
	// clients hear of a deprecation planned for a future date.
	Deprecated time.Time
	// Sunset is when the version stops working; zero means no date is set. Responses for it
	// carry "Sunset: <HTTP-date>" (RFC 8594); with Config.GoneAfterSunset it answers 410 Gone
	// from then on.
	Sunset time.Time
	// DeprecationLink, when set, is sent as `Link: <url>; rel="deprecation"` on responses for
	// this version: a page explaining the deprecation and how to migrate.
	DeprecationLink string
	// SunsetLink, when set, is sent as `Link: <url>; rel="sunset"`.
	SunsetLink string
	// Changes describe how this version differs from the previous one, so a handler written
	// for the newest version also serves older ones (see Change). The oldest version has none.
	Changes []Change
}

// Config holds the optional settings of a Negotiator. A nil *Config means all defaults.
type Config struct {
	// Readers say where requests name their version; several may be enabled, and a request
	// where two of them name different versions is rejected as ambiguous (400). Default:
	// Header("Api-Version") alone.
	Readers []Reader
	// Default is the version used when a request names none. Default: the newest version.
	// Must be empty when Required is set.
	Default string
	// Required rejects requests that name no version with 400 instead of using Default.
	Required bool
	// GoneAfterSunset answers 410 Gone to a version whose Spec.Sunset has passed. Default:
	// keep serving it (with the Sunset header).
	GoneAfterSunset bool
	// HideVersionHeaders stops the api-supported-versions and api-deprecated-versions headers
	// otherwise sent on every response. Deprecation, Sunset and Link are always sent.
	HideVersionHeaders bool
	// MaxBodyBytes bounds the JSON bodies a Change converts. A larger request body answers 413;
	// a larger response answers 500 rather than reach an old client in the wrong shape.
	// Default 8 MiB.
	MaxBodyBytes int64
	// Now is the clock for sunsets. Default: time.Now.
	Now func() time.Time
	// OnError answers a failed negotiation. Default: WriteProblem (problem+json, RFC 9457).
	// Vary and api-supported-versions are already set on w when it is called.
	OnError func(w http.ResponseWriter, r *http.Request, err *Error)
}

// Negotiator resolves the version of each request, rejects bad ones with problem+json, signals
// deprecation and sunset, and converts bodies for older versions. Build it with New; it is safe
// for concurrent use and never changes after New.
type Negotiator struct {
	entries     []*entry // ascending by version
	readers     []Reader
	paths       []*PathReader // readers that rewrite the path
	def         *entry
	required    bool
	gone        bool
	hideHeaders bool
	maxBody     int64
	now         func() time.Time
	onError     func(http.ResponseWriter, *http.Request, *Error)
	vary        []string // value for Vary, nil when no header reader
	supported   []string // value for Api-Supported-Versions
	deprecated  []string // value for Api-Deprecated-Versions
	all         []Version
	where       string // "header Api-Version or the path", for ErrRequired
}

// entry is one supported version with its precomputed headers.
type entry struct {
	v           Version
	spec        Spec
	deprecation []string
	sunset      []string
	links       []string
	changes     []*change // Spec.Changes, compiled
	later       []*change // changes of every newer version, oldest first
}

// Default body limit for conversions.
const defaultMaxBody = 8 << 20

// New builds a Negotiator for the given versions (in any order; at least one). Errors name the
// offending field: "version: versions[2].Version: ...".
func New(versions []Spec, cfg *Config) (*Negotiator, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	if len(versions) == 0 {
		return nil, errors.New("version: New needs at least one Spec")
	}
	n := &Negotiator{
		readers:     slices.Clone(cfg.Readers),
		required:    cfg.Required,
		gone:        cfg.GoneAfterSunset,
		hideHeaders: cfg.HideVersionHeaders,
		maxBody:     cfg.MaxBodyBytes,
		now:         cfg.Now,
		onError:     cfg.OnError,
	}
	if len(n.readers) == 0 {
		n.readers = []Reader{Header("Api-Version")}
	}
	if n.maxBody == 0 {
		n.maxBody = defaultMaxBody
	}
	if n.maxBody < 0 {
		return nil, errors.New("version: Config.MaxBodyBytes must be >= 0")
	}
	if n.now == nil {
		n.now = time.Now
	}
	if n.onError == nil {
		n.onError = WriteProblem
	}
	for i, rd := range n.readers {
		if rd == nil {
			return nil, fmt.Errorf("version: Config.Readers[%d] is nil", i)
		}
		if p, ok := rd.(*PathReader); ok {
			n.paths = append(n.paths, p)
		}
	}
	for i, s := range versions {
		v, err := Parse(s.Version)
		if err != nil {
			return nil, fmt.Errorf("version: versions[%d].Version: %w", i, err)
		}
		if !s.Deprecated.IsZero() && !s.Sunset.IsZero() && s.Sunset.Before(s.Deprecated) {
			return nil, fmt.Errorf("version: versions[%d] (%s): Sunset is before Deprecated", i, v)
		}
		e := &entry{v: v, spec: s}
		for j, c := range s.Changes {
			cc, err := compileChange(c)
			if err != nil {
				return nil, fmt.Errorf("version: versions[%d] (%s).Changes[%d]: %w", i, v, j, err)
			}
			e.changes = append(e.changes, cc)
		}
		e.precompute()
		n.entries = append(n.entries, e)
	}
	slices.SortFunc(n.entries, func(a, b *entry) int { return a.v.Compare(b.v) })
	for i := 1; i < len(n.entries); i++ {
		if n.entries[i].v.Same(n.entries[i-1].v) {
			return nil, fmt.Errorf("version: versions: %s and %s are the same version", n.entries[i-1].v, n.entries[i].v)
		}
		if n.entries[i].v.group() != n.entries[0].v.group() {
			return nil, fmt.Errorf("version: versions: %s and %s mix numbers and dates", n.entries[0].v, n.entries[i].v)
		}
	}
	if len(n.entries[0].changes) > 0 {
		return nil, fmt.Errorf("version: versions: the oldest version %s has Changes; changes describe a version's difference from the one before it", n.entries[0].v)
	}
	for i, e := range n.entries {
		for _, later := range n.entries[i+1:] {
			e.later = append(e.later, later.changes...)
		}
	}
	switch {
	case cfg.Required && cfg.Default != "":
		return nil, errors.New("version: Config.Default must be empty when Config.Required is set")
	case cfg.Default != "":
		v, err := Parse(cfg.Default)
		if err != nil {
			return nil, fmt.Errorf("version: Config.Default: %w", err)
		}
		if n.def = n.lookup(v); n.def == nil {
			return nil, fmt.Errorf("version: Config.Default: %s is not one of the versions", v)
		}
	case !cfg.Required:
		n.def = n.entries[len(n.entries)-1]
	}
	n.headers()
	return n, nil
}

func (e *entry) precompute() {
	if !e.spec.Deprecated.IsZero() {
		e.deprecation = []string{fmt.Sprintf("@%d", e.spec.Deprecated.Unix())}
	}
	if !e.spec.Sunset.IsZero() {
		e.sunset = []string{e.spec.Sunset.UTC().Format(http.TimeFormat)}
	}
	if e.spec.DeprecationLink != "" {
		e.links = append(e.links, "<"+e.spec.DeprecationLink+`>; rel="deprecation"; type="text/html"`)
	}
	if e.spec.SunsetLink != "" {
		e.links = append(e.links, "<"+e.spec.SunsetLink+`>; rel="sunset"`)
	}
}

func (n *Negotiator) headers() {
	var sup, dep, vary, where []string
	for _, e := range n.entries {
		n.all = append(n.all, e.v)
		if e.spec.Deprecated.IsZero() {
			sup = append(sup, e.v.String())
		} else {
			dep = append(dep, e.v.String())
		}
	}
	for _, rd := range n.readers {
		src := rd.Source()
		if h := src.Vary(); h != "" && !slices.Contains(vary, h) {
			vary = append(vary, h)
		}
		where = append(where, src.String())
	}
	if len(sup) > 0 {
		n.supported = []string{strings.Join(sup, ", ")}
	}
	if len(dep) > 0 {
		n.deprecated = []string{strings.Join(dep, ", ")}
	}
	if len(vary) > 0 {
		n.vary = []string{strings.Join(vary, ", ")}
	}
	n.where = strings.Join(where, " or the ")
}

// lookup returns the entry for v ("2.0" finds "2"), or nil.
func (n *Negotiator) lookup(v Version) *entry {
	lo, hi := 0, len(n.entries)
	for lo < hi {
		m := (lo + hi) / 2
		e := n.entries[m]
		if e.v.Same(v) {
			return e
		}
		if e.v.Compare(v) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return nil
}

// Versions returns the supported versions, oldest first.
func (n *Negotiator) Versions() []Version { return slices.Clone(n.all) }

// Latest returns the newest version, the one handlers are written for.
func (n *Negotiator) Latest() Version { return n.entries[len(n.entries)-1].v }

// Default returns the version used when a request names none, or the zero Version when
// Config.Required is set.
func (n *Negotiator) Default() Version {
	if n.def == nil {
		return Version{}
	}
	return n.def.v
}

// Resolve returns the version r asks for, or the default. It does not look at sunsets. A failure
// is an *Error carrying the status to answer with. Resolve does not allocate when it succeeds
// with the path, header or query readers.
func (n *Negotiator) Resolve(r *http.Request) (Version, error) {
	e, err := n.resolve(r)
	if err != nil {
		return Version{}, err
	}
	return e.v, nil
}

func (n *Negotiator) resolve(r *http.Request) (*entry, *Error) {
	var (
		found    Version
		foundRaw string
		from     = -1
	)
	for i, rd := range n.readers {
		raw, err := rd.Read(r)
		if err != nil {
			return nil, n.readError(rd.Source(), raw, err)
		}
		if raw == "" {
			continue
		}
		v, why := parse(raw)
		if why != "" {
			src := rd.Source()
			return nil, n.fail(ErrMalformed, statusFor(src.Kind), src, raw,
				fmt.Sprintf("API version %q in the %s is malformed: %s", clip(raw), src, why))
		}
		if from >= 0 && !v.Same(found) {
			a, b := n.readers[from].Source(), rd.Source()
			return nil, n.fail(ErrAmbiguous, http.StatusBadRequest, b, raw,
				fmt.Sprintf("the request names API version %q in the %s and %q in the %s; name one version", clip(foundRaw), a, clip(raw), b))
		}
		if from < 0 {
			found, foundRaw, from = v, raw, i
		}
	}
	if from < 0 {
		if n.def == nil {
			return nil, n.fail(ErrRequired, http.StatusBadRequest, Source{}, "",
				"name an API version in the "+n.where)
		}
		return n.def, nil
	}
	if e := n.lookup(found); e != nil {
		return e, nil
	}
	src := n.readers[from].Source()
	return nil, n.fail(ErrUnsupported, statusFor(src.Kind), src, foundRaw,
		fmt.Sprintf("API version %q in the %s is not supported", clip(foundRaw), src))
}

func (n *Negotiator) readError(src Source, raw string, err error) *Error {
	if errors.Is(err, ErrAmbiguous) {
		return n.fail(ErrAmbiguous, http.StatusBadRequest, src, raw,
			"the "+src.String()+" names several different API versions; name one version")
	}
	if errors.Is(err, ErrMalformed) {
		return n.fail(ErrMalformed, statusFor(src.Kind), src, raw,
			"the "+src.String()+" carries an empty API version")
	}
	return n.fail(ErrMalformed, statusFor(src.Kind), src, raw,
		"the "+src.String()+" could not be read: "+err.Error())
}

func (n *Negotiator) fail(sentinel error, status int, src Source, raw, detail string) *Error {
	sup := n.usable()
	return &Error{Err: sentinel, Status: status, Source: src, Value: raw, Supported: sup,
		Detail: detail + "; supported versions: " + joinVersions(sup)}
}

// usable lists the versions a client may switch to: not past a sunset that answers 410.
func (n *Negotiator) usable() []Version {
	out := make([]Version, 0, len(n.entries))
	for _, e := range n.entries {
		if !n.isGone(e) {
			out = append(out, e.v)
		}
	}
	return out
}

func (n *Negotiator) isGone(e *entry) bool {
	return n.gone && !e.spec.Sunset.IsZero() && !n.now().Before(e.spec.Sunset)
}
