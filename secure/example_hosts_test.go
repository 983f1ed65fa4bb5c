package secure_test

import (
	"fmt"

	"github.com/buttress-go/buttress/secure"
)

func ExampleParseHost() {
	for _, h := range []string{"EXAMPLE.com.", "example.com:8443", "[::1]:80", "a@b"} {
		domain, port, err := secure.ParseHost(h)
		fmt.Printf("%q %q %v\n", domain, port, err)
	}
	// Output:
	// "example.com" "" <nil>
	// "example.com" "8443" <nil>
	// "[::1]" "80" <nil>
	// "" "" secure: invalid host: "a@b": character '@' not allowed
}
