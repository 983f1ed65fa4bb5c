package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// workMiddleware runs around every worked job: it restores the request context and logger,
// enforces expiry and rate limits, hands off chains and records metrics. One middleware instead
// of a stack keeps the call depth (and the cost per job) low.
type workMiddleware struct {
	river.MiddlewareDefaults
	c *Client
}

var _ rivertype.WorkerMiddleware = (*workMiddleware)(nil)

func (m *workMiddleware) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) (err error) {
	c := m.c
	start := time.Now()
	outcome := OutcomePanicked // if doInner panics, the deferred record sees this
	meta, merr := parseMeta(job.Metadata)
	defer func() {
		c.metrics.record(ctx, c, job, outcome, start, time.Since(start), err)
		// A chain step that will never complete takes the steps waiting on it along: cancelled,
		// expired, discarded, or panicked on its last attempt (River discards it).
		if len(meta.Next) > 0 && (outcome == OutcomeCancelled || outcome == OutcomeDiscarded ||
			outcome == OutcomeExpired || outcome == OutcomePanicked && job.Attempt >= job.MaxAttempts) {
			c.cancelRest(ctx, meta.Next)
		}
	}()

	if merr != nil {
		c.log.Warn().Err(merr).Int64("job_id", job.ID).Msg("jobs: unreadable job metadata; ignoring it")
	}
	if meta.RequestID != "" {
		ctx = c.cfg.WithRequestID(ctx, meta.RequestID)
	}
	if meta.Traceparent != "" {
		ctx = c.cfg.WithTraceparent(ctx, meta.Traceparent)
	}
	lc := c.log.With().Int64("job_id", job.ID).Str("job_kind", job.Kind).Str("queue", job.Queue).Int("attempt", job.Attempt)
	if meta.RequestID != "" {
		lc = lc.Str("request_id", meta.RequestID)
	}
	logger := lc.Logger()
	ctx = logger.WithContext(ctx)

	if meta.ExpiresAt != nil && start.After(*meta.ExpiresAt) {
		outcome = OutcomeExpired
		logger.Info().Time("expires_at", *meta.ExpiresAt).Msg("jobs: job expired before it started; cancelling")
		return river.JobCancel(fmt.Errorf("%w: deadline %s passed", ErrExpired, meta.ExpiresAt.Format(time.RFC3339Nano)))
	}

	if rl := c.cfg.Kinds[job.Kind].RateLimit; rl != nil {
		ok, wait := c.limiter.allow(ctx, job.Kind, rl, start)
		if !ok {
			outcome = OutcomeRateLimited
			return river.JobSnooze(wait)
		}
	}

	err = doInner(ctx)
	if err == nil && len(meta.Next) > 0 {
		err = c.handOff(ctx, job, meta.Next)
	}
	outcome = outcomeOf(ctx, job, err)
	return err
}

// Outcome is how one worked attempt ended.
type Outcome string

// Outcomes recorded in Stats and passed to Config.OnJobDone.
const (
	OutcomeCompleted   Outcome = "completed"    // Work returned nil
	OutcomeRetried     Outcome = "retried"      // error; another attempt is scheduled
	OutcomeDiscarded   Outcome = "discarded"    // error on the last attempt
	OutcomeCancelled   Outcome = "cancelled"    // Permanent / river.JobCancel
	OutcomeSnoozed     Outcome = "snoozed"      // river.JobSnooze (attempt not burnt)
	OutcomeRateLimited Outcome = "rate_limited" // snoozed by the kind's rate limit
	OutcomeExpired     Outcome = "expired"      // cancelled unstarted after its deadline
	OutcomeInterrupted Outcome = "interrupted"  // ctx cancelled by a shutdown (River re-runs it)
	OutcomePanicked    Outcome = "panicked"     // Work panicked
)

// outcomeOf classifies an attempt. Only a job whose own ctx was cancelled (a shutdown) is
// interrupted; a JobTimeout (deadline exceeded) is a failed attempt like any other error: River
// retries or discards it.
func outcomeOf(ctx context.Context, job *rivertype.JobRow, err error) Outcome {
	if err == nil {
		return OutcomeCompleted
	}
	var snooze *rivertype.JobSnoozeError
	if errors.As(err, &snooze) {
		return OutcomeSnoozed
	}
	var cancel *rivertype.JobCancelError
	if errors.As(err, &cancel) {
		return OutcomeCancelled
	}
	if errors.Is(err, context.Canceled) && errors.Is(ctx.Err(), context.Canceled) {
		return OutcomeInterrupted
	}
	if job.Attempt >= job.MaxAttempts {
		return OutcomeDiscarded
	}
	return OutcomeRetried
}
