package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"testing/slogtest"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// slogResults decodes zerolog lines into the maps slogtest expects,
// renaming zerolog's field names to slog's.
func slogResults(t *testing.T, buf *bytes.Buffer) func() []map[string]any {
	return func() []map[string]any {
		var out []map[string]any
		for _, m := range lines(t, buf.String()) {
			for from, to := range map[string]string{
				zerolog.MessageFieldName:   slog.MessageKey,
				zerolog.LevelFieldName:     slog.LevelKey,
				zerolog.TimestampFieldName: slog.TimeKey,
			} {
				if v, ok := m[from]; ok {
					delete(m, from)
					m[to] = v
				}
			}
			out = append(out, m)
		}
		return out
	}
}

func TestSlogHandlerConformance(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h := NewSlogHandler(zerolog.New(&buf).Level(zerolog.TraceLevel))
	require.NoError(t, slogtest.TestHandler(h, slogResults(t, &buf)))
}

func TestSlogHandlerRun(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	slogtest.Run(t, func(*testing.T) slog.Handler {
		buf.Reset()
		return NewSlogHandler(zerolog.New(&buf))
	}, func(t *testing.T) map[string]any {
		return slogResults(t, &buf)()[0]
	})
}

func TestSlogHandlerLevelsAndLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := New(&buf, &Config{Level: "info,jobs=debug", Service: "shop"})
	lg := slog.New(NewSlogHandler(Component(l, "jobs")))
	lg.Debug("debug", "n", 1, "d", 2*time.Second, "err", errInv)
	lg.Log(context.Background(), slog.LevelDebug-4, "trace hidden")
	lg.Error("bad", slog.Group("job", "id", 7, "kind", "email"))
	root := slog.New(NewSlogHandler(l))
	require.False(t, root.Enabled(context.Background(), slog.LevelDebug))
	require.True(t, root.Enabled(context.Background(), slog.LevelInfo))

	ls := lines(t, buf.String())
	require.Len(t, ls, 2)
	require.Equal(t, "debug", ls[0]["level"])
	require.Equal(t, "jobs", ls[0]["component"])
	require.Equal(t, "shop", ls[0]["service"])
	require.Equal(t, float64(2*time.Second), ls[0]["d"])
	require.Equal(t, "invalid", ls[0]["err"])
	require.Equal(t, "error", ls[1]["level"])
	require.Equal(t, map[string]any{"id": float64(7), "kind": "email"}, ls[1]["job"])
	// New stamps lines itself: one timestamp field only.
	require.Equal(t, 1, strings.Count(strings.Split(buf.String(), "\n")[0], `"`+zerolog.TimestampFieldName+`"`))
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(strings.Split(buf.String(), "\n")[0]), &raw))
}

type invErr struct{}

func (invErr) Error() string { return "invalid" }

var errInv error = invErr{}

func TestSlogHandlerKinds(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h := NewSlogHandler(zerolog.New(&buf))
	require.Same(t, h, h.WithAttrs(nil))
	require.Same(t, h, h.WithGroup(""))
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	slog.New(h).Info("kinds",
		"u", uint64(7), "f", 1.5, "b", true, "t", ts, "raw", []byte("xy"), "dur", slog.AnyValue(time.Duration(3)),
		"m", map[string]int{"a": 1}, slog.Group("", "inl", 1), slog.Group("empty"), slog.Group("g", slog.Group("empty")))
	m := oneLine(t, buf.String())
	require.Equal(t, float64(7), m["u"])
	require.Equal(t, 1.5, m["f"])
	require.Equal(t, true, m["b"])
	require.Equal(t, ts.Format(time.RFC3339), m["t"])
	require.Equal(t, "xy", m["raw"])
	require.Equal(t, float64(3), m["dur"])
	require.Equal(t, map[string]any{"a": float64(1)}, m["m"])
	require.Equal(t, float64(1), m["inl"])
	require.NotContains(t, m, "empty")
	require.NotContains(t, m, "g")
	require.True(t, h.Enabled(context.Background(), slog.LevelDebug-4), "zerolog.New logs trace")
	require.False(t, NewSlogHandler(zerolog.New(&buf).Level(zerolog.Disabled)).Enabled(context.Background(), slog.LevelError))
}
