package ratelimit

import (
	"context"
	"fmt"
	"time"
)

// MaxRequests is the most requests (policies) a single [Store.Take] call may carry.
const MaxRequests = 16

// Request asks for Cost units from the bucket named Key under Limit.
type Request struct {
	// Key names the bucket. It must not be empty, and the keys of one Take must be distinct.
	// Requests with the same Key but different Limits share one bucket, so give each policy its
	// own key space (the middleware prefixes the policy name).
	Key string
	// Limit is the policy applied to the bucket. It must be valid ([Limit.Validate]).
	Limit Limit
	// Cost is how many units the request takes: 0 means 1; it must not be negative nor larger
	// than Limit.Burst (such a request could never be admitted).
	Cost int
}

// Result is the outcome of one Request.
type Result struct {
	// Allowed reports whether this request's bucket had room. A Take admits only when every
	// Result is Allowed.
	Allowed bool
	// Remaining is how many more unit requests the bucket would admit right now (after this
	// request was charged, if the Take admitted). A [Limiter] sets it to -1 when it does not know
	// (the local over-limit cache or a store failure answered).
	Remaining int
	// RetryAfter is, for a bucket without room, the time until the request would fit; 0 otherwise.
	RetryAfter time.Duration
	// ResetAfter is the time until the bucket is full (idle) again.
	ResetAfter time.Duration
	// Limit is the Request's Limit, for headers.
	Limit Limit
}

// Store holds GCRA state. Implementations must be safe for concurrent use and exact under
// concurrency: N concurrent Takes against a bucket with room for k admit exactly min(N, k).
type Store interface {
	// Take checks every request in reqs as one atomic step and writes one Result per request
	// into res (len(res) >= len(reqs)). When every bucket has room all of them are charged and
	// it returns true; otherwise nothing is charged and it returns false. An invalid request is an
	// error wrapping ErrInvalidRequest or ErrInvalidLimit and charges nothing.
	Take(ctx context.Context, reqs []Request, res []Result) (bool, error)
}

// ValidateRequests checks reqs and res the way every Store must before charging anything. Store
// implementations outside this package may call it.
func ValidateRequests(reqs []Request, res []Result) error {
	if len(reqs) == 0 {
		return fmt.Errorf("%w: no requests", ErrInvalidRequest)
	}
	if len(reqs) > MaxRequests {
		return fmt.Errorf("%w: %d requests in one Take, at most %d", ErrInvalidRequest, len(reqs), MaxRequests)
	}
	if len(res) < len(reqs) {
		return fmt.Errorf("%w: %d result slots for %d requests", ErrInvalidRequest, len(res), len(reqs))
	}
	for i := range reqs {
		r := &reqs[i]
		if r.Key == "" {
			return fmt.Errorf("%w: request %d has an empty Key", ErrInvalidRequest, i)
		}
		if err := r.Limit.Validate(); err != nil {
			return fmt.Errorf("request %d (%s): %w", i, r.Key, err)
		}
		for j := 0; j < i; j++ {
			if reqs[j].Key == r.Key {
				return fmt.Errorf("%w: key %q appears twice in one Take", ErrInvalidRequest, r.Key)
			}
		}
		if r.Cost < 0 || r.Cost > r.Limit.Burst {
			return fmt.Errorf("%w: request %d (%s) Cost %d outside 0..Burst (%d)", ErrInvalidRequest, i, r.Key, r.Cost, r.Limit.Burst)
		}
	}
	return nil
}

// GCRA evaluates one request at time now (any monotonic unit, here nanoseconds) against a bucket
// whose theoretical arrival time is tat (0 or any value <= now for an idle bucket). It returns
// the bucket's new TAT if the request is charged, and the Result both for the case it is charged
// (allowed) and not. Stores outside this package may use it to stay consistent with this one.
func GCRA(now, tat int64, l Limit, cost int) (newTAT int64, res Result) {
	if cost == 0 {
		cost = 1
	}
	t := int64(l.Interval())
	tol := t * int64(l.Burst)
	if tat < now {
		tat = now
	}
	newTAT = tat + t*int64(cost)
	res.Limit = l
	if diff := newTAT - now; diff <= tol {
		res.Allowed = true
		res.Remaining = int((tol - diff) / t)
		res.ResetAfter = time.Duration(diff)
		return newTAT, res
	}
	res.RetryAfter = time.Duration(newTAT - now - tol)
	res.Remaining = int((tol - (tat - now)) / t)
	res.ResetAfter = time.Duration(tat - now)
	return tat, res
}

// uncharged rewrites an allowed Result for a Take that did not admit (another bucket was full):
// Remaining and ResetAfter then describe the bucket as it stays.
func uncharged(now, tat int64, r Result) Result {
	t := int64(r.Limit.Interval())
	tol := t * int64(r.Limit.Burst)
	if tat < now {
		tat = now
	}
	r.Remaining = int((tol - (tat - now)) / t)
	r.ResetAfter = time.Duration(tat - now)
	return r
}
