package secure_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/buttress-go/buttress/secure"
)

func ExampleNewProxies() {
	proxies, err := secure.NewProxies([]string{"10.0.0.0/8"}, secure.XForwarded)
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.7:41000" // our load balancer
	r.Header.Set("X-Forwarded-For", "6.6.6.6, 203.0.113.9, 10.0.0.3")
	r.Header.Set("X-Forwarded-Proto", "https")

	ip, err := proxies.ClientIP(r) // the shape ratelimit and logging take
	fmt.Println(ip, err, proxies.Scheme(r))

	r.RemoteAddr = "198.51.100.1:5000" // straight from the Internet: headers ignored
	ip, _ = proxies.ClientIP(r)
	fmt.Println(ip, proxies.Scheme(r))
	// Output:
	// 203.0.113.9 <nil> https
	// 198.51.100.1 http
}
