package secure_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/buttress-go/buttress/secure"
)

func ExampleNew() {
	sec, err := secure.New(&secure.Config{
		AllowedHosts: []string{"example.com", ".example.com"},
		SSLRedirect:  true,
		HSTSMaxAge:   365 * 24 * time.Hour,
	})
	if err != nil {
		panic(err)
	}
	h := sec.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	}))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://shop.example.com/cart?x=1", nil))
	fmt.Println(rec.Code, rec.Header().Get("Location"))

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://evil.com/", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	// Output:
	// 301 https://shop.example.com/cart?x=1
	// 400 application/problem+json
}

func ExampleNew_invalidConfig() {
	_, err := secure.New(&secure.Config{TrustedOrigins: []string{"example.com"}})
	fmt.Println(err)
	// Output:
	// secure: invalid config: Config.TrustedOrigins[0] "example.com" needs a scheme: write it as "https://example.com"
}
