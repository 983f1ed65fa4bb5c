package secure_test

import (
	"fmt"
	"time"

	"github.com/buttress-go/buttress/secure"
)

func ExampleCheck() {
	cfg := &secure.Config{
		AllowedHosts:          []string{"example.com"},
		HSTSMaxAge:            30 * 24 * time.Hour,
		HSTSPreload:           true,
		ContentSecurityPolicy: "default-src 'self'",
	}
	for _, f := range secure.Check(cfg) {
		fmt.Println(f.ID, f.Severity)
	}
	// Output:
	// B002 error
	// W005 warning
	// W008 warning
}
