package version_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/buttress-go/buttress/version"
)

// Example serves /api/v1 and /api/v2 of a product API from one handler written for v2. In v2
// the product's price became an object; v1 is deprecated and has a sunset date. The v2 Spec
// declares the change, and the middleware converts the v2 answer for v1 clients.
func Example() {
	priceObject := version.Change{
		Description: "price_cents became price {amount, currency}",
		Routes:      []string{"GET /api/products", "GET /api/products/{id}"},
		Response: func(_ *http.Request, status int, body any) (any, error) {
			if status != http.StatusOK {
				return body, nil
			}
			return body, version.EachObject(body, func(p map[string]any) error {
				price, _ := p["price"].(map[string]any)
				amount, _ := price["amount"].(string)
				cents, err := strconv.Atoi(strings.Replace(amount, ".", "", 1))
				if err != nil {
					return fmt.Errorf("price.amount %q: %w", amount, err)
				}
				delete(p, "price")
				p["price_cents"] = cents
				return nil
			})
		},
	}
	api, err := version.New([]version.Spec{
		{
			Version:         "1",
			Deprecated:      time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			Sunset:          time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
			DeprecationLink: "https://shop.example.com/docs/migrate-to-v2",
		},
		{Version: "2", Changes: []version.Change{priceObject}},
	}, &version.Config{
		Readers:         []version.Reader{version.Path("/api")},
		GoneAfterSunset: true,
	})
	if err != nil {
		panic(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		// Written once, for v2.
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": r.PathValue("id"), "name": "Lamp",
			"price": map[string]any{"amount": "12.50", "currency": "EUR"},
		})
	})
	h := api.Middleware(mux)

	for _, path := range []string{"/api/v2/products/7", "/api/v1/products/7"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Println(path, w.Code, strings.TrimSpace(w.Body.String()))
		for _, k := range []string{"Api-Supported-Versions", "Api-Deprecated-Versions", "Deprecation", "Sunset", "Link"} {
			if v := w.Header().Get(k); v != "" {
				fmt.Printf("  %s: %s\n", k, v)
			}
		}
	}
	// Output:
	// /api/v2/products/7 200 {"id":"7","name":"Lamp","price":{"amount":"12.50","currency":"EUR"}}
	//   Api-Supported-Versions: 2
	//   Api-Deprecated-Versions: 1
	// /api/v1/products/7 200 {"id":"7","name":"Lamp","price_cents":1250}
	//   Api-Supported-Versions: 2
	//   Api-Deprecated-Versions: 1
	//   Deprecation: @1767225600
	//   Sunset: Thu, 31 Dec 2026 00:00:00 GMT
	//   Link: <https://shop.example.com/docs/migrate-to-v2>; rel="deprecation"; type="text/html"
}

// ExampleConfig_goneAfterSunset: once its sunset has passed, a version answers 410 Gone.
func ExampleConfig_goneAfterSunset() {
	sunset := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	api, err := version.New([]version.Spec{
		{Version: "1", Deprecated: sunset.AddDate(0, -6, 0), Sunset: sunset},
		{Version: "2"},
	}, &version.Config{
		Readers:         []version.Reader{version.Header("Api-Version")},
		GoneAfterSunset: true,
		Now:             func() time.Time { return sunset.Add(time.Minute) }, // a fixed clock for the example
	})
	if err != nil {
		panic(err)
	}
	h := api.Middleware(http.HandlerFunc(products))
	r := httptest.NewRequest(http.MethodGet, "/products", nil)
	r.Header.Set("Api-Version", "1")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Println(w.Body.String())
	// Output:
	// 410 application/problem+json
	// {"type":"urn:buttress:version:sunset","title":"API version retired","status":410,"detail":"API version 1 was retired on Thu, 31 Dec 2026 00:00:00 GMT; supported versions: 2","instance":"/products","requested_version":"1","supported_versions":["2"]}
}

// ExampleRouter registers handlers per version; a version inherits the handler of the latest
// version at or before it.
func ExampleRouter() {
	api, err := version.New([]version.Spec{{Version: "1"}, {Version: "2"}, {Version: "3"}}, &version.Config{
		Readers: []version.Reader{version.Path("/api")},
	})
	if err != nil {
		panic(err)
	}
	rt := version.NewRouter()
	rt.HandleFunc("1", "GET /api/search", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "keyword search") })
	rt.HandleFunc("2", "GET /api/search", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "semantic search") })
	h := api.Middleware(rt)

	for _, path := range []string{"/api/v1/search", "/api/v2/search", "/api/v3/search"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Println(path, "→", w.Body.String())
	}
	// Output:
	// /api/v1/search → keyword search
	// /api/v2/search → semantic search
	// /api/v3/search → semantic search
}

// ExampleFromContext reads the negotiated version inside a handler.
func ExampleFromContext() {
	api, err := version.New([]version.Spec{{Version: "2024-01-01"}, {Version: "2024-06-01"}}, nil)
	if err != nil {
		panic(err)
	}
	h := api.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, ok := version.FromContext(r.Context())
		y, m, d := v.YMD()
		fmt.Println(ok, v, v.Kind(), y, m, d)
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Api-Version", "2024-01-01")
	h.ServeHTTP(httptest.NewRecorder(), r)
	// Output:
	// true 2024-01-01 date 2024 1 1
}

// ExampleParse shows the three kinds of version and their order.
func ExampleParse() {
	for _, s := range []string{"v2", "2.1", "2024-06-01", "2024-02-30"} {
		v, err := version.Parse(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(v, v.Kind())
	}
	fmt.Println(version.MustParse("2").Compare(version.MustParse("2.1")), version.MustParse("2").Same(version.MustParse("2.0")))
	// Output:
	// 2 integer
	// 2.1 major.minor
	// 2024-06-01 date
	// version: malformed API version "2024-02-30": day out of range
	// -1 true
}

// ExampleNegotiator_Resolve resolves a version without the middleware and inspects the error.
func ExampleNegotiator_Resolve() {
	api, err := version.New([]version.Spec{{Version: "1"}, {Version: "2"}}, &version.Config{
		Readers: []version.Reader{version.Header("")},
	})
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Api-Version", "9")
	_, err = api.Resolve(r)
	var verr *version.Error
	if errors.As(err, &verr) {
		fmt.Println(verr.Status, errors.Is(err, version.ErrUnsupported), verr.Supported)
	}
	// Output:
	// 400 true [1 2]
}
