package secure_test

import (
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/buttress-go/buttress/secure"
)

func ExampleNonce() {
	sec, _ := secure.New(&secure.Config{ContentSecurityPolicy: "script-src 'nonce-{nonce}'"})
	page := template.Must(template.New("p").Parse(`<script nonce="{{ .Nonce }}">go()</script>`))
	h := sec.Headers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = page.Execute(w, map[string]string{"Nonce": secure.Nonce(r.Context())})
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	csp := rec.Header().Get("Content-Security-Policy")
	nonce := strings.TrimSuffix(strings.TrimPrefix(csp, "script-src 'nonce-"), "'")
	fmt.Println(rec.Body.String() == `<script nonce="`+nonce+`">go()</script>`, len(nonce))
	fmt.Println(rec.Header().Get("X-Frame-Options"), rec.Header().Get("X-Content-Type-Options"))
	// Output:
	// true 22
	// DENY nosniff
}
