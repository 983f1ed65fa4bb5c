// Package redisstore is a Redis-backed [ratelimit.Store] on rueidis: GCRA state shared by every
// process of an application, exact under any concurrency.
//
// Each check is one EVALSHA of a Lua script (EVAL once after a server restart drops the script
// cache), whatever the number of policies: the script reads every bucket, admits only if all have
// room, writes the new theoretical arrival times with a TTL of when the bucket is full again, and
// answers. Time comes from the Redis server (TIME), so application servers' clocks never matter.
// rueidis pipelines concurrent callers over one connection. It lives in its own package so that
// users of the memory store do not link rueidis.
//
//	client, _ := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{"127.0.0.1:6379"}})
//	store, _ := redisstore.New(client, nil)
//	limiter, _ := ratelimit.New(store, nil)
//
// # Redis Cluster
//
// One script may only touch keys of one slot. Set Config.Cluster and each policy of a check runs
// as its own script call, pipelined together; checks then are no longer all or nothing across
// policies (see [Config]).
//
// # Native GCRA
//
// Redis 8.8 adds a GCRA command. This store uses the Lua script on every server for now; the
// script is tested on Redis 7.
package redisstore
