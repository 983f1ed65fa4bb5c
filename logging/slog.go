package logging

import (
	"context"
	"log/slog"
	"time"

	"github.com/rs/zerolog"
)

// SlogHandler is a slog.Handler writing through a zerolog.Logger, for
// libraries that speak slog (River's Config.Logger takes a *slog.Logger).
// Groups become nested JSON objects, attributes bound with WithAttrs stay
// outside groups opened after them, and it passes testing/slogtest.
//
// zerolog v1.35.1 ships zerolog.NewSlogHandler, but that handler flattens
// groups into dotted keys and moves attributes bound before a WithGroup
// into that group, so it fails testing/slogtest; this one does not.
type SlogHandler struct {
	l         zerolog.Logger
	writeTime bool // write the record's time (l does not come from New)
	goas      []groupOrAttrs
}

// groupOrAttrs is one WithGroup or WithAttrs call, in order.
type groupOrAttrs struct {
	group string
	attrs []slog.Attr
}

var _ slog.Handler = (*SlogHandler)(nil)

// NewSlogHandler returns a slog.Handler writing to l. slog levels map to
// zerolog's: below Debug → trace, Debug → debug, Info → info, Warn → warn,
// Error and above → error. When l comes from New, New's timestamp setting
// applies (zerolog stamps the line, or OmitTimestamp drops it); otherwise a
// record's non-zero time is written under zerolog.TimestampFieldName.
//
//	river.Config{Logger: slog.New(logging.NewSlogHandler(logging.Component(l, "jobs")))}
func NewSlogHandler(l zerolog.Logger) *SlogHandler {
	m := loggerMeta(l)
	return &SlogHandler{l: l, writeTime: m == nil}
}

// Enabled implements slog.Handler.
func (h *SlogHandler) Enabled(_ context.Context, level slog.Level) bool {
	zl := slogLevel(level)
	return zl >= h.l.GetLevel() && zl >= zerolog.GlobalLevel() && h.l.GetLevel() != zerolog.Disabled
}

// Handle implements slog.Handler.
func (h *SlogHandler) Handle(ctx context.Context, r slog.Record) error {
	e := h.l.WithLevel(slogLevel(r.Level))
	if e == nil {
		return nil
	}
	if ctx != nil {
		e.Ctx(ctx)
	}
	if h.writeTime && !r.Time.IsZero() {
		e.Time(zerolog.TimestampFieldName, r.Time)
	}
	writeGoas(e, h.goas, r)
	e.Msg(r.Message)
	return nil
}

// writeGoas writes goas and then the record's attributes into e, opening a
// nested dict per group; a group left empty is not written. It reports how
// many fields it wrote.
func writeGoas(e *zerolog.Event, goas []groupOrAttrs, r slog.Record) int {
	n := 0
	for i, g := range goas {
		if g.group == "" {
			for _, a := range g.attrs {
				n += writeAttr(e, a)
			}
			continue
		}
		d := e.CreateDict()
		if k := writeGoas(d, goas[i+1:], r); k > 0 {
			e.Dict(g.group, d)
			n += k
		}
		return n
	}
	r.Attrs(func(a slog.Attr) bool {
		n += writeAttr(e, a)
		return true
	})
	return n
}

func writeAttr(e *zerolog.Event, a slog.Attr) int {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return 0
	}
	v := a.Value
	switch v.Kind() {
	case slog.KindGroup:
		attrs := v.Group()
		if len(attrs) == 0 {
			return 0
		}
		if a.Key == "" { // inline
			n := 0
			for _, ga := range attrs {
				n += writeAttr(e, ga)
			}
			return n
		}
		d := e.CreateDict()
		n := 0
		for _, ga := range attrs {
			n += writeAttr(d, ga)
		}
		if n == 0 {
			return 0
		}
		e.Dict(a.Key, d)
		return 1
	case slog.KindString:
		e.Str(a.Key, v.String())
	case slog.KindInt64:
		e.Int64(a.Key, v.Int64())
	case slog.KindUint64:
		e.Uint64(a.Key, v.Uint64())
	case slog.KindFloat64:
		e.Float64(a.Key, v.Float64())
	case slog.KindBool:
		e.Bool(a.Key, v.Bool())
	case slog.KindDuration:
		e.Int64(a.Key, int64(v.Duration()))
	case slog.KindTime:
		e.Time(a.Key, v.Time())
	default:
		switch x := v.Any().(type) {
		case error:
			e.Str(a.Key, x.Error())
		case []byte:
			e.Bytes(a.Key, x)
		case time.Duration:
			e.Int64(a.Key, int64(x))
		default:
			e.Interface(a.Key, x)
		}
	}
	return 1
}

// WithAttrs implements slog.Handler.
func (h *SlogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return h.with(groupOrAttrs{attrs: attrs})
}

// WithGroup implements slog.Handler.
func (h *SlogHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return h.with(groupOrAttrs{group: name})
}

func (h *SlogHandler) with(g groupOrAttrs) *SlogHandler {
	h2 := *h
	h2.goas = make([]groupOrAttrs, len(h.goas)+1)
	copy(h2.goas, h.goas)
	h2.goas[len(h.goas)] = g
	return &h2
}

func slogLevel(l slog.Level) zerolog.Level {
	switch {
	case l < slog.LevelDebug:
		return zerolog.TraceLevel
	case l < slog.LevelInfo:
		return zerolog.DebugLevel
	case l < slog.LevelWarn:
		return zerolog.InfoLevel
	case l < slog.LevelError:
		return zerolog.WarnLevel
	}
	return zerolog.ErrorLevel
}
