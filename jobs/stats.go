package jobs

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// JobDone describes one worked attempt, for Config.OnJobDone.
type JobDone struct {
	JobID   int64
	Kind    string
	Queue   string
	Attempt int
	Outcome Outcome
	// Started is when the jobs middleware began the attempt (the time rate limits and expiry
	// are judged at).
	Started  time.Time
	Duration time.Duration
	// Err is what the attempt returned (nil when completed).
	Err error
}

// KindStats are the counters of one (kind, queue, outcome) triple.
type KindStats struct {
	Kind          string
	Queue         string
	Outcome       Outcome
	Count         int64
	TotalDuration time.Duration
	MaxDuration   time.Duration
}

// QueueSample is one queue's depth at the last sample.
type QueueSample struct {
	Queue string
	// Available is how many jobs wait in the available state.
	Available int64
	// OldestAvailableAge is how long the oldest available job has been due.
	OldestAvailableAge time.Duration
}

// Stats is a snapshot of the client's counters.
type Stats struct {
	// Jobs holds one entry per (kind, queue, outcome) seen, sorted.
	Jobs []KindStats
	// Queues is the last queue-depth sample (empty until the first sample).
	Queues []QueueSample
	// SampledAt is when Queues was sampled (zero before the first sample).
	SampledAt time.Time
}

type statKey struct {
	kind, queue string
	outcome     Outcome
}

type statVal struct {
	count, total, max atomic.Int64
}

type metrics struct {
	m sync.Map // statKey -> *statVal

	mu        sync.Mutex
	queues    []QueueSample
	sampledAt time.Time
}

func newMetrics() *metrics { return &metrics{} }

func (m *metrics) record(ctx context.Context, c *Client, job *rivertype.JobRow, o Outcome, started time.Time, d time.Duration, err error) {
	k := statKey{job.Kind, job.Queue, o}
	v, ok := m.m.Load(k)
	if !ok {
		v, _ = m.m.LoadOrStore(k, &statVal{})
	}
	sv := v.(*statVal)
	sv.count.Add(1)
	sv.total.Add(int64(d))
	for {
		cur := sv.max.Load()
		if int64(d) <= cur || sv.max.CompareAndSwap(cur, int64(d)) {
			break
		}
	}
	if c.cfg.OnJobDone != nil {
		c.cfg.OnJobDone(ctx, JobDone{JobID: job.ID, Kind: job.Kind, Queue: job.Queue, Attempt: job.Attempt, Outcome: o, Started: started, Duration: d, Err: err})
	}
}

// Stats returns a snapshot of job counts and durations by kind, queue and outcome, and the last
// queue-depth sample.
func (c *Client) Stats() Stats {
	var s Stats
	c.metrics.m.Range(func(k, v any) bool {
		key, val := k.(statKey), v.(*statVal)
		s.Jobs = append(s.Jobs, KindStats{
			Kind: key.kind, Queue: key.queue, Outcome: key.outcome,
			Count: val.count.Load(), TotalDuration: time.Duration(val.total.Load()), MaxDuration: time.Duration(val.max.Load()),
		})
		return true
	})
	slices.SortFunc(s.Jobs, func(a, b KindStats) int {
		return strings.Compare(a.Kind+"\x00"+a.Queue+"\x00"+string(a.Outcome), b.Kind+"\x00"+b.Queue+"\x00"+string(b.Outcome))
	})
	c.metrics.mu.Lock()
	s.Queues = slices.Clone(c.metrics.queues)
	s.SampledAt = c.metrics.sampledAt
	c.metrics.mu.Unlock()
	return s
}

// SampleQueues measures queue depth and oldest-available age now, stores it for Stats and calls
// Config.OnQueueSample. A started client does this every Config.StatsInterval.
func (c *Client) SampleQueues(ctx context.Context) ([]QueueSample, error) {
	var rows []struct {
		Queue string `db:"queue"`
		N     int64  `db:"n"`
	}
	err := c.db.SelectContext(ctx, &rows, `SELECT queue, count(*) AS n FROM `+c.table("river_job")+
		` WHERE state = 'available' GROUP BY queue ORDER BY queue`)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	samples := make([]QueueSample, 0, len(rows))
	for _, r := range rows {
		s := QueueSample{Queue: r.Queue, Available: r.N}
		res, err := c.river.JobList(ctx, river.NewJobListParams().
			States(rivertype.JobStateAvailable).Queues(r.Queue).
			OrderBy(river.JobListOrderByScheduledAt, river.SortOrderAsc).First(1))
		if err != nil {
			return nil, err
		}
		if len(res.Jobs) > 0 {
			s.OldestAvailableAge = max(now.Sub(res.Jobs[0].ScheduledAt), 0)
		}
		samples = append(samples, s)
	}
	c.metrics.mu.Lock()
	c.metrics.queues = samples
	c.metrics.sampledAt = now
	c.metrics.mu.Unlock()
	if c.cfg.OnQueueSample != nil {
		c.cfg.OnQueueSample(ctx, samples)
	}
	return samples, nil
}

func (c *Client) sampleLoop(ctx context.Context, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(c.cfg.StatsInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := c.SampleQueues(ctx); err != nil && ctx.Err() == nil {
				c.log.Warn().Err(err).Msg("jobs: queue sample failed")
			}
		}
	}
}
