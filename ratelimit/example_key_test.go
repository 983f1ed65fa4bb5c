package ratelimit_test

import (
	"fmt"
	"net/netip"

	"github.com/buttress-go/buttress/ratelimit"
)

// IPv6 clients are keyed by their /64, IPv4-mapped addresses as IPv4.
func ExampleIPKey() {
	for _, s := range []string{"203.0.113.9", "2001:db8:1:2:3:4:5:6", "::ffff:198.51.100.7"} {
		k, _ := ratelimit.IPKey(netip.MustParseAddr(s))
		fmt.Println(k)
	}
	_, err := ratelimit.IPKey(netip.Addr{})
	fmt.Println(err)
	// Output:
	// 203.0.113.9
	// 2001:db8:1:2::/64
	// 198.51.100.7
	// ratelimit: no client IP: invalid address
}

// ParseRemoteAddr accepts what net/http puts in Request.RemoteAddr.
func ExampleParseRemoteAddr() {
	for _, s := range []string{"192.0.2.1:443", "[fe80::1%eth0]:80", "nonsense"} {
		a, err := ratelimit.ParseRemoteAddr(s)
		fmt.Println(a, err)
	}
	// Output:
	// 192.0.2.1 <nil>
	// fe80::1 <nil>
	// invalid IP ratelimit: no client IP: cannot parse remote address "nonsense"
}
