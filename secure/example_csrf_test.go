package secure_test

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"

	"github.com/buttress-go/buttress/secure"
)

func ExampleSecure_CheckCSRF() {
	sec, _ := secure.New(&secure.Config{
		AllowedHosts:   []string{"example.com"},
		TrustedOrigins: []string{"https://*.example.com"},
	})
	post := func(headers ...string) *http.Request {
		r := httptest.NewRequest("POST", "/transfer", nil)
		r.Host = "example.com"
		for i := 0; i < len(headers); i += 2 {
			r.Header.Set(headers[i], headers[i+1])
		}
		return r
	}
	fmt.Println(sec.CheckCSRF(post("Sec-Fetch-Site", "same-origin")))
	fmt.Println(errors.Is(sec.CheckCSRF(post("Sec-Fetch-Site", "cross-site")), secure.ErrCSRFCrossSite))
	fmt.Println(sec.CheckCSRF(post("Origin", "https://app.example.com")))
	fmt.Println(sec.CheckCSRF(post("Origin", "http://app.example.com")))
	// Output:
	// <nil>
	// true
	// <nil>
	// secure: CSRF: origin does not match: Origin "http://app.example.com" is neither http://example.com nor a trusted origin
}

func ExampleCSRFField() {
	sec, _ := secure.New(&secure.Config{AllowedHosts: []string{"example.com"}, CSRFTokens: true})
	page := template.Must(template.New("form").Parse(`<form method="post">{{ .CSRFField }}</form>`))
	h := sec.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = page.Execute(w, map[string]any{"CSRFField": secure.CSRFField(r)})
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://example.com/form", nil))
	body := rec.Body.String()
	fmt.Println(body[:len(`<form method="post"><input type="hidden" name="csrf_token" value="`)])
	fmt.Println(len(secure.CSRFToken(httptest.NewRequest("GET", "/", nil))) == 0)
	// Output:
	// <form method="post"><input type="hidden" name="csrf_token" value="
	// true
}
