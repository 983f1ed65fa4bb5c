package logging

import (
	"errors"
	"fmt"
	"strings"

	"github.com/rs/zerolog"
)

// ErrInvalidLevel is wrapped by ParseLevels' errors.
var ErrInvalidLevel = errors.New("logging: invalid level")

// Levels is a parsed level string: a default level and per-component
// overrides.
type Levels struct {
	// Default applies to loggers without a component override.
	Default zerolog.Level
	// Components maps a component name to its level.
	Components map[string]zerolog.Level
}

// For returns the level of the named component: its override when there is
// one, else Default.
func (lv Levels) For(component string) zerolog.Level {
	if l, ok := lv.Components[component]; ok {
		return l
	}
	return lv.Default
}

// ParseLevels parses a level string such as "info,dbrouter=debug,jobs=warn":
// comma-separated items, at most one bare level (the default, "info" when
// absent) and any number of component=level overrides. Names are zerolog's
// (trace, debug, info, warn, error, fatal, panic, disabled), case-insensitive;
// spaces around items are ignored. An empty string means "info".
func ParseLevels(s string) (Levels, error) {
	lv := Levels{Default: zerolog.InfoLevel}
	seenDefault := false
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, level, isOverride := strings.Cut(item, "=")
		if !isOverride {
			if seenDefault {
				return Levels{}, fmt.Errorf("%w: two default levels in %q", ErrInvalidLevel, s)
			}
			l, err := parseLevel(name)
			if err != nil {
				return Levels{}, err
			}
			lv.Default, seenDefault = l, true
			continue
		}
		name = strings.TrimSpace(name)
		if name == "" {
			return Levels{}, fmt.Errorf("%w: empty component name in %q", ErrInvalidLevel, item)
		}
		l, err := parseLevel(strings.TrimSpace(level))
		if err != nil {
			return Levels{}, fmt.Errorf("component %q: %w", name, err)
		}
		if _, dup := lv.Components[name]; dup {
			return Levels{}, fmt.Errorf("%w: component %q given twice", ErrInvalidLevel, name)
		}
		if lv.Components == nil {
			lv.Components = make(map[string]zerolog.Level)
		}
		lv.Components[name] = l
	}
	return lv, nil
}

func parseLevel(s string) (zerolog.Level, error) {
	switch strings.ToLower(s) {
	case "trace":
		return zerolog.TraceLevel, nil
	case "debug":
		return zerolog.DebugLevel, nil
	case "info":
		return zerolog.InfoLevel, nil
	case "warn", "warning":
		return zerolog.WarnLevel, nil
	case "error":
		return zerolog.ErrorLevel, nil
	case "fatal":
		return zerolog.FatalLevel, nil
	case "panic":
		return zerolog.PanicLevel, nil
	case "disabled", "off":
		return zerolog.Disabled, nil
	}
	return zerolog.NoLevel, fmt.Errorf("%w: unknown level %q (want trace, debug, info, warn, error, fatal, panic or disabled)", ErrInvalidLevel, s)
}

// Component returns a child of l for the named component: it carries a
// component field (log.logger with SchemaECS) and, when l comes from New and
// its level string overrides name ("info,dbrouter=debug"), that level.
// Otherwise the child keeps l's level. Hand the child to the component's
// Config.Logger.
//
// New records the overrides in the logger's Go context (zerolog's
// Context.Ctx); a logger derived with With().Ctx(other) loses them and its
// components keep its level.
func Component(l zerolog.Logger, name string) zerolog.Logger {
	m := loggerMeta(l)
	key := "component"
	if m != nil && m.schemaECS {
		key = "log.logger"
	}
	child := l.With().Str(key, name).Logger()
	if m != nil {
		if lvl, ok := m.levels.Components[name]; ok {
			child = child.Level(lvl)
		}
	}
	return child
}
