package jobs

import (
	"cmp"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivershared/riversharedmaintenance"
	"github.com/riverqueue/river/rivertype"
)

// catchUpHorizon is how far back a catch-up firing may lie: the shortest time River keeps a
// finished job (default 24 hours), less a minute of margin for its cleaner. 0: no bound (every
// retention is infinite).
func catchUpHorizon(rc *river.Config) time.Duration {
	h := time.Duration(0)
	for _, d := range []time.Duration{
		cmp.Or(rc.CompletedJobRetentionPeriod, riversharedmaintenance.CompletedJobRetentionPeriodDefault),
		cmp.Or(rc.CancelledJobRetentionPeriod, riversharedmaintenance.CancelledJobRetentionPeriodDefault),
		cmp.Or(rc.DiscardedJobRetentionPeriod, riversharedmaintenance.DiscardedJobRetentionPeriodDefault),
	} {
		if d > 0 && (h == 0 || d < h) {
			h = d
		}
	}
	if h > 2*time.Minute {
		h -= time.Minute
	}
	return h
}

// Periodic is a job inserted on a cron schedule by whichever client is the elected leader.
type Periodic struct {
	// Cron is the schedule, parsed by [ParseCron] (UTC). Required.
	Cron string
	// Construct returns the job to insert at each firing; returning nil args skips the firing.
	// It must not block. Required.
	Construct func() (river.JobArgs, *river.InsertOpts)
	// NoCatchUp disables the catch-up run: by default a newly elected leader inserts the most
	// recent firing at once, which the uniqueness below turns into a no-op when the previous
	// leader already inserted it, and into the missed run when it did not (leader change across
	// a firing, deploy during the firing). A firing older than River keeps finished jobs
	// (Config.River's retention periods; 24 hours by default) is not caught up: its job may
	// have run and been deleted since, and uniqueness could no longer tell.
	NoCatchUp bool
}

// periodicJobs turns Config.Periodic into River periodic jobs. Each insert is unique by
// (kind, firing time) across every job state, finished ones included: the job's ScheduledAt is
// the firing time and UniqueOpts is ByPeriod one second with ByState all states, unless the
// constructor sets its own UniqueOpts. So however many leaders come and go, one firing inserts at
// most one job while River keeps it, and catch-up never reaches further back than that.
func (c *Client) periodicJobs() ([]*river.PeriodicJob, error) {
	var out []*river.PeriodicJob
	for i, p := range c.cfg.Periodic {
		sched, err := ParseCron(p.Cron)
		if err != nil {
			return nil, fmt.Errorf("%w: Config.Periodic[%d].Cron: %w", ErrConfig, i, err)
		}
		if p.Construct == nil {
			return nil, configErr(fmt.Sprintf("Periodic[%d].Construct", i), "must be set")
		}
		if args, opts := p.Construct(); args != nil {
			if _, err := c.prepare(args, opts); err != nil {
				return nil, fmt.Errorf("%w: Config.Periodic[%d] (%s): %w", ErrConfig, i, p.Cron, err)
			}
		}
		construct := p.Construct
		out = append(out, river.NewPeriodicJob(sched, func() (river.JobArgs, *river.InsertOpts) {
			args, opts := construct()
			if args == nil {
				return nil, nil
			}
			o, err := c.prepare(args, opts)
			if err != nil {
				c.log.Error().Err(err).Str("cron", sched.String()).Msg("jobs: periodic job skipped")
				return nil, nil
			}
			// River may call the constructor up to 100ms before the firing.
			fire := sched.Prev(time.Now().Add(100 * time.Millisecond))
			if fire.IsZero() {
				return nil, nil
			}
			if h := c.catchUpHorizon; h > 0 && time.Since(fire) > h {
				c.log.Info().Str("cron", sched.String()).Time("firing", fire).
					Msg("jobs: periodic catch-up skipped: the firing is older than River keeps finished jobs")
				return nil, nil
			}
			o.ScheduledAt = fire
			if u := o.UniqueOpts; !u.ByArgs && u.ByPeriod == 0 && !u.ByQueue && len(u.ByState) == 0 {
				o.UniqueOpts = river.UniqueOpts{ByPeriod: time.Second, ByState: rivertype.JobStates()}
			}
			return args, o
		}, &river.PeriodicJobOpts{RunOnStart: !p.NoCatchUp}))
	}
	return out, nil
}
