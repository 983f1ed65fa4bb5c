package logging

import (
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

// SamplingConfig thins out noisy low-level events. Events above MaxLevel are
// always written; warn and above can never be sampled.
type SamplingConfig struct {
	// MaxLevel is the highest level that is sampled: DebugLevel (default,
	// when left at its zero value which is zerolog.DebugLevel), TraceLevel
	// or InfoLevel. WarnLevel and above are rejected by validation.
	MaxLevel zerolog.Level

	// Burst events per Period pass unsampled; after that, one in Every
	// passes until the period ends. Burst 0 disables the burst allowance.
	// Default Period: 1s when Burst > 0.
	Burst  uint32
	Period time.Duration

	// Every keeps one event in Every once the burst is spent: 0 keeps none
	// past the burst (Burst > 0 is then required), 1 keeps every event (no
	// sampling), 10 keeps one in ten.
	Every uint32
}

func (s *SamplingConfig) validate() error {
	if s == nil {
		return nil
	}
	if s.MaxLevel >= zerolog.WarnLevel || s.MaxLevel < zerolog.TraceLevel {
		return fmt.Errorf("%w: Config.Sampling.MaxLevel must be trace, debug or info (warn and above are never sampled), got %q", ErrInvalidConfig, s.MaxLevel)
	}
	if s.Period < 0 {
		return fmt.Errorf("%w: Config.Sampling.Period must be >= 0", ErrInvalidConfig)
	}
	if s.Burst == 0 && s.Every == 0 {
		return fmt.Errorf("%w: Config.Sampling needs Burst > 0 or Every >= 1", ErrInvalidConfig)
	}
	return nil
}

func (s *SamplingConfig) sampler() zerolog.Sampler {
	var next zerolog.Sampler
	if s.Every >= 1 {
		next = &zerolog.BasicSampler{N: s.Every}
	}
	var inner = next
	if s.Burst > 0 {
		period := s.Period
		if period == 0 {
			period = time.Second
		}
		inner = &zerolog.BurstSampler{Burst: s.Burst, Period: period, NextSampler: next}
	}
	return levelSampler{max: s.MaxLevel, inner: inner}
}

// levelSampler samples only events at or below max.
type levelSampler struct {
	max   zerolog.Level
	inner zerolog.Sampler
}

var _ zerolog.Sampler = levelSampler{}

// Sample implements zerolog.Sampler.
func (s levelSampler) Sample(lvl zerolog.Level) bool {
	if lvl > s.max || lvl == zerolog.NoLevel {
		return true
	}
	return s.inner.Sample(lvl)
}
