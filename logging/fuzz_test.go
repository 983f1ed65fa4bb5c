package logging

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rs/zerolog"
)

func FuzzRequestID(f *testing.F) {
	for _, s := range []string{
		"01HZX3K8J9Q7W5E2R4T6Y8U0IP",
		"abcdefghijklmnopqrst\n{\"level\":\"error\"}",
		`abcdefghij","admin":true,"x":"klmnopqrst`,
		"abcdefghijklmnopqrst\r\nSet-Cookie: a=b",
		strings.Repeat("=", 200),
		strings.Repeat("a", 201),
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var buf bytes.Buffer
		mw, err := RequestIDMiddleware(zerolog.New(&buf), nil)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header["X-Request-Id"] = []string{in}
		var got string
		rec := httptest.NewRecorder()
		mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = RequestID(r.Context())
			Ctx(r.Context()).Info().Msg("x")
		})).ServeHTTP(rec, req)
		if ValidRequestID(in) != (got == in) {
			t.Fatalf("valid=%v but got %q for %q", ValidRequestID(in), got, in)
		}
		if !ValidRequestID(got) || rec.Header().Get("X-Request-ID") != got {
			t.Fatalf("bad ID %q", got)
		}
		out := buf.Bytes()
		if bytes.Count(out, []byte("\n")) != 1 {
			t.Fatalf("not one line: %q", out)
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil || m["request_id"] != got || len(m) != 3 {
			t.Fatalf("line %q: %v", out, err)
		}
	})
}

func FuzzParseTraceparent(f *testing.F) {
	for _, s := range []string{
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-x",
		"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tp, err := ParseTraceparent(s)
		if err != nil {
			if tp != (Traceparent{}) {
				t.Fatalf("partial result %+v", tp)
			}
			return
		}
		again := fmt.Sprintf("%s-%s-%s-%02x", s[:2], tp.TraceID, tp.SpanID, tp.Flags)
		if again != s[:55] || (s[:2] == "00" && len(s) != 55) {
			t.Fatalf("%q parsed as %+v", s, tp)
		}
		if strings.ContainsAny(tp.TraceID+tp.SpanID, "\"\\\n\r ABCDEF") {
			t.Fatalf("unsafe IDs %+v", tp)
		}
	})
}

func FuzzRedactSQL(f *testing.F) {
	for _, s := range []string{
		"SELECT * FROM t WHERE a = 'x''y' AND b = 42",
		"SELECT E'\\'', $$a$$, $t$b$t$, B'01' /* c */ -- d\n",
		`SELECT "a""b", $1, ?, :n FROM t`,
		"SELECT 1e10, .5, 0xFF, 3_000",
		"SELECT 'unterminated",
		"/* /* */",
		"$a",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		r := RedactSQL(q)
		if RedactSQL(r) != r {
			t.Fatalf("not idempotent: %q -> %q -> %q", q, r, RedactSQL(r))
		}
		if strings.ContainsAny(r, "\n\r\t") {
			t.Fatalf("whitespace left: %q", r)
		}
		if utf8.ValidString(q) && !utf8.ValidString(r) {
			t.Fatalf("invalid UTF-8 from %q: %q", q, r)
		}
		if len(r) > len(q)+1 {
			t.Fatalf("grew: %q -> %q", q, r)
		}
	})
}
