package jobs

import (
	"fmt"
	"time"

	"github.com/buttress-go/buttress/jobs/internal/cron"
	"github.com/riverqueue/river"
)

// Schedule is a parsed cron expression, evaluated in UTC. It implements river.PeriodicSchedule,
// so it can also be given to river.NewPeriodicJob directly.
type Schedule struct {
	s *cron.Schedule
}

var _ river.PeriodicSchedule = (*Schedule)(nil)

// ParseCron parses a cron expression: five fields (minute hour day-of-month month day-of-week),
// or six with a leading seconds field, or one of @yearly, @annually, @monthly, @weekly, @daily,
// @midnight, @hourly. Fields accept *, numbers, ranges a-b, steps */n, a/n and a-b/n, lists,
// and three-letter month and weekday names; day-of-week 7 is Sunday. As in classic cron, when
// both day fields are restricted, a day matching either runs. Times are UTC. An expression that
// never fires (0 0 30 2 *) is rejected. Errors wrap ErrInvalidCron and quote the expression.
func ParseCron(expr string) (*Schedule, error) {
	s, err := cron.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrInvalidCron, expr, err)
	}
	return &Schedule{s: s}, nil
}

// Next returns the first firing strictly after t, or the zero time if none within five years.
func (s *Schedule) Next(t time.Time) time.Time { return s.s.Next(t) }

// Prev returns the last firing at or before t, or the zero time if none within five years.
func (s *Schedule) Prev(t time.Time) time.Time { return s.s.Prev(t) }

// String returns the expression as given.
func (s *Schedule) String() string { return s.s.String() }
