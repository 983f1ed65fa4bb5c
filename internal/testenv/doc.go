// Package testenv connects Buttress's tests to the real servers started by `make services`: a
// PostgreSQL primary, a streaming replica of it, and Redis.
//
// Addresses come from the environment ([EnvPrimary], [EnvReplica], [EnvRedis]). When one is unset
// the test is skipped with a message naming `make services`, unless [EnvRequire] is "1" (set by
// `make test` and CI), in which case the test fails: a CI run can never pass by skipping.
//
// # Isolation
//
// [NewSchema] gives a test its own PostgreSQL schema on the primary (dropped at cleanup), with DSNs
// whose search_path points at it; [Schema.OpenReplica] waits until the replica has replayed the
// schema's creation. [Redis] gives a test a client and its own key prefix, whose keys are deleted at
// cleanup.
//
// # Faults
//
// Faults act on real servers. [ReplicaFaults] takes the shared replica for the test alone (other
// tests that read the replica, in this process or another package's, wait) and can pause and resume
// WAL replay, wait for a replay position, and stop and restart the replica process. [StartRedis]
// starts a private redis-server for one test, which it may stop, restart or disconnect at will
// without disturbing other tests.
package testenv
