package secure_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/buttress-go/buttress/secure"
)

func ExampleSecure_BodyLimit() {
	sec, _ := secure.New(&secure.Config{MaxBodyBytes: 1 << 10})
	h := sec.BodyLimit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/upload", strings.NewReader(strings.Repeat("x", 2<<10))))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Println(rec.Body.String())
	// Output:
	// 413 application/problem+json
	// {"type":"about:blank","title":"Request Entity Too Large","status":413,"detail":"The request body is larger than the limit of 1024 bytes (Config.MaxBodyBytes)."}
}
