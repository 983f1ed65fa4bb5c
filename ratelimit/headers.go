package ratelimit

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names written by the middleware.
const (
	HeaderRateLimitPolicy = "RateLimit-Policy" // draft-ietf-httpapi-ratelimit-headers
	HeaderRateLimit       = "RateLimit"        // draft-ietf-httpapi-ratelimit-headers
	HeaderRetryAfter      = "Retry-After"      // RFC 9110, delta-seconds
	HeaderLegacyLimit     = "X-RateLimit-Limit"
	HeaderLegacyRemaining = "X-RateLimit-Remaining"
	HeaderLegacyReset     = "X-RateLimit-Reset"
)

// ceilSeconds rounds d up to whole seconds, so a client that waits that long never comes back
// before the bucket has room. A positive d is at least 1.
func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	s := int64(d / time.Second)
	if d%time.Second != 0 {
		s++
	}
	return s
}

// RetryAfterValue formats d as a Retry-After delta-seconds value, rounded up (never earlier than
// the true wait); a positive d gives at least "1".
func RetryAfterValue(d time.Duration) string {
	return strconv.FormatInt(ceilSeconds(d), 10)
}

// validPolicyName reports whether name can be a policy name: 1–64 of A–Z a–z 0–9 _ . -. Such a
// name is safe unescaped inside a Structured Field string and in store keys.
func validPolicyName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// formatPolicyHeader builds the RateLimit-Policy value: a Structured Field list with one item per
// policy, `"name";q=Rate;w=ceil(Period in seconds)`.
func formatPolicyHeader(policies []Policy) string {
	var b strings.Builder
	for i, p := range policies {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('"')
		b.WriteString(p.Name)
		b.WriteString(`";q=`)
		b.WriteString(strconv.Itoa(p.Limit.Rate))
		b.WriteString(";w=")
		b.WriteString(strconv.FormatInt(max(1, ceilSeconds(p.Limit.Period)), 10))
	}
	return b.String()
}

// formatRateLimitHeader builds the RateLimit value for the policies whose result is known:
// `"name";r=remaining;t=seconds until the bucket is full`. It returns "" if none is known.
func formatRateLimitHeader(names []string, res []Result) string {
	var b strings.Builder
	for i := range names {
		r := &res[i]
		if r.Remaining < 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('"')
		b.WriteString(names[i])
		b.WriteString(`";r=`)
		b.WriteString(strconv.Itoa(r.Remaining))
		b.WriteString(";t=")
		b.WriteString(strconv.FormatInt(ceilSeconds(r.ResetAfter), 10))
	}
	return b.String()
}

// setLegacyHeaders writes X-RateLimit-* for the most constrained known result.
func setLegacyHeaders(h http.Header, res []Result) {
	best := -1
	for i := range res {
		if res[i].Remaining < 0 {
			continue
		}
		if best < 0 || res[i].Remaining < res[best].Remaining {
			best = i
		}
	}
	if best < 0 {
		return
	}
	r := &res[best]
	h.Set(HeaderLegacyLimit, strconv.Itoa(r.Limit.Rate))
	h.Set(HeaderLegacyRemaining, strconv.Itoa(r.Remaining))
	h.Set(HeaderLegacyReset, strconv.FormatInt(ceilSeconds(r.ResetAfter), 10))
}
