// Package dbrouter compares a primary-key SELECT through dbrouter's Router with the same query
// on the raw *sqlx.DB, on the real PostgreSQL replica from `make services`, in one process.
//
// bxcodec/dbresolver, the design note's other peer, is not fetchable from the Go module proxy
// (403), so it is not compared here rather than imitated.
package dbrouter
