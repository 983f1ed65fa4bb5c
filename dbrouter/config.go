package dbrouter

import (
	"context"
	"fmt"
	"time"
)

// Balance is how reads are spread over the replicas that qualify.
type Balance int

const (
	// RoundRobin takes qualifying replicas in turn (an atomic counter). The default.
	RoundRobin Balance = iota
	// LeastInFlight takes the qualifying replica with the fewest queries running now.
	LeastInFlight
	// Weighted takes qualifying replicas in proportion to [Node.Weight].
	Weighted
)

// Config holds the optional settings of a [Router]. A nil *Config, and every zero field, means
// the default stated on the field.
type Config struct {
	// ProbeInterval is how often the background probe reads every node's WAL position and health.
	// Default 500ms. A random jitter of ±10% spreads probes. Must be >= 10ms.
	ProbeInterval time.Duration
	// ProbeTimeout bounds each probe query (the short statement timeout). Default 250ms, or half
	// of ProbeInterval when that is shorter; must not exceed ProbeInterval.
	ProbeTimeout time.Duration

	// MaxLag excludes a replica that is further behind the primary than this in time. Default 5s.
	// Time lag is measured from WAL positions (how long ago the primary first moved past the
	// replica's replay position, to within a probe interval), so an idle, caught-up replica has
	// zero lag whatever its last replay timestamp.
	MaxLag time.Duration
	// MaxLagBytes excludes a replica that is more than this many bytes of WAL behind. Default
	// 64 MiB; negative disables the byte limit.
	MaxLagBytes int64

	// ReadYourWritesWait is how long a read whose session token no replica has replayed yet may
	// wait (polling one replica every 2ms) before going to the primary. The single on-demand probe
	// is always tried first. Default 0: no wait.
	ReadYourWritesWait time.Duration
	// PinWindow is how long after a write a session's reads stay on the primary when the database
	// exposes no WAL position (SQLite, MySQL) or DisableLSN is set. Default 2s.
	PinWindow time.Duration
	// DisableLSN forces the time-window pin even on PostgreSQL. LSN tracking is otherwise on for
	// the drivers "pgx", "pgx/v5", "postgres" and "cloudsqlpostgres" and off for others.
	DisableLSN bool

	// Readmit is how many consecutive successful probes re-admit an ejected replica. Default 3.
	Readmit int
	// FlapThreshold ejections within FlapWindow put a replica in quarantine for Quarantine,
	// during which it is not re-admitted. Defaults 3, 1m and 30s.
	FlapThreshold int
	// FlapWindow: see FlapThreshold.
	FlapWindow time.Duration
	// Quarantine: see FlapThreshold.
	Quarantine time.Duration

	// Balance picks among qualifying replicas. Default RoundRobin.
	Balance Balance
	// ReplicaShare is the percentage (1-100) of reads that may go to replicas at all; the rest go
	// to the primary (reason "share"). Default 100.
	ReplicaShare int

	// OnDecision, when set, is called for every routing decision (on the query's goroutine:
	// keep it fast).
	OnDecision func(ctx context.Context, d Decision)
	// OnSlowQuery, when set, is called after every query slower than SlowQueryThreshold with the
	// SQL as given, the node's name and the duration.
	OnSlowQuery func(ctx context.Context, query, node string, took time.Duration)
	// SlowQueryThreshold: see OnSlowQuery. Default 200ms.
	SlowQueryThreshold time.Duration
	// OnRepeatedQuery, when set, is called once per request (a ctx with a [QueryCounter]) and
	// statement when the same normalised statement has run more than RepeatThreshold times: the
	// sign of an N+1 loop.
	OnRepeatedQuery func(ctx context.Context, statement string, count int)
	// RepeatThreshold: see OnRepeatedQuery. Default 10.
	RepeatThreshold int
	// OnHealthChange, when set, is called when a node is ejected (healthy false, err says why)
	// and when it is re-admitted (healthy true, err nil). An ejection that quarantines the node
	// is reported like any other; Stats().Quarantines counts them. Called from the probe or the
	// failing query's goroutine.
	OnHealthChange func(node string, healthy bool, err error)
}

func (c *Config) withDefaults() (Config, error) {
	var out Config
	if c != nil {
		out = *c
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&out.ProbeInterval, 500*time.Millisecond)
	def(&out.ProbeTimeout, min(250*time.Millisecond, out.ProbeInterval/2))
	def(&out.MaxLag, 5*time.Second)
	def(&out.PinWindow, 2*time.Second)
	def(&out.FlapWindow, time.Minute)
	def(&out.Quarantine, 30*time.Second)
	def(&out.SlowQueryThreshold, 200*time.Millisecond)
	if out.MaxLagBytes == 0 {
		out.MaxLagBytes = 64 << 20
	}
	if out.Readmit == 0 {
		out.Readmit = 3
	}
	if out.FlapThreshold == 0 {
		out.FlapThreshold = 3
	}
	if out.ReplicaShare == 0 {
		out.ReplicaShare = 100
	}
	if out.RepeatThreshold == 0 {
		out.RepeatThreshold = 10
	}
	bad := func(field, rule string) error { return fmt.Errorf("%w: Config.%s %s", ErrBadConfig, field, rule) }
	switch {
	case out.ProbeInterval < 10*time.Millisecond:
		return out, bad("ProbeInterval", "must be >= 10ms")
	case out.ProbeTimeout < 0 || out.ProbeTimeout > out.ProbeInterval:
		return out, bad("ProbeTimeout", "must be > 0 and <= ProbeInterval")
	case out.MaxLag < 0:
		return out, bad("MaxLag", "must be >= 0")
	case out.ReadYourWritesWait < 0:
		return out, bad("ReadYourWritesWait", "must be >= 0")
	case out.PinWindow < 0:
		return out, bad("PinWindow", "must be >= 0")
	case out.Readmit < 1:
		return out, bad("Readmit", "must be >= 1")
	case out.FlapThreshold < 1:
		return out, bad("FlapThreshold", "must be >= 1")
	case out.FlapWindow < 0 || out.Quarantine < 0:
		return out, bad("FlapWindow/Quarantine", "must be >= 0")
	case out.Balance < RoundRobin || out.Balance > Weighted:
		return out, bad("Balance", "must be RoundRobin, LeastInFlight or Weighted")
	case out.ReplicaShare < 1 || out.ReplicaShare > 100:
		return out, bad("ReplicaShare", "must be between 1 and 100")
	case out.SlowQueryThreshold < 0:
		return out, bad("SlowQueryThreshold", "must be >= 0")
	case out.RepeatThreshold < 1:
		return out, bad("RepeatThreshold", "must be >= 1")
	}
	return out, nil
}
