package ratelimit_test

import (
	"net/http"
	"net/netip"
)

type netipAddr = netip.Addr

// parseXFF stands in for a trusted-proxy resolver (Buttress's secure package provides the real
// one): it trusts a test header.
func parseXFF(r *http.Request) (netip.Addr, error) { return netip.ParseAddr(r.Header.Get("X-Client")) }
