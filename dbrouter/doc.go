// Package dbrouter routes sqlx queries between a PostgreSQL primary and its streaming replicas
// so that replicas carry the reads while no user ever reads data older than their own last write.
//
// Nodes are real *sqlx.DB pools; the [Router] and its transaction type [Tx] expose the sqlx query
// surface through one interface, [Queryer] (which *sqlx.DB also satisfies), so application code
// does not care whether it runs routed, unrouted or inside a transaction.
//
//	r, err := dbrouter.New(ctx, dbrouter.Node{DB: primary}, []dbrouter.Node{{DB: replica}}, nil)
//	...
//	ctx = dbrouter.WithSession(ctx, nil)                    // or dbrouter.Middleware per request
//	_, err = r.ExecContext(ctx, `UPDATE users SET name = $1 WHERE id = $2`, name, id)
//	err = r.GetContext(ctx, &u, `SELECT * FROM users WHERE id = $1`, id) // sees the update
//
// # Routing
//
// Exec, NamedExec and read-write transactions go to the primary and are never retried. Get,
// Select, Queryx, QueryRowx, NamedQuery and Preparex go to a replica, unless the SQL is not
// recognised as a read by [IsRead] (FOR UPDATE/SHARE, a data-modifying CTE, RETURNING, INTO,
// nextval(...), or any statement that does not start with SELECT/WITH/VALUES/TABLE/SHOW): those
// go to the primary. [WithPrimary] forces the primary; [WithMaxStaleness] tightens the lag a read
// accepts. A read-only transaction (sql.TxOptions{ReadOnly: true}) may run on a replica.
// The router remembers IsRead's verdict for the statements it has seen (up to 1,024 of up to
// 4 KiB each, compared in full), so a repeated statement is classified by one hash and one
// comparison: a routing decision takes tens of nanoseconds and allocates nothing.
//
// # Read your writes by WAL position
//
// After a write through a ctx carrying a [Session], the router reads pg_current_wal_insert_lsn() on the
// primary (one extra round trip) and advances the session's [Token]. A read with a token goes
// only to a replica whose replay position, kept fresh by a background probe, is at or past it.
// If none is, the most advanced replica is probed once (concurrent readers share that probe),
// then polled for up to Config.ReadYourWritesWait, and otherwise the read goes to the primary
// (reason "sticky"). [Middleware] carries the token between requests in an HMAC-signed cookie
// or header. On databases without WAL positions (SQLite, MySQL; any driver other than pgx,
// postgres, cloudsqlpostgres) a write pins the session to the primary for Config.PinWindow.
//
// # Health and lag
//
// Lag is judged in bytes and in time. Time lag comes from the probe's own history of primary
// positions (how long ago the primary moved past where the replica is now), never from
// pg_last_xact_replay_timestamp(), so an idle, caught-up replica has zero lag. A connection-class
// error ([IsConnError]) ejects a replica at once and the failed read is retried once elsewhere;
// Config.Readmit consecutive good probes re-admit it; a node ejected Config.FlapThreshold times
// within Config.FlapWindow is quarantined. With every replica out, reads go to the primary
// (reason "fallback", counted in [Stats]). A primary that turns out to be in recovery returns a
// [*DemotedError]; nothing is ever written elsewhere.
//
// # Balancing and sharding
//
// Qualifying replicas are picked by [RoundRobin], [LeastInFlight] or [Weighted], without locks
// or allocations. [Shards] maps keys to clusters with [JumpHash] by default; a request fixes its
// shard in ctx and a cross-shard transaction is refused with [ErrCrossShard]. A session position
// is tagged with its cluster (PostgreSQL's system_identifier) and holds the cluster of the
// session's last write: reads on another cluster with it go to that cluster's primary (reason
// "sticky") rather than trust a position that means nothing there.
//
// # Observability and the N+1 kit
//
// Config.OnDecision sees every routing decision ({node, role, reason}); [Router.Stats] counts
// them. Config.OnSlowQuery gets queries slower than Config.SlowQueryThreshold. [WithQueryCounter]
// counts a request's queries across every node ([CountQueries]); Config.OnRepeatedQuery reports a
// normalised statement repeated more than Config.RepeatThreshold times in one request;
// [SelectAny] loads a batch with one "= ANY($1)" query (none for an empty list); and
// dbroutertest.AssertQueries is Django's assertNumQueries, counting replicas too.
//
// # Departures from the design note
//
// The slow-query hook has the project-wide signature (ctx, query, node, took) rather than an
// args count. [Middleware] treats a forged token as "this request reads from the primary" and
// drops an expired one (see MiddlewareConfig.TTL). A Router never closes the pools it was given.
package dbrouter
