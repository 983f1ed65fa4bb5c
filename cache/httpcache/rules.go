package httpcache

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Why a request bypassed the cache or a response was not stored. They appear as the detail
// parameter of the Cache-Status header, so they are short tokens.
const (
	reasonMethod        = "method"
	reasonAuthorization = "authorization"
	reasonSession       = "session-cookie"
	reasonBadKey        = "bad-request-key"
	reasonStatus        = "status"
	reasonSetCookie     = "set-cookie"
	reasonPrivate       = "private"
	reasonNoStore       = "no-store"
	reasonNoCache       = "no-cache"
	reasonMaxAgeZero    = "max-age-0"
	reasonBadCC         = "bad-cache-control"
	reasonVaryStar      = "vary-star"
	reasonStreamed      = "streamed"
	reasonTooLarge      = "too-large"
	reasonPanic         = "panic"
	reasonBackend       = "backend-error"
	reasonVaryTooWide   = "vary-too-wide"
	reasonInvalidated   = "invalidated"
)

// bypassReason returns why r must not be looked up nor stored, or "" when it may be.
func (c *config) bypassReason(r *http.Request) string {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return reasonMethod
	}
	if c.cachePrivate {
		return ""
	}
	if _, ok := r.Header["Authorization"]; ok {
		return reasonAuthorization
	}
	if len(c.sessionCookies) > 0 {
		for _, line := range r.Header["Cookie"] {
			for _, name := range c.sessionCookies {
				if cookieLineHas(line, name) {
					return reasonSession
				}
			}
		}
	}
	return ""
}

// cookieLineHas reports whether a Cookie header line names cookie (without parsing values).
func cookieLineHas(line, name string) bool {
	for part := range strings.SplitSeq(line, ";") {
		part = strings.TrimLeft(part, " \t")
		if strings.HasPrefix(part, name) && (len(part) == len(name) || part[len(name)] == '=') {
			return true
		}
	}
	return false
}

// refusal returns why a complete response must not be stored ("" when it may be) and, when it
// may, how long it stays fresh.
func (c *config) refusal(status int, h http.Header) (string, time.Duration) {
	if !c.statusCacheable(status) {
		return reasonStatus, 0
	}
	if _, ok := h["Set-Cookie"]; ok {
		return reasonSetCookie, 0
	}
	for _, v := range h["Vary"] {
		for f := range strings.SplitSeq(v, ",") {
			if strings.TrimSpace(f) == "*" {
				return reasonVaryStar, 0
			}
		}
	}
	ttl := c.ttl
	maxAge, sMaxAge := -1, -1
	for _, line := range h["Cache-Control"] {
		for d := range strings.SplitSeq(line, ",") {
			d = strings.TrimSpace(d)
			if d == "" {
				continue
			}
			name, value, hasValue := strings.Cut(d, "=")
			name = strings.ToLower(strings.TrimSpace(name))
			switch name {
			case "private":
				return reasonPrivate, 0
			case "no-store":
				return reasonNoStore, 0
			case "no-cache":
				return reasonNoCache, 0
			case "max-age", "s-maxage":
				if !hasValue {
					return reasonBadCC, 0
				}
				n, ok := parseDeltaSeconds(value)
				if !ok {
					return reasonBadCC, 0
				}
				if name == "max-age" {
					maxAge = n
				} else {
					sMaxAge = n
				}
			}
		}
	}
	switch {
	case sMaxAge == 0:
		return reasonMaxAgeZero, 0
	case sMaxAge > 0:
		ttl = time.Duration(sMaxAge) * time.Second
	case maxAge == 0:
		return reasonMaxAgeZero, 0
	case maxAge > 0:
		ttl = time.Duration(maxAge) * time.Second
	}
	if ttl > c.maxTTL {
		ttl = c.maxTTL
	}
	return "", ttl
}

// parseDeltaSeconds parses a Cache-Control delta-seconds value (optionally quoted), saturating at
// about 68 years as RFC 9111 §1.2.2 allows.
func parseDeltaSeconds(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	if v == "" {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	if len(v) > 10 {
		return 1<<31 - 1, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n > 1<<31-1 {
		return 1<<31 - 1, true
	}
	return n, true
}
