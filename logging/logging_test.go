package logging

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := New(&buf, nil)
	l.Debug().Msg("hidden")
	l.Info().Str("k", "v").Msg("hello")
	m := oneLine(t, buf.String())
	require.Equal(t, "info", m["level"])
	require.Equal(t, "hello", m["message"])
	require.Equal(t, "v", m["k"])
	require.Contains(t, m, zerolog.TimestampFieldName)
}

func TestNewServiceFields(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		schema Schema
		keys   [3]string
	}{
		{SchemaCompact, [3]string{"service", "version", "env"}},
		{SchemaECS, [3]string{"service.name", "service.version", "service.environment"}},
	} {
		var buf bytes.Buffer
		l := New(&buf, &Config{Service: "shop", Version: "1.2.3", Environment: "prod", Schema: tc.schema, OmitTimestamp: true})
		l.Warn().Msg("x")
		m := oneLine(t, buf.String())
		require.Equal(t, "shop", m[tc.keys[0]])
		require.Equal(t, "1.2.3", m[tc.keys[1]])
		require.Equal(t, "prod", m[tc.keys[2]])
		require.NotContains(t, m, zerolog.TimestampFieldName)
	}
}

func TestNewConsole(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := New(&buf, &Config{Format: FormatConsole, OmitTimestamp: true})
	l.Info().Str("k", "v").Msg("hello")
	out := buf.String()
	require.False(t, strings.HasPrefix(out, "{"), out)
	require.Contains(t, out, "hello")
	require.Contains(t, out, "k=v")

	// FormatAuto on a non-terminal writer is JSON.
	buf.Reset()
	l = New(&buf, &Config{Format: FormatAuto})
	l.Info().Msg("hello")
	require.Equal(t, "hello", oneLine(t, buf.String())["message"])
}

func TestNewInvalidFieldFallsBackAndSaysSo(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := New(&buf, &Config{Level: "verbose,dbrouter=debug", OmitTimestamp: true})
	m := oneLine(t, buf.String())
	require.Equal(t, "error", m["level"])
	require.Contains(t, m["error"], "Config.Level")
	require.Contains(t, m["error"], `"verbose"`)
	require.Equal(t, zerolog.InfoLevel, l.GetLevel())

	require.ErrorIs(t, (&Config{Level: "verbose"}).Validate(), ErrInvalidConfig)
	require.ErrorContains(t, (&Config{Format: 9}).Validate(), "Config.Format")
	require.ErrorContains(t, (&Config{Schema: 9}).Validate(), "Config.Schema")
	require.ErrorContains(t, (&Config{Sampling: &SamplingConfig{MaxLevel: zerolog.WarnLevel, Every: 2}}).Validate(), "Config.Sampling.MaxLevel")
	require.ErrorContains(t, (&Config{Sampling: &SamplingConfig{}}).Validate(), "Config.Sampling")
	require.NoError(t, (*Config)(nil).Validate())
	require.NoError(t, (&Config{Level: "debug,jobs=warn"}).Validate())

	require.Equal(t, zerolog.Disabled, New(nil, nil).GetLevel())
}

func TestComponentLevels(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := New(&buf, &Config{Level: "warn,dbrouter=debug,cache=error", OmitTimestamp: true})

	db := Component(l, "dbrouter")
	db.Debug().Msg("db debug")
	cache := Component(l, "cache")
	cache.Warn().Msg("cache warn hidden")
	cache.Error().Msg("cache error")
	other := Component(l, "jobs")
	other.Info().Msg("jobs info hidden")
	other.Warn().Msg("jobs warn")
	l.Info().Msg("root info hidden")

	ls := lines(t, buf.String())
	require.Len(t, ls, 3)
	require.Equal(t, "db debug", ls[0]["message"])
	require.Equal(t, "dbrouter", ls[0]["component"])
	require.Equal(t, "cache error", ls[1]["message"])
	require.Equal(t, "jobs warn", ls[2]["message"])

	// Component of a plain zerolog logger keeps its level.
	buf.Reset()
	plain := zerolog.New(&buf).Level(zerolog.ErrorLevel)
	c := Component(plain, "dbrouter")
	require.Equal(t, zerolog.ErrorLevel, c.GetLevel())
	c.Error().Msg("x")
	require.Equal(t, "dbrouter", oneLine(t, buf.String())["component"])

	// ECS names the component log.logger.
	buf.Reset()
	ecs := Component(New(&buf, &Config{Schema: SchemaECS}), "jobs")
	ecs.Info().Msg("x")
	require.Equal(t, "jobs", oneLine(t, buf.String())["log.logger"])
}

func TestSamplingNeverDropsWarn(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := New(&buf, &Config{Level: "debug", OmitTimestamp: true, Sampling: &SamplingConfig{Every: 10}})
	for range 100 {
		l.Debug().Msg("d")
		l.Info().Msg("i")
		l.Warn().Msg("w")
	}
	count := map[string]int{}
	for _, m := range lines(t, buf.String()) {
		count[m["message"].(string)]++
	}
	require.Equal(t, 10, count["d"]) // BasicSampler: exactly one in ten
	require.Equal(t, 100, count["i"])
	require.Equal(t, 100, count["w"])

	// Burst then nothing, at info level too; error never sampled.
	buf.Reset()
	l = New(&buf, &Config{OmitTimestamp: true, Sampling: &SamplingConfig{MaxLevel: zerolog.InfoLevel, Burst: 5}})
	for range 50 {
		l.Info().Msg("i")
		l.Error().Msg("e")
	}
	count = map[string]int{}
	for _, m := range lines(t, buf.String()) {
		count[m["message"].(string)]++
	}
	require.Equal(t, 5, count["i"])
	require.Equal(t, 50, count["e"])
}
