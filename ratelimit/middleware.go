package ratelimit

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// ProblemTypeQuotaExceeded is the problem type of a 429 body, registered by
// draft-ietf-httpapi-ratelimit-headers.
const ProblemTypeQuotaExceeded = "https://iana.org/assignments/http-problem-types#quota-exceeded"

// Policy is one limit the middleware applies to every request: a Limit on the bucket named by
// Key(r), in its own key space "Name:key".
type Policy struct {
	// Name identifies the policy in the RateLimit headers and in store keys: 1–64 characters of
	// A–Z a–z 0–9 _ . -, unique among the middleware's policies.
	Name string
	// Limit is the policy's limit. Must be valid.
	Limit Limit
	// Key derives the bucket key from the request. Required.
	Key KeyFunc
}

// MiddlewareConfig configures [Limiter.Middleware]. A nil *MiddlewareConfig means all defaults.
type MiddlewareConfig struct {
	// KeyErrorFallback, when not empty, is the key used for a policy whose KeyFunc failed or
	// returned an empty key (for example an unparseable client IP): all such requests share one
	// bucket. Default "": such requests are answered 400 Bad Request. Either way they are never
	// let through unlimited.
	KeyErrorFallback string
	// LegacyHeaders adds X-RateLimit-Limit, -Remaining and -Reset (delta seconds) for the most
	// constrained policy. Default false.
	LegacyHeaders bool
	// OnKeyError, if set, is called with each key error (before the fallback or the 400).
	OnKeyError func(r *http.Request, policy string, err error)
}

// Middleware returns HTTP middleware that checks every policy for each request in one store call
// (admitted only if all have room, and only then charged). Admitted responses carry the
// RateLimit-Policy and RateLimit headers; a rejected request gets 429 Too Many Requests with
// Retry-After (delta-seconds rounded up), the same headers and a problem+json body of type
// quota-exceeded. If the store fails and the limiter fails closed the answer is 503 with
// Retry-After. In shadow mode nothing is blocked and no rate-limit headers are sent.
func (l *Limiter) Middleware(policies []Policy, cfg *MiddlewareConfig) (func(http.Handler) http.Handler, error) {
	if len(policies) == 0 {
		return nil, fmt.Errorf("%w: no policies", ErrInvalidConfig)
	}
	if len(policies) > MaxRequests {
		return nil, fmt.Errorf("%w: %d policies, at most %d", ErrInvalidConfig, len(policies), MaxRequests)
	}
	var c MiddlewareConfig
	if cfg != nil {
		c = *cfg
	}
	ps := make([]Policy, len(policies))
	copy(ps, policies)
	names := make([]string, len(ps))
	prefixes := make([]string, len(ps))
	for i, p := range ps {
		if !validPolicyName(p.Name) {
			return nil, fmt.Errorf("%w: Policy[%d].Name %q must be 1-64 of A-Z a-z 0-9 _ . -", ErrInvalidConfig, i, p.Name)
		}
		for j := 0; j < i; j++ {
			if ps[j].Name == p.Name {
				return nil, fmt.Errorf("%w: Policy[%d].Name %q is used twice", ErrInvalidConfig, i, p.Name)
			}
		}
		if err := p.Limit.Validate(); err != nil {
			return nil, fmt.Errorf("ratelimit: Policy[%d] (%s): %w", i, p.Name, err)
		}
		if p.Key == nil {
			return nil, fmt.Errorf("%w: Policy[%d].Key is nil", ErrInvalidConfig, i)
		}
		names[i] = p.Name
		prefixes[i] = p.Name + ":"
	}
	m := &middleware{l: l, cfg: c, policies: ps, names: names, prefixes: prefixes, policyHeader: formatPolicyHeader(ps)}
	return m.wrap, nil
}

type middleware struct {
	l            *Limiter
	cfg          MiddlewareConfig
	policies     []Policy
	names        []string
	prefixes     []string
	policyHeader string
}

func (m *middleware) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := m.l.getBuf()
		defer m.l.putBuf(buf)
		reqs, res, names := buf.reqs[:], buf.res[:], buf.names[:]
		var usedIdx [MaxRequests]int
		n := 0
		for i := range m.policies {
			p := &m.policies[i]
			key, err := p.Key(r)
			if errors.Is(err, ErrSkip) {
				continue
			}
			if err == nil && key == "" {
				err = fmt.Errorf("%w: policy %q: key func returned an empty key", ErrInvalidRequest, p.Name)
			}
			if err != nil {
				if m.cfg.OnKeyError != nil {
					m.cfg.OnKeyError(r, p.Name, err)
				}
				if m.cfg.KeyErrorFallback == "" {
					writeProblem(w, http.StatusBadRequest, "about:blank", "Bad Request",
						"the request cannot be attributed to a client for rate limiting", nil)
					return
				}
				key = m.cfg.KeyErrorFallback
			}
			reqs[n] = Request{Key: m.prefixes[i] + key, Limit: p.Limit}
			names[n] = p.Name
			usedIdx[n] = i
			n++
		}
		if n == 0 {
			next.ServeHTTP(w, r)
			return
		}
		d, err := m.l.Take(r.Context(), reqs[:n], res[:n])
		if err != nil { // keys were checked above; only a store-level invalid request lands here
			writeProblem(w, http.StatusInternalServerError, "about:blank", "Internal Server Error", "rate limiter misconfigured", nil)
			return
		}
		h := w.Header()
		if !m.l.cfg.Shadow && d.StoreErr == nil {
			if n == len(m.policies) {
				h.Set(HeaderRateLimitPolicy, m.policyHeader)
			} else {
				used := make([]Policy, n)
				for j := range used {
					used[j] = m.policies[usedIdx[j]]
				}
				h.Set(HeaderRateLimitPolicy, formatPolicyHeader(used))
			}
			if v := formatRateLimitHeader(names[:n], res[:n]); v != "" {
				h.Set(HeaderRateLimit, v)
			}
			if m.cfg.LegacyHeaders {
				setLegacyHeaders(h, res[:n])
			}
		}
		if d.Allowed {
			next.ServeHTTP(w, r)
			return
		}
		h.Set(HeaderRetryAfter, RetryAfterValue(d.RetryAfter))
		if d.StoreErr != nil {
			writeProblem(w, http.StatusServiceUnavailable, "about:blank", "Service Unavailable",
				"rate limiting is unavailable; retry later", nil)
			return
		}
		var violated []string
		for i := 0; i < n; i++ {
			if !res[i].Allowed {
				violated = append(violated, names[i])
			}
		}
		writeProblem(w, http.StatusTooManyRequests, ProblemTypeQuotaExceeded, "Quota exceeded",
			"too many requests; retry after "+RetryAfterValue(d.RetryAfter)+" s", violated)
	})
}

type problem struct {
	Type     string   `json:"type"`
	Title    string   `json:"title"`
	Status   int      `json:"status"`
	Detail   string   `json:"detail,omitempty"`
	Violated []string `json:"violated-policies,omitempty"`
}

// writeProblem writes an RFC 9457 problem+json response.
func writeProblem(w http.ResponseWriter, status int, typ, title, detail string, violated []string) {
	body, _ := json.Marshal(problem{Type: typ, Title: title, Status: status, Detail: detail, Violated: violated})
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
