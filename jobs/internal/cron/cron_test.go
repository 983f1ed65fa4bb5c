package cron

import (
	"testing"
	"time"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{"* * * * *", "*/2 * * * * *", "0 9,17 * * mon-fri", "@weekly", "0 0 29 2 *",
		"5/20 1-3 */2 jan-mar 0,7", "61 * * * *", "0 0 13 * fri", "1,,2 * * * *"} {
		f.Add(s)
	}
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := Parse(expr)
		if err != nil {
			return
		}
		n := s.Next(base)
		if n.IsZero() {
			return // fires, but not within five years of base
		}
		if !n.After(base) {
			t.Fatalf("%q: Next(%s) = %s is not after", expr, base, n)
		}
		if !s.dayMatches(n) {
			t.Fatalf("%q: Next returned a non-matching day %s", expr, n)
		}
		if p := s.Prev(n); !p.Equal(n) {
			t.Fatalf("%q: Prev(Next) = %s, want %s", expr, p, n)
		}
		if n2 := s.Next(n); !n2.IsZero() && !n2.After(n) {
			t.Fatalf("%q: Next not increasing: %s then %s", expr, n, n2)
		}
	})
}
