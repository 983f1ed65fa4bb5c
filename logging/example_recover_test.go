package logging_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/buttress-go/buttress/logging"
	"github.com/rs/zerolog"
)

func ExampleRecover() {
	rec, err := logging.Recover(zerolog.New(io.Discard), &logging.RecoverConfig{
		OnPanic: func(ctx context.Context, v any, stack []byte) {
			// sentry.CurrentHub().Recover(v) would go here.
			fmt.Println("reported:", v, strings.Contains(string(stack), "goroutine"))
		},
	})
	if err != nil {
		panic(err)
	}
	h := rec(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("nil map write in cart.go:42") }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/cart", nil))
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Println(w.Body.String())
	// Output:
	// reported: nil map write in cart.go:42 true
	// 500 application/problem+json
	// {"type":"about:blank","title":"Internal Server Error","status":500}
}
