package ratelimit

import (
	"fmt"
	"math/bits"
	"time"
)

// Limit is a GCRA policy: Rate requests per Period, of which up to Burst may arrive at once.
//
// A bucket that has been idle admits Burst requests back to back; after that it admits one request
// every Period/Rate (the emission interval). The helpers [PerSecond], [PerMinute], [PerHour] and
// [PerDay] set Burst to Rate, so "10 per minute" admits 10 at once and then one every 6 s.
//
// Every field is required: a zero or negative Rate, Period or Burst is an error from [Limit.Validate]
// (and from every store and constructor that takes a Limit), never an unlimited bucket.
type Limit struct {
	// Rate is how many requests are admitted per Period. Must be >= 1.
	Rate int
	// Period is the window Rate is counted over. Must be > 0 and at least Rate nanoseconds.
	Period time.Duration
	// Burst is how many requests an idle bucket admits at once. Must be >= 1.
	Burst int
}

// PerSecond returns a Limit of n requests per second with a burst of n.
func PerSecond(n int) Limit { return Limit{Rate: n, Period: time.Second, Burst: n} }

// PerMinute returns a Limit of n requests per minute with a burst of n.
func PerMinute(n int) Limit { return Limit{Rate: n, Period: time.Minute, Burst: n} }

// PerHour returns a Limit of n requests per hour with a burst of n.
func PerHour(n int) Limit { return Limit{Rate: n, Period: time.Hour, Burst: n} }

// PerDay returns a Limit of n requests per 24 hours with a burst of n.
func PerDay(n int) Limit { return Limit{Rate: n, Period: 24 * time.Hour, Burst: n} }

// maxBurstSpan bounds Burst × emission interval so that every sum of nanosecond times stays far
// from int64 overflow (about 29 years of burst).
const maxBurstSpan = int64(1) << 60

// Validate reports why l cannot be used, wrapping [ErrInvalidLimit], or nil.
func (l Limit) Validate() error {
	switch {
	case l.Rate < 1:
		return fmt.Errorf("%w: Limit.Rate must be >= 1 (got %d)", ErrInvalidLimit, l.Rate)
	case l.Period <= 0:
		return fmt.Errorf("%w: Limit.Period must be > 0 (got %s)", ErrInvalidLimit, l.Period)
	case l.Burst < 1:
		return fmt.Errorf("%w: Limit.Burst must be >= 1 (got %d); use Burst = Rate for a plain rate", ErrInvalidLimit, l.Burst)
	case int64(l.Period) < int64(l.Rate):
		return fmt.Errorf("%w: Limit.Period %s is shorter than Rate %d nanoseconds", ErrInvalidLimit, l.Period, l.Rate)
	}
	if hi, lo := bits.Mul64(uint64(l.Interval()), uint64(l.Burst)); hi != 0 || lo > uint64(maxBurstSpan) {
		return fmt.Errorf("%w: Limit.Burst %d × interval %s overflows", ErrInvalidLimit, l.Burst, l.Interval())
	}
	return nil
}

// Interval is the emission interval Period/Rate, rounded up to the nanosecond so that rounding
// never admits more than the Limit says. It is meaningful only for a valid Limit.
func (l Limit) Interval() time.Duration {
	if l.Rate < 1 {
		return 0
	}
	return (l.Period + time.Duration(l.Rate) - 1) / time.Duration(l.Rate)
}

// String returns a short human form, e.g. "10/1m0s burst 10".
func (l Limit) String() string {
	return fmt.Sprintf("%d/%s burst %d", l.Rate, l.Period, l.Burst)
}
