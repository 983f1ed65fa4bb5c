// Package cron parses cron expressions and computes their firing times in UTC. It backs
// jobs.ParseCron; it lives apart so that its fuzzer builds without the jobs dependencies.
package cron

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule is a parsed cron expression, evaluated in UTC.
type Schedule struct {
	expr                            string
	sec, min, hour, dom, month, dow uint64
	domStar, dowStar                bool
}

type cronField struct {
	name   string
	lo, hi int
	names  map[string]int
}

var (
	fSec   = cronField{name: "second", lo: 0, hi: 59}
	fMin   = cronField{name: "minute", lo: 0, hi: 59}
	fHour  = cronField{name: "hour", lo: 0, hi: 23}
	fDom   = cronField{name: "day-of-month", lo: 1, hi: 31}
	fMonth = cronField{name: "month", lo: 1, hi: 12, names: map[string]int{
		"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
		"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}}
	fDow = cronField{name: "day-of-week", lo: 0, hi: 7, names: map[string]int{
		"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}}
)

var cronDescriptors = map[string]string{
	"@yearly": "0 0 0 1 1 *", "@annually": "0 0 0 1 1 *", "@monthly": "0 0 0 1 * *",
	"@weekly": "0 0 0 * * 0", "@daily": "0 0 0 * * *", "@midnight": "0 0 0 * * *",
	"@hourly": "0 0 * * * *",
}

// Parse parses a cron expression: five fields (minute hour day-of-month month day-of-week),
// or six with a leading seconds field, or one of @yearly, @monthly, @weekly, @daily, @hourly.
// Fields accept *, numbers, ranges a-b, steps */n and a-b/n, lists, and three-letter month and
// weekday names; day-of-week 7 is Sunday. As in classic cron, when both day fields are
// restricted a day matching either runs. Times are UTC.
func Parse(expr string) (*Schedule, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf(format, args...)
	}
	spec := strings.TrimSpace(expr)
	if d, ok := cronDescriptors[strings.ToLower(spec)]; ok {
		spec = d
	} else if strings.HasPrefix(spec, "@") {
		return nil, bad("unknown descriptor")
	}
	fields := strings.Fields(spec)
	switch len(fields) {
	case 5:
		fields = append([]string{"0"}, fields...)
	case 6:
	default:
		return nil, bad("want 5 or 6 fields, got %d", len(fields))
	}
	s := &Schedule{expr: expr}
	var err error
	specs := []struct {
		dst *uint64
		f   cronField
	}{{&s.sec, fSec}, {&s.min, fMin}, {&s.hour, fHour}, {&s.dom, fDom}, {&s.month, fMonth}, {&s.dow, fDow}}
	for i, sp := range specs {
		if *sp.dst, err = parseCronField(fields[i], sp.f); err != nil {
			return nil, bad("%v", err)
		}
	}
	if s.dow&(1<<7) != 0 {
		s.dow = s.dow&^(1<<7) | 1
	}
	s.domStar = strings.HasPrefix(fields[3], "*")
	s.dowStar = strings.HasPrefix(fields[5], "*")
	probe := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if s.Next(probe).IsZero() {
		return nil, bad("never fires")
	}
	return s, nil
}

func parseCronField(field string, f cronField) (uint64, error) {
	var bits uint64
	for _, part := range strings.Split(field, ",") {
		rng, stepStr, hasStep := strings.Cut(part, "/")
		lo, hi := f.lo, f.hi
		switch {
		case rng == "*":
		case rng == "":
			return 0, fmt.Errorf("empty %s", f.name)
		default:
			a, b, isRange := strings.Cut(rng, "-")
			var err error
			if lo, err = f.value(a); err != nil {
				return 0, err
			}
			switch {
			case isRange:
				if hi, err = f.value(b); err != nil {
					return 0, err
				}
				if hi < lo {
					return 0, fmt.Errorf("%s range %q is backwards", f.name, rng)
				}
			case hasStep:
				hi = f.hi
			default:
				hi = lo
			}
		}
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepStr)
			if err != nil || n < 1 || n > f.hi-f.lo+1 {
				return 0, fmt.Errorf("%s step %q must be a number from 1 to %d", f.name, stepStr, f.hi-f.lo+1)
			}
			step = n
		}
		for v := lo; v <= hi; v += step {
			bits |= 1 << uint(v)
		}
	}
	return bits, nil
}

func (f cronField) value(s string) (int, error) {
	if v, ok := f.names[strings.ToLower(s)]; ok {
		return v, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < f.lo || v > f.hi {
		return 0, fmt.Errorf("%s %q must be a number from %d to %d", f.name, s, f.lo, f.hi)
	}
	return v, nil
}

// String returns the expression as given.
func (s *Schedule) String() string { return s.expr }

func (s *Schedule) dayMatches(t time.Time) bool {
	dom := s.dom&(1<<uint(t.Day())) != 0
	dow := s.dow&(1<<uint(t.Weekday())) != 0
	if s.domStar || s.dowStar {
		return dom && dow
	}
	return dom || dow
}

// Next returns the first firing time strictly after t (in UTC), or the zero time if there is
// none within five years.
func (s *Schedule) Next(t time.Time) time.Time {
	t = t.UTC().Truncate(time.Second).Add(time.Second)
	limit := t.AddDate(5, 0, 0)
	for t.Before(limit) {
		if s.month&(1<<uint(t.Month())) == 0 {
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
			continue
		}
		if !s.dayMatches(t) {
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
			continue
		}
		if s.hour&(1<<uint(t.Hour())) == 0 {
			t = t.Truncate(time.Hour).Add(time.Hour)
			continue
		}
		if s.min&(1<<uint(t.Minute())) == 0 {
			t = t.Truncate(time.Minute).Add(time.Minute)
			continue
		}
		if s.sec&(1<<uint(t.Second())) == 0 {
			t = t.Add(time.Second)
			continue
		}
		return t
	}
	return time.Time{}
}

// Prev returns the last firing time at or before t, or the zero time if there is none within
// about five years.
func (s *Schedule) Prev(t time.Time) time.Time {
	t = t.UTC().Truncate(time.Second)
	for back := time.Second; back < 5*366*24*time.Hour; back *= 2 {
		f := s.Next(t.Add(-back))
		if f.IsZero() || f.After(t) {
			continue
		}
		for {
			n := s.Next(f)
			if n.IsZero() || n.After(t) {
				return f
			}
			f = n
		}
	}
	return time.Time{}
}
