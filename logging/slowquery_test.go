package logging

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// The shape dbrouter's Config.OnSlowQuery expects.
var _ func(ctx context.Context, query, node string, took time.Duration) = SlowQueryLogger(zerolog.Nop(), nil)

func TestSlowQueryLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	f := SlowQueryLogger(zerolog.New(&buf), nil)

	ctx := WithRequestID(context.Background(), "req-0123456789abcdefgh")
	f(ctx, "SELECT * FROM users WHERE email = 'bob@example.com' AND id = 42", "replica-1", 1500*time.Millisecond)
	m := oneLine(t, buf.String())
	require.Equal(t, "warn", m["level"])
	require.Equal(t, "slow query", m["message"])
	require.Equal(t, "SELECT * FROM users WHERE email = ? AND id = ?", m["query"])
	require.Equal(t, "replica-1", m["node"])
	require.Equal(t, 1500.0, m["duration_ms"])
	require.Equal(t, "req-0123456789abcdefgh", m["request_id"])
	require.NotContains(t, buf.String(), "bob@example.com")

	// ECS names, level, truncation, and the request's trace through the middleware.
	buf.Reset()
	f = SlowQueryLogger(zerolog.New(&buf), &SlowQueryConfig{Schema: SchemaECS, Level: "error", MaxQueryLen: 20})
	rid, err := RequestIDMiddleware(zerolog.Nop(), nil)
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	rid(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f(r.Context(), "UPDATE t SET a = 'x' WHERE b IN (1, 2, 3)", "primary", 3*time.Second)
	})).ServeHTTP(httptest.NewRecorder(), req)
	m = oneLine(t, buf.String())
	require.Equal(t, "error", m["level"])
	require.Equal(t, "UPDATE t SET a = ? W…", m["db.statement"])
	require.Equal(t, "primary", m["db.node"])
	require.Equal(t, float64(3*time.Second), m["event.duration"])
	require.Len(t, m["http.request.id"], 26)
	require.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", m["trace.id"])

	for _, bad := range []*SlowQueryConfig{{Schema: 4}, {Level: "loud"}, {Level: "panic"}, {Level: "disabled"}} {
		require.ErrorIs(t, bad.Validate(), ErrInvalidConfig)
		buf.Reset()
		f := SlowQueryLogger(zerolog.New(&buf), bad)
		m := oneLine(t, buf.String())
		require.Equal(t, "error", m["level"])
		require.Contains(t, m["error"], "SlowQueryConfig.")
		buf.Reset()
		f(context.Background(), "SELECT 1", "primary", time.Second)
		m = oneLine(t, buf.String())
		require.Equal(t, "warn", m["level"], "defaults apply")
		require.Equal(t, "SELECT ?", m["query"])
	}
	require.NoError(t, (*SlowQueryConfig)(nil).Validate())
	require.NoError(t, (&SlowQueryConfig{Level: "info", Schema: SchemaECS}).Validate())
}

func TestRedactSQL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"SELECT 1": "SELECT ?",
		"select * from t where a = 'it''s' and b = 2.5e-3": "select * from t where a = ? and b = ?",
		"SELECT * FROM t WHERE id = $1 AND n > 10":         "SELECT * FROM t WHERE id = $1 AND n > ?",
		"SELECT * FROM t WHERE x = ? AND y = :name":        "SELECT * FROM t WHERE x = ? AND y = :name",
		"SELECT E'a\\'b', B'1010', X'ff', U&'d\\0061'":     "SELECT ?, ?, ?, ?",
		"SELECT $$secret$$, $tag$more 'x' $$ secret$tag$":  "SELECT ?, ?",
		`SELECT "col1", t2.c3, "we""ird" FROM "T1"`:        `SELECT "col1", t2.c3, "we""ird" FROM "T1"`,
		"SELECT a -- email=bob@example.com\nFROM t":        "SELECT a FROM t",
		"SELECT /* user='bob' /* nested */ */ a FROM t":    "SELECT a FROM t",
		"SELECT\n\t a ,\n b\r\nFROM   t":                   "SELECT a , b FROM t",
		"INSERT INTO t VALUES (1, 'a'), (-2, 0x1F)":        "INSERT INTO t VALUES (?, ?), (-?, ?)",
		"SELECT col1, t1.x2 FROM tab1":                     "SELECT col1, t1.x2 FROM tab1",
		"SELECT 'unterminated":                             "SELECT ?",
		"SELECT .5, 1., 3_000":                             "SELECT ?, ?, ?",
		"SELECT name FROM t WHERE name = N'Zoë'":           "SELECT name FROM t WHERE name = ?",
		"SELECT `weird col` FROM t":                        "SELECT `weird col` FROM t",
		"":                                                 "",
	} {
		got := RedactSQL(in)
		require.Equal(t, want, got, "%q", in)
		require.Equal(t, got, RedactSQL(got), "idempotent for %q", in)
		require.False(t, strings.ContainsAny(got, "\n\r\t"))
	}
}
