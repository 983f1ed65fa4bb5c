package secure_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/buttress-go/buttress/secure"
)

func ExampleSessionCookie() {
	fmt.Println(secure.SessionCookie("sid", "opaque", 24*time.Hour))
	// Output:
	// sid=opaque; Path=/; Max-Age=86400; HttpOnly; Secure; SameSite=Lax
}

func ExampleSecure_Cookies() {
	sec, _ := secure.New(&secure.Config{ScriptCookies: []string{"theme"}})
	h := sec.Cookies(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "theme", Value: "dark"})
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "https://localhost/", nil))
	for _, c := range rec.Header().Values("Set-Cookie") {
		fmt.Println(c)
	}
	// Output:
	// sid=1; Secure; HttpOnly; SameSite=Lax
	// theme=dark; Secure; SameSite=Lax
}
