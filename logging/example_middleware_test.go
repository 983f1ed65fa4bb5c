package logging_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/buttress-go/buttress/logging"
	"github.com/rs/zerolog"
)

func ExampleRequestIDMiddleware() {
	l := zerolog.New(os.Stdout)
	rid, err := logging.RequestIDMiddleware(l, nil)
	if err != nil {
		panic(err)
	}
	h := rid(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logging.Ctx(r.Context()).Info().Msg("charging card")
	}))

	req := httptest.NewRequest(http.MethodPost, "/checkout", nil)
	req.Header.Set("X-Request-ID", "edge-2f1c9a7be04d4c21")
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Header().Get("X-Request-ID"))

	// An ID that could forge log lines is replaced by a fresh ULID.
	req.Header.Set("X-Request-ID", "edge-2f1c9a7be04d4c21\n{\"level\":\"error\"}")
	rec = httptest.NewRecorder()
	rid(http.NotFoundHandler()).ServeHTTP(rec, req)
	fmt.Println(len(rec.Header().Get("X-Request-ID")))
	// Output:
	// {"level":"info","request_id":"edge-2f1c9a7be04d4c21","trace.id":"4bf92f3577b34da6a3ce929d0e0e4736","span.id":"00f067aa0ba902b7","message":"charging card"}
	// edge-2f1c9a7be04d4c21
	// 26
}

func ExampleAccessLog() {
	l := zerolog.New(os.Stdout)
	rid, _ := logging.RequestIDMiddleware(l, nil)
	step := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	acc, err := logging.AccessLog(l, &logging.AccessLogConfig{
		SkipPaths: []string{"/healthz"},
		Now:       func() time.Time { step = step.Add(1500 * time.Microsecond); return step }, // a fixed clock for the example
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "widget") })
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	h := rid(acc(mux))

	for _, path := range []string{"/items/7", "/healthz", "/nope"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("X-Request-ID", "edge-2f1c9a7be04d4c21")
		req.Header.Set("User-Agent", "curl/8.5")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	// Output:
	// {"level":"info","method":"GET","route":"GET /items/{id}","path":"/items/7","status":200,"bytes":6,"duration_ms":1.5,"ip":"192.0.2.1","user_agent":"curl/8.5","request_id":"edge-2f1c9a7be04d4c21","message":"request"}
	// {"level":"warn","method":"GET","path":"/nope","status":404,"bytes":19,"duration_ms":1.5,"ip":"192.0.2.1","user_agent":"curl/8.5","request_id":"edge-2f1c9a7be04d4c21","message":"request"}
}

func ExampleAccessLog_ecs() {
	l := zerolog.New(os.Stdout)
	acc, _ := logging.AccessLog(l, &logging.AccessLogConfig{
		Schema: logging.SchemaECS,
		Now:    func() time.Time { return time.Unix(0, 0) },
	})
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	acc(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), req)
	// Output:
	// {"level":"warn","http.request.method":"GET","url.path":"/","http.response.status_code":404,"http.response.body.bytes":19,"event.duration":0,"client.ip":"192.0.2.1","message":"request"}
}

// Middleware that passes on a copy of the request (here one adding a context value, as CSP
// nonces, read-your-writes sessions or auth do) hides the ServeMux's pattern from the access
// log; Routes around the mux brings it back.
func ExampleRoutes() {
	l := zerolog.New(os.Stdout)
	rid, _ := logging.RequestIDMiddleware(l, nil)
	step := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	acc, _ := logging.AccessLog(l, &logging.AccessLogConfig{
		Now: func() time.Time { step = step.Add(time.Millisecond); return step },
	})
	type userKey struct{}
	auth := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, "ada")))
		})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {})
	h := rid(acc(auth(logging.Routes(mux))))

	req := httptest.NewRequest(http.MethodGet, "/items/7", nil)
	req.Header.Set("X-Request-ID", "edge-2f1c9a7be04d4c21")
	h.ServeHTTP(httptest.NewRecorder(), req)
	// Output:
	// {"level":"info","method":"GET","route":"GET /items/{id}","path":"/items/7","status":200,"bytes":0,"duration_ms":1,"ip":"192.0.2.1","request_id":"edge-2f1c9a7be04d4c21","message":"request"}
}
