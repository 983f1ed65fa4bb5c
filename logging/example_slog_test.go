package logging_test

import (
	"log/slog"
	"os"

	"github.com/buttress-go/buttress/logging"
)

func ExampleNewSlogHandler() {
	l := logging.New(os.Stdout, &logging.Config{OmitTimestamp: true})
	// river.Config{Logger: slog.New(logging.NewSlogHandler(logging.Component(l, "jobs")))}
	lg := slog.New(logging.NewSlogHandler(logging.Component(l, "jobs")))
	lg.With("queue", "email").WithGroup("job").Info("job completed", "id", 12, "attempt", 1)
	// Output:
	// {"level":"info","component":"jobs","queue":"email","job":{"id":12,"attempt":1},"message":"job completed"}
}
