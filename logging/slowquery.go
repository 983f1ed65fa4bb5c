package logging

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"
)

// DefaultMaxQueryLen is SlowQueryConfig.MaxQueryLen's default.
const DefaultMaxQueryLen = 2048

// SlowQueryConfig holds SlowQueryLogger's optional settings. A nil
// *SlowQueryConfig means all defaults.
type SlowQueryConfig struct {
	// Schema selects compact (query, node, duration_ms, request_id) or ECS
	// (db.statement, db.node, event.duration in ns, http.request.id) names.
	// Default SchemaCompact.
	Schema Schema

	// Level names the level of the line: trace, debug, info, warn or error.
	// Default "warn".
	Level string

	// MaxQueryLen truncates the redacted statement to this many bytes (on a
	// character boundary, with "…" appended). Default DefaultMaxQueryLen;
	// negative means no limit.
	MaxQueryLen int

	// Message is the line's message. Default "slow query".
	Message string
}

// Validate reports the first invalid field of cfg as an error wrapping
// ErrInvalidConfig. A nil *SlowQueryConfig is valid.
func (cfg *SlowQueryConfig) Validate() error {
	if cfg == nil {
		return nil
	}
	_, err := cfg.level()
	if err == nil && cfg.Schema != SchemaCompact && cfg.Schema != SchemaECS {
		err = fmt.Errorf("%w: SlowQueryConfig.Schema %d is not SchemaCompact or SchemaECS", ErrInvalidConfig, cfg.Schema)
	}
	return err
}

func (cfg *SlowQueryConfig) level() (zerolog.Level, error) {
	if cfg.Level == "" {
		return zerolog.WarnLevel, nil
	}
	level, err := parseLevel(cfg.Level)
	if err != nil || level > zerolog.ErrorLevel {
		return zerolog.WarnLevel, fmt.Errorf("%w: SlowQueryConfig.Level %q must be trace, debug, info, warn or error", ErrInvalidConfig, cfg.Level)
	}
	return level, nil
}

// SlowQueryLogger returns a function shaped for dbrouter's
// Config.OnSlowQuery hook: it logs the statement with its literal values
// redacted (RedactSQL), the node, the duration and, when ctx carries them,
// the request ID and trace IDs, so a slow query points back at its request.
// Bound parameters are never seen here, only the statement text.
//
//	dbrouter.Config{OnSlowQuery: logging.SlowQueryLogger(logging.Component(l, "dbrouter"), nil)}
//
// Like New, it never fails: an invalid cfg field falls back to its default
// and one error line naming it is written to l (cfg.Validate fails fast).
func SlowQueryLogger(l zerolog.Logger, cfg *SlowQueryConfig) func(ctx context.Context, query, node string, took time.Duration) {
	var c SlowQueryConfig
	if cfg != nil {
		c = *cfg
	}
	level, err := c.level()
	if err != nil {
		l.Error().Err(err).Msg("logging: invalid config, using the default for this field")
	}
	if c.Schema != SchemaCompact && c.Schema != SchemaECS {
		l.Error().Err(fmt.Errorf("%w: SlowQueryConfig.Schema %d is not SchemaCompact or SchemaECS", ErrInvalidConfig, c.Schema)).
			Msg("logging: invalid config, using the default for this field")
		c.Schema = SchemaCompact
	}
	if c.MaxQueryLen == 0 {
		c.MaxQueryLen = DefaultMaxQueryLen
	}
	if c.Message == "" {
		c.Message = "slow query"
	}
	ecs := c.Schema == SchemaECS
	return func(ctx context.Context, query, node string, took time.Duration) {
		e := l.WithLevel(level)
		if e == nil {
			return
		}
		q := RedactSQL(query)
		if c.MaxQueryLen > 0 && len(q) > c.MaxQueryLen {
			cut := c.MaxQueryLen
			for cut > 0 && !utf8.RuneStart(q[cut]) {
				cut--
			}
			q = q[:cut] + "…"
		}
		if ecs {
			e.Str("db.statement", q).Str("db.node", node).Int64("event.duration", int64(took))
		} else {
			e.Str("query", q).Str("node", node).Float64("duration_ms", float64(took)/float64(time.Millisecond))
		}
		if id := RequestID(ctx); id != "" {
			if ecs {
				e.Str("http.request.id", id)
			} else {
				e.Str("request_id", id)
			}
		}
		if t, ok := TraceFromContext(ctx); ok {
			e.Str("trace.id", t.TraceID).Str("span.id", t.SpanID)
		}
		e.Ctx(ctx).Msg(c.Message)
	}
}
