package testenv

import (
	"encoding/json"
	"strings"
	"testing"
)

// RequireNoRepeatedKeys fails t when a JSON log line in logs names a top-level key twice (log
// pipelines keep one of the two, or reject the line). Lines that are not JSON objects (a
// start-up banner) are skipped.
func RequireNoRepeatedKeys(t testing.TB, logs string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(line))
		if _, err := dec.Token(); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, line)
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatalf("log line is not JSON: %v: %s", err, line)
			}
			key, _ := tok.(string)
			if seen[key] {
				t.Fatalf("key %q twice in %s", key, line)
			}
			seen[key] = true
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				t.Fatalf("log line is not JSON: %v: %s", err, line)
			}
		}
	}
}
