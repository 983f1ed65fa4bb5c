package version_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/buttress-go/buttress/version"
)

// products is the handler of the examples: it says which path it was routed on and which
// version it serves.
func products(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "%s v%s", r.URL.Path, version.Get(r.Context()))
}

// ExamplePath reads the version from the path. The router sees the path without the version
// segment, so one ServeMux pattern serves every version.
func ExamplePath() {
	api, err := version.New([]version.Spec{{Version: "1"}, {Version: "2"}}, &version.Config{
		Readers: []version.Reader{version.Path("/api")},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/products", products)
	h := api.Middleware(mux)

	for _, path := range []string{"/api/v1/products", "/api/v2/products", "/api/products", "/api/v9/products"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Println(path, "→", w.Code, w.Body.String())
	}
	// Output:
	// /api/v1/products → 200 /api/products v1
	// /api/v2/products → 200 /api/products v2
	// /api/products → 200 /api/products v2
	// /api/v9/products → 404 {"type":"urn:buttress:version:unsupported","title":"Unsupported API version","status":404,"detail":"API version \"v9\" in the path is not supported; supported versions: 1, 2","instance":"/api/v9/products","requested_version":"v9","version_source":"path","supported_versions":["1","2"]}
}

// ExampleHeader reads the version from the Api-Version header; responses Vary on it.
func ExampleHeader() {
	api, err := version.New([]version.Spec{{Version: "1"}, {Version: "2"}}, &version.Config{
		Readers: []version.Reader{version.Header("Api-Version")},
	})
	if err != nil {
		panic(err)
	}
	h := api.Middleware(http.HandlerFunc(products))

	for _, v := range []string{"1", "9", "1, 2"} {
		r := httptest.NewRequest(http.MethodGet, "/products", nil)
		r.Header.Set("Api-Version", v)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(v, "→", w.Code, "Vary:", w.Header().Get("Vary"))
	}
	// Output:
	// 1 → 200 Vary: Api-Version
	// 9 → 400 Vary: Api-Version
	// 1, 2 → 400 Vary: Api-Version
}

// ExampleMediaType reads the version from Accept, as a parameter or a vendor media type. An
// unsupported version there answers 406 Not Acceptable.
func ExampleMediaType() {
	api, err := version.New([]version.Spec{{Version: "1"}, {Version: "2"}}, &version.Config{
		Readers: []version.Reader{version.MediaType("acme")},
	})
	if err != nil {
		panic(err)
	}
	h := api.Middleware(http.HandlerFunc(products))

	for _, accept := range []string{
		"application/json; version=1",
		"application/vnd.acme.v2+json",
		"application/json; version=3",
	} {
		r := httptest.NewRequest(http.MethodGet, "/products", nil)
		r.Header.Set("Accept", accept)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(accept, "→", w.Code, "Vary:", w.Header().Get("Vary"))
	}
	// Output:
	// application/json; version=1 → 200 Vary: Accept
	// application/vnd.acme.v2+json → 200 Vary: Accept
	// application/json; version=3 → 406 Vary: Accept
}

// ExampleQuery reads the version from the query string.
func ExampleQuery() {
	api, err := version.New([]version.Spec{{Version: "1.0"}, {Version: "1.1"}}, &version.Config{
		Readers: []version.Reader{version.Query("api-version")},
	})
	if err != nil {
		panic(err)
	}
	h := api.Middleware(http.HandlerFunc(products))

	for _, target := range []string{"/products?api-version=1.0", "/products?api-version=1.1&api-version=1.0", "/products?api-version=one"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		fmt.Println(target, "→", w.Code)
	}
	// Output:
	// /products?api-version=1.0 → 200
	// /products?api-version=1.1&api-version=1.0 → 400
	// /products?api-version=one → 400
}

// ExampleHost reads the version from the host name.
func ExampleHost() {
	api, err := version.New([]version.Spec{{Version: "1"}, {Version: "2"}}, &version.Config{
		Readers: []version.Reader{version.Host("api.example.com")},
	})
	if err != nil {
		panic(err)
	}
	h := api.Middleware(http.HandlerFunc(products))

	for _, host := range []string{"v1.api.example.com", "api.example.com", "v3.api.example.com"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "http://"+host+"/products", nil))
		fmt.Println(host, "→", w.Code, w.Body.String()[:min(w.Body.Len(), 14)])
	}
	// Output:
	// v1.api.example.com → 200 /products v1
	// api.example.com → 200 /products v2
	// v3.api.example.com → 404 {"type":"urn:b
}

// ExampleConfig_readers enables several readers at once; a request where they disagree is
// rejected as ambiguous.
func ExampleConfig_readers() {
	api, err := version.New([]version.Spec{{Version: "1"}, {Version: "2"}}, &version.Config{
		Readers: []version.Reader{version.Path("/api"), version.Header("Api-Version"), version.Query("version")},
	})
	if err != nil {
		panic(err)
	}
	h := api.Middleware(http.HandlerFunc(products))

	agree := httptest.NewRequest(http.MethodGet, "/api/v2/products?version=2", nil)
	disagree := httptest.NewRequest(http.MethodGet, "/api/v2/products", nil)
	disagree.Header.Set("Api-Version", "1")
	for _, r := range []*http.Request{agree, disagree} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code)
	}
	_, err = api.Resolve(disagree)
	fmt.Println(err)
	// Output:
	// 200
	// 400
	// version: ambiguous API version: the request names API version "v2" in the path and "1" in the header Api-Version; name one version; supported versions: 1, 2
}
