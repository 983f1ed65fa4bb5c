package dbrouter

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
)

// Router sends each query to the primary or a replica of one cluster. It is safe for concurrent
// use; create it with [New] and stop its probe with [Router.Close].
type Router struct {
	cfg      Config
	primary  *node
	replicas []*node
	all      []*node
	lsnMode  bool
	cluster  uint64 // PostgreSQL system_identifier; tags session positions
	maxNanos int64

	rr       atomic.Uint64
	shareCtr atomic.Uint64
	demoted  atomic.Bool

	reasons        [numReasons]atomic.Uint64
	replicaReads   atomic.Uint64
	writes         atomic.Uint64
	retries        atomic.Uint64
	ejections      atomic.Uint64
	readmissions   atomic.Uint64
	quarantines    atomic.Uint64
	probeRounds    atomic.Uint64
	probeErrors    atomic.Uint64
	onDemandProbes atomic.Uint64
	lsnReads       atomic.Uint64

	verdicts verdicts // memoised IsRead

	samplesMu sync.Mutex
	samples   [sampleRing]sample
	nSamples  int

	closeOnce sync.Once
	stop      chan struct{}
	done      chan struct{}
}

// New returns a router over a primary and its replicas (which may be none) and starts the
// background probe. It pings the primary and fails with [ErrNoPrimary] if that does not work. A
// replica that does not answer at start is not an error: it starts ejected, is reported through
// Config.OnHealthChange, and the probe admits it once it answers (Config.Readmit probes).
// New does not take ownership of the pools: [Router.Close] leaves them open.
func New(ctx context.Context, primary Node, replicas []Node, cfg *Config) (*Router, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if primary.DB == nil {
		return nil, fmt.Errorf("%w: primary Node.DB is nil", ErrNoPrimary)
	}
	r := &Router{cfg: c, maxNanos: int64(c.MaxLag), stop: make(chan struct{}), done: make(chan struct{})}
	r.verdicts.init()
	mk := func(nd Node, replica bool, i int) (*node, error) {
		if nd.DB == nil {
			return nil, fmt.Errorf("%w: replicas[%d].DB is nil", ErrBadConfig, i)
		}
		if nd.Weight < 0 {
			return nil, fmt.Errorf("%w: Node.Weight of %q must be >= 0", ErrBadConfig, nd.Name)
		}
		n := &node{name: nd.Name, db: nd.DB, weight: nd.Weight, replica: replica}
		if n.weight == 0 {
			n.weight = 1
		}
		if n.name == "" {
			n.name = "primary"
			if replica {
				n.name = "replica-" + strconv.Itoa(i+1)
			}
		}
		return n, nil
	}
	if r.primary, err = mk(primary, false, 0); err != nil {
		return nil, err
	}
	r.primary.up.Store(true)
	r.all = append(r.all, r.primary)
	for i, nd := range replicas {
		n, err := mk(nd, true, i)
		if err != nil {
			return nil, err
		}
		r.replicas = append(r.replicas, n)
		r.all = append(r.all, n)
	}
	switch primary.DB.DriverName() {
	case "pgx", "pgx/v5", "postgres", "cloudsqlpostgres":
		r.lsnMode = !c.DisableLSN
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := primary.DB.PingContext(pctx); err != nil {
		return nil, fmt.Errorf("%w: ping %s: %v", ErrNoPrimary, r.primary.name, err)
	}
	if r.lsnMode {
		// Session positions are tagged with the cluster so that a position from another shard
		// is never compared with this one's. Unknown (no permission): 0.
		var id string
		if err := primary.DB.QueryRowContext(pctx, `SELECT system_identifier::text FROM pg_control_system()`).Scan(&id); err == nil {
			r.cluster, _ = strconv.ParseUint(id, 10, 64)
		}
	}
	// Replicas start ejected; the first probe round admits those that answer.
	for _, n := range r.replicas {
		n.mu.Lock()
		n.consecOK = c.Readmit - 1
		n.mu.Unlock()
	}
	r.probeRound(ctx)
	if c.OnHealthChange != nil {
		for _, n := range r.replicas {
			if !n.up.Load() {
				n.mu.Lock()
				err := n.lastErr
				n.mu.Unlock()
				c.OnHealthChange(n.name, false, err)
			}
		}
	}
	go r.probeLoop()
	return r, nil
}

// Close stops the background probe and returns its connections to the pools. The pools stay open
// (the caller owns them). Queries after Close still work but node health and positions are no
// longer refreshed.
func (r *Router) Close() error {
	r.closeOnce.Do(func() {
		close(r.stop)
		<-r.done
		for _, n := range r.all {
			n.closeProbe()
		}
	})
	return nil
}

// Writer returns the primary's pool.
func (r *Router) Writer() *sqlx.DB { return r.primary.db }

// Reader returns the pool a read with this ctx would use now (a replica that qualifies, else the
// primary). Queries run directly on it bypass the router's accounting and retry.
func (r *Router) Reader(ctx context.Context) *sqlx.DB {
	n, _ := r.pickRead(ctx, scopeFrom(ctx))
	return n.db
}

// LSNTracking reports whether read-your-writes uses WAL positions (true) or the time-window pin.
func (r *Router) LSNTracking() bool { return r.lsnMode }
