package version_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/buttress-go/buttress/version"
)

// ExampleChange converts requests too: a client pinned to 2024-01-01 still sends "name", and
// the handler, written for 2025-01-01, only knows "title".
func ExampleChange() {
	renamed := version.Change{
		Description: "name was renamed title",
		Routes:      []string{"POST /products"},
		Request: func(_ *http.Request, body any) (any, error) {
			return body, version.EachObject(body, func(p map[string]any) error {
				p["title"] = p["name"]
				delete(p, "name")
				return nil
			})
		},
		Response: func(_ *http.Request, _ int, body any) (any, error) {
			return body, version.EachObject(body, func(p map[string]any) error {
				p["name"] = p["title"]
				delete(p, "title")
				return nil
			})
		},
	}
	api, err := version.New([]version.Spec{
		{Version: "2024-01-01"},
		{Version: "2025-01-01", Changes: []version.Change{renamed}},
	}, &version.Config{Readers: []version.Reader{version.Header("Stripe-Version")}})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /products", func(w http.ResponseWriter, r *http.Request) {
		in, _ := io.ReadAll(r.Body)
		fmt.Println("handler got:", string(in))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, strings.Replace(string(in), "{", `{"id":1,`, 1))
	})
	h := api.Middleware(mux)

	r := httptest.NewRequest(http.MethodPost, "/products", strings.NewReader(`{"name":"Lamp"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Stripe-Version", "2024-01-01")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println("client got:", w.Code, w.Body.String())
	// Output:
	// handler got: {"title":"Lamp"}
	// client got: 201 {"id":1,"name":"Lamp"}
}

// ExampleNew builds a Negotiator with the defaults: the Api-Version header, the newest version
// when a request names none.
func ExampleNew() {
	api, err := version.New([]version.Spec{{Version: "1.0"}, {Version: "1.1"}, {Version: "2.0"}}, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(api.Versions(), api.Default(), api.Latest())

	_, err = version.New([]version.Spec{{Version: "1"}, {Version: "1.0"}}, nil)
	fmt.Println(err)
	// Output:
	// [1.0 1.1 2.0] 2.0 2.0
	// version: versions: 1 and 1.0 are the same version
}

// ExampleNewContext calls a version-aware handler in a test without a Negotiator.
func ExampleNewContext() {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "serving ", version.Get(r.Context()))
	})
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r = r.WithContext(version.NewContext(r.Context(), version.Int(3)))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Body.String())
	// Output:
	// serving 3
}

// ExampleWriteProblem answers with a custom error handler that logs and reuses the standard body.
func ExampleWriteProblem() {
	api, err := version.New([]version.Spec{{Version: "1"}}, &version.Config{
		Required: true,
		OnError: func(w http.ResponseWriter, r *http.Request, err *version.Error) {
			fmt.Println("rejected:", err)
			version.WriteProblem(w, r, err)
		},
	})
	if err != nil {
		panic(err)
	}
	w := httptest.NewRecorder()
	api.Middleware(http.NotFoundHandler()).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	// Output:
	// rejected: version: API version required: name an API version in the header Api-Version; supported versions: 1
	// 400 application/problem+json
}
