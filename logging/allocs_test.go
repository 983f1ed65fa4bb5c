//go:build !race

package logging

import (
	"testing"
)

// The race detector adds allocations (and sync.Pool drops entries under it),
// so this regression guard only builds without -race.
func TestRequestIDAccessLogAllocs(t *testing.T) {
	h, req, w := benchHandler(t)
	allocs := testing.AllocsPerRun(200, func() {
		clear(w.h)
		h.ServeHTTP(w, req)
	})
	if allocs > 2 {
		t.Fatalf("RequestIDMiddleware + AccessLog: %.1f allocs per request, want <= 2", allocs)
	}
}
