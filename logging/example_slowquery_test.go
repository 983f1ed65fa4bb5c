package logging_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/buttress-go/buttress/logging"
	"github.com/rs/zerolog"
)

func ExampleSlowQueryLogger() {
	onSlow := logging.SlowQueryLogger(zerolog.New(os.Stdout), nil)
	// dbrouter.Config{OnSlowQuery: onSlow, SlowQueryThreshold: 200 * time.Millisecond}
	ctx := logging.WithRequestID(context.Background(), "edge-2f1c9a7be04d4c21")
	onSlow(ctx, "SELECT * FROM orders WHERE email = 'ann@example.com' AND total > 100", "replica-2", 750*time.Millisecond)
	// Output:
	// {"level":"warn","query":"SELECT * FROM orders WHERE email = ? AND total > ?","node":"replica-2","duration_ms":750,"request_id":"edge-2f1c9a7be04d4c21","message":"slow query"}
}

func ExampleRedactSQL() {
	fmt.Println(logging.RedactSQL("UPDATE users SET token = 'abc123' -- rotated by bob\nWHERE id = $1 AND age > 42"))
	// Output:
	// UPDATE users SET token = ? WHERE id = $1 AND age > ?
}
