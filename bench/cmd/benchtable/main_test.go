package main

import (
	"strings"
	"testing"
)

func TestParseAndRender(t *testing.T) {
	out := []byte(`goos: linux
BenchmarkHit/buttress-2     1000000   100.0 ns/op   0 B/op   0 allocs/op
BenchmarkHit/otter-2        1000000    50.0 ns/op   0 B/op   0 allocs/op
BenchmarkHit/buttress-2     1000000   300.0 ns/op   0 B/op   0 allocs/op
BenchmarkLimit/redis_rate-2   1000   2000 ns/op  12 B/op  1 allocs/op  3.00 overadmit
BenchmarkLimit/buttress-2     1000   1000 ns/op   0 B/op  0 allocs/op  0 overadmit
PASS
`)
	table := render(parse(out))
	for _, want := range []string{
		"| Hit | buttress | 200 | 0 | 0 |  | — |",
		"| Hit | otter | 50.0 | 0 | 0 |  | 0.25× ours |",
		"| Limit | buttress | 1000 |",
		"| Limit | redis_rate | 2000 | 12.0 | 1.0 | overadmit=3.0 | 2.00× ours |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if strings.Index(table, "Limit | buttress") > strings.Index(table, "Limit | redis_rate") {
		t.Errorf("ours must come first in a group:\n%s", table)
	}
}
