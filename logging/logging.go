package logging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rs/zerolog"
)

// ErrInvalidConfig is wrapped by every validation error returned by this
// package's constructors; the message names the offending Config field.
var ErrInvalidConfig = errors.New("logging: invalid config")

// Format selects how New renders log lines.
type Format int

const (
	// FormatJSON writes one JSON object per line (the default, for production
	// and log shippers).
	FormatJSON Format = iota
	// FormatConsole writes zerolog's human-readable console format.
	FormatConsole
	// FormatAuto writes the console format when the writer is a terminal
	// (an *os.File that is a character device) and JSON otherwise.
	FormatAuto
)

// Schema selects the field names written by New and by the middleware.
type Schema int

const (
	// SchemaCompact uses short snake_case names: service, version, env,
	// request_id, method, route, path, status, bytes, duration_ms, ip,
	// user_agent (the default).
	SchemaCompact Schema = iota
	// SchemaECS uses Elastic Common Schema names: service.name,
	// service.version, service.environment, http.request.id,
	// http.request.method, http.route, url.path, http.response.status_code,
	// http.response.body.bytes, event.duration (nanoseconds, as ECS defines
	// it), client.ip, user_agent.original.
	SchemaECS
)

// Config holds New's optional settings. A nil *Config means all defaults.
type Config struct {
	// Service, Version and Environment are written on every line when
	// non-empty (service/version/env, or service.name/service.version/
	// service.environment with SchemaECS). Default: omitted.
	Service     string
	Version     string
	Environment string

	// Level is the minimum level, optionally followed by per-component
	// overrides applied by Component: "info,dbrouter=debug,jobs=warn".
	// Levels are zerolog's names (trace, debug, info, warn, error, fatal,
	// panic, disabled). Default: "info".
	Level string

	// Format selects JSON (default), console or auto-detection.
	Format Format

	// Schema selects compact (default) or ECS names for the service fields.
	Schema Schema

	// Sampling, when non-nil, samples events at or below Sampling.MaxLevel
	// (debug by default). Warn and above are never sampled. Default: nil
	// (no sampling).
	Sampling *SamplingConfig

	// OmitTimestamp drops the timestamp field, for collectors that stamp
	// lines themselves (journald) and for deterministic test output.
	// Default: false (a timestamp is written under
	// zerolog.TimestampFieldName).
	OmitTimestamp bool
}

// meta is what New records on the logger it returns, so that Component and
// NewSlogHandler can find it again. It is stored in the logger's Go context
// (zerolog's Context.Ctx), which zerolog only hands to hooks.
type meta struct {
	levels    Levels
	schemaECS bool
}

type metaKey struct{}

// loggerMeta returns what New recorded on l, if l descends from New.
func loggerMeta(l zerolog.Logger) *meta {
	d := l.With().CreateDict()
	m, _ := d.GetCtx().Value(metaKey{}).(*meta)
	return m
}

// Validate reports the first invalid field of cfg as an error wrapping
// ErrInvalidConfig. A nil *Config is valid.
func (cfg *Config) Validate() error {
	if cfg == nil {
		return nil
	}
	if _, err := ParseLevels(cfg.Level); err != nil {
		return fmt.Errorf("%w: Config.Level: %w", ErrInvalidConfig, err)
	}
	if cfg.Format < FormatJSON || cfg.Format > FormatAuto {
		return fmt.Errorf("%w: Config.Format %d is not FormatJSON, FormatConsole or FormatAuto", ErrInvalidConfig, cfg.Format)
	}
	if cfg.Schema != SchemaCompact && cfg.Schema != SchemaECS {
		return fmt.Errorf("%w: Config.Schema %d is not SchemaCompact or SchemaECS", ErrInvalidConfig, cfg.Schema)
	}
	return cfg.Sampling.validate()
}

// New returns a zerolog.Logger writing to w as cfg describes (nil cfg: JSON,
// level info, timestamps, no service fields).
//
// Like zerolog.New, New never fails: an invalid field falls back to its
// default and New writes one error line naming the field, so a typo in
// LOG_LEVEL is visible instead of silently ignored. Call cfg.Validate first
// to fail fast instead. A nil w yields a disabled logger.
func New(w io.Writer, cfg *Config) zerolog.Logger {
	if w == nil {
		return zerolog.Nop()
	}
	var c Config
	if cfg != nil {
		c = *cfg
	}
	var problems []error
	lv, err := ParseLevels(c.Level)
	if err != nil {
		problems = append(problems, fmt.Errorf("%w: Config.Level: %w", ErrInvalidConfig, err))
		lv = Levels{Default: zerolog.InfoLevel}
	}
	if c.Format < FormatJSON || c.Format > FormatAuto {
		problems = append(problems, fmt.Errorf("%w: Config.Format %d is not FormatJSON, FormatConsole or FormatAuto", ErrInvalidConfig, c.Format))
		c.Format = FormatJSON
	}
	if c.Schema != SchemaCompact && c.Schema != SchemaECS {
		problems = append(problems, fmt.Errorf("%w: Config.Schema %d is not SchemaCompact or SchemaECS", ErrInvalidConfig, c.Schema))
		c.Schema = SchemaCompact
	}
	if err := c.Sampling.validate(); err != nil {
		problems = append(problems, err)
		c.Sampling = nil
	}

	out := w
	if c.Format == FormatConsole || (c.Format == FormatAuto && isTerminal(w)) {
		out = zerolog.ConsoleWriter{Out: w, NoColor: !isTerminal(w), TimeFormat: time.RFC3339}
	}
	m := &meta{levels: lv, schemaECS: c.Schema == SchemaECS}
	ctx := zerolog.New(out).Level(lv.Default).With().Ctx(context.WithValue(context.Background(), metaKey{}, m))
	if !c.OmitTimestamp {
		ctx = ctx.Timestamp()
	}
	names := serviceNames(c.Schema)
	if c.Service != "" {
		ctx = ctx.Str(names[0], c.Service)
	}
	if c.Version != "" {
		ctx = ctx.Str(names[1], c.Version)
	}
	if c.Environment != "" {
		ctx = ctx.Str(names[2], c.Environment)
	}
	l := ctx.Logger()
	for _, p := range problems {
		l.WithLevel(zerolog.ErrorLevel).Err(p).Msg("logging: invalid config, using the default for this field")
	}
	if c.Sampling != nil {
		l = l.Sample(c.Sampling.sampler())
	}
	return l
}

func serviceNames(s Schema) [3]string {
	if s == SchemaECS {
		return [3]string{"service.name", "service.version", "service.environment"}
	}
	return [3]string{"service", "version", "env"}
}

// isTerminal reports whether w is an *os.File attached to a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
