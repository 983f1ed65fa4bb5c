package jobs

import (
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// retryPolicy applies KindPolicy.Retry, falling back to River's default policy.
type retryPolicy struct {
	kinds map[string]KindPolicy
	def   river.DefaultClientRetryPolicy
}

var _ river.ClientRetryPolicy = (*retryPolicy)(nil)

const maxRetryDelay = 24 * time.Hour

// NextRetry implements river.ClientRetryPolicy.
func (p *retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	pol, ok := p.kinds[job.Kind]
	if !ok || pol.Retry.Base <= 0 {
		return p.def.NextRetry(job)
	}
	return time.Now().Add(pol.Retry.delay(job.Attempt, rand.Float64()))
}

// delay is Base·2^(attempt-1), capped, with jitter; u is uniform in [0,1).
func (r RetryPolicy) delay(attempt int, u float64) time.Duration {
	limit := r.Max
	if limit <= 0 || limit > maxRetryDelay {
		limit = maxRetryDelay
	}
	d := r.Base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	if r.Jitter > 0 {
		d += time.Duration(float64(d) * r.Jitter * (2*u - 1))
	}
	return max(d, time.Millisecond)
}
