package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/buttress-go/buttress/ratelimit"
	"github.com/redis/rueidis"
)

// Config configures a [Store]. A nil *Config means all defaults.
type Config struct {
	// Prefix is prepended to every bucket key. Default "ratelimit:". Use a {hash tag} in it only
	// if all limiter keys should live on one Redis Cluster slot.
	Prefix string
	// Cluster checks each request of a Take with its own script call, pipelined in one DoMulti
	// (rueidis sends each to its slot's node). Set it for Redis Cluster, where one script may not
	// touch keys of different slots. The price: a Take with several requests is no longer all or
	// nothing, so a request rejected by one policy may still be charged by the others (it never
	// admits more than any single limit allows). Default false: one script call for all requests.
	Cluster bool
}

// Store is a [ratelimit.Store] on Redis through rueidis: GCRA in a Lua script run with EVALSHA
// (EVAL once if the server lacks the script), one round trip per check whatever the number of
// policies, with the server's clock so that app servers' clocks never matter. rueidis pipelines
// concurrent callers on one connection. Each bucket is one string key holding its theoretical
// arrival time in microseconds, expiring when the bucket is full again.
type Store struct {
	client  rueidis.Client
	prefix  string
	cluster bool
}

var _ ratelimit.Store = (*Store)(nil)

// New returns a Store using client, configured by cfg (nil: defaults).
func New(client rueidis.Client, cfg *Config) (*Store, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: redisstore: client is nil", ratelimit.ErrInvalidConfig)
	}
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.Prefix == "" {
		c.Prefix = "ratelimit:"
	}
	return &Store{client: client, prefix: c.Prefix, cluster: c.Cluster}, nil
}

// Take implements [ratelimit.Store].
func (s *Store) Take(ctx context.Context, reqs []ratelimit.Request, res []ratelimit.Result) (bool, error) {
	if err := ratelimit.ValidateRequests(reqs, res); err != nil {
		return false, err
	}
	if s.cluster && len(reqs) > 1 {
		return s.takeSplit(ctx, reqs, res)
	}
	keys := make([]string, len(reqs))
	args := make([]string, 0, 3*len(reqs))
	for i := range reqs {
		keys[i] = s.prefix + reqs[i].Key
		args = appendArgs(args, &reqs[i])
	}
	vals, err := gcraScript.Exec(ctx, s.client, keys, args).AsIntSlice()
	if err != nil {
		return false, fmt.Errorf("redisstore: %w", err)
	}
	return decode(vals, reqs, res)
}

// takeSplit runs one script per request in one pipeline (Config.Cluster).
func (s *Store) takeSplit(ctx context.Context, reqs []ratelimit.Request, res []ratelimit.Result) (bool, error) {
	execs := make([]rueidis.LuaExec, len(reqs))
	for i := range reqs {
		execs[i] = rueidis.LuaExec{Keys: []string{s.prefix + reqs[i].Key}, Args: appendArgs(make([]string, 0, 3), &reqs[i])}
	}
	cmds := make(rueidis.Commands, len(execs))
	for i, e := range execs {
		cmds[i] = s.client.B().Evalsha().Sha1(gcraSHA).Numkeys(1).Key(e.Keys...).Arg(e.Args...).Build().ToRetryable()
	}
	out := s.client.DoMulti(ctx, cmds...)
	all := true
	for i, r := range out {
		if rerr, ok := rueidis.IsRedisErr(r.Error()); ok && rerr.IsNoScript() {
			r = gcraScript.Exec(ctx, s.client, execs[i].Keys, execs[i].Args)
		}
		vals, err := r.AsIntSlice()
		if err != nil {
			return false, fmt.Errorf("redisstore: %w", err)
		}
		ok, err := decode(vals, reqs[i:i+1], res[i:i+1])
		if err != nil {
			return false, err
		}
		all = all && ok
	}
	return all, nil
}

func appendArgs(args []string, r *ratelimit.Request) []string {
	cost := r.Cost
	if cost == 0 {
		cost = 1
	}
	return append(args, strconv.FormatInt(intervalMicros(r.Limit), 10), strconv.Itoa(r.Limit.Burst), strconv.Itoa(cost))
}

// intervalMicros is the emission interval in whole microseconds, rounded up (at least 1) so the
// server never admits more than the Limit says.
func intervalMicros(l ratelimit.Limit) int64 {
	return max(1, int64((l.Interval()+time.Microsecond-1)/time.Microsecond))
}

func decode(vals []int64, reqs []ratelimit.Request, res []ratelimit.Result) (bool, error) {
	if len(vals) != 4*len(reqs) {
		return false, fmt.Errorf("redisstore: script returned %d values for %d requests", len(vals), len(reqs))
	}
	all := true
	for i := range reqs {
		v := vals[4*i : 4*i+4]
		res[i] = ratelimit.Result{
			Allowed:    v[0] == 1,
			Remaining:  int(v[1]),
			RetryAfter: time.Duration(v[2]) * time.Microsecond,
			ResetAfter: time.Duration(v[3]) * time.Microsecond,
			Limit:      reqs[i].Limit,
		}
		all = all && res[i].Allowed
	}
	return all, nil
}
