package dbroutertest

import (
	"context"
	"strings"
	"testing"

	"github.com/buttress-go/buttress/dbrouter"
)

// AssertQueries runs fn with a ctx that counts every query run through a dbrouter Router or Tx
// with it (on any node) and fails t, listing the statements, unless exactly n ran. The ctx
// derives from t.Context().
func AssertQueries(t testing.TB, n int, fn func(ctx context.Context)) {
	t.Helper()
	ctx, counter := dbrouter.WithQueryLog(t.Context())
	fn(ctx)
	if got := counter.Count(); got != n {
		stmts := counter.Statements()
		var b strings.Builder
		for i, s := range stmts {
			b.WriteString("\n  ")
			b.WriteString(itoa(i + 1))
			b.WriteString(". ")
			b.WriteString(s)
		}
		t.Errorf("dbroutertest: %d queries ran, want %d:%s", got, n, b.String())
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
