package jobs

import (
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

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
	// a firing, deploy during the firing).
	NoCatchUp bool
}

// periodicJobs turns Config.Periodic into River periodic jobs. Each insert is unique by
// (kind, firing time): the job's ScheduledAt is the firing time and UniqueOpts.ByPeriod is one
// second, unless the constructor sets its own UniqueOpts. So however many leaders come and go,
// one firing inserts at most one job.
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
			o.ScheduledAt = fire
			if u := o.UniqueOpts; !u.ByArgs && u.ByPeriod == 0 && !u.ByQueue && len(u.ByState) == 0 {
				o.UniqueOpts = river.UniqueOpts{ByPeriod: time.Second}
			}
			return args, o
		}, &river.PeriodicJobOpts{RunOnStart: !p.NoCatchUp}))
	}
	return out, nil
}
