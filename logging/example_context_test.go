package logging_test

import (
	"context"
	"fmt"
	"os"

	"github.com/buttress-go/buttress/logging"
	"github.com/rs/zerolog"
)

func ExampleWithRequestID() {
	// A job inserted during a request stores logging.RequestID(ctx) in its
	// metadata; the worker continues the request's ID:
	ctx := logging.WithRequestID(context.Background(), "edge-2f1c9a7be04d4c21")
	fmt.Println(logging.RequestID(ctx))
	_, ok := logging.RequestIDFromContext(context.Background())
	fmt.Println(ok)
	// Output:
	// edge-2f1c9a7be04d4c21
	// false
}

func ExampleCtx() {
	l := zerolog.New(os.Stdout).With().Str("job", "email").Logger()
	ctx := l.WithContext(context.Background())
	logging.Ctx(ctx).Info().Msg("sent")                  // the logger zerolog.Ctx returns too
	logging.Ctx(context.Background()).Info().Msg("lost") // disabled, never nil
	// Output:
	// {"level":"info","job":"email","message":"sent"}
}

func ExampleValidRequestID() {
	fmt.Println(logging.ValidRequestID("edge-2f1c9a7be04d4c21"))
	fmt.Println(logging.ValidRequestID("short"))
	fmt.Println(logging.ValidRequestID("edge-2f1c9a7be04d4c21\n{\"level\":\"error\"}"))
	fmt.Println(logging.ValidRequestID(logging.NewRequestID()))
	// Output:
	// true
	// false
	// false
	// true
}

func ExampleParseTraceparent() {
	tp, err := logging.ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	fmt.Println(tp.TraceID, tp.SpanID, tp.Sampled(), err)
	_, err = logging.ParseTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01")
	fmt.Println(err)
	// Output:
	// 4bf92f3577b34da6a3ce929d0e0e4736 00f067aa0ba902b7 true <nil>
	// logging: invalid traceparent
}

func ExampleLevelForStatus() {
	for _, status := range []int{200, 404, 429, 503} {
		fmt.Println(status, logging.LevelForStatus(status))
	}
	// Output:
	// 200 info
	// 404 warn
	// 429 info
	// 503 error
}
