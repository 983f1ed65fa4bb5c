// Command shop is Buttress's example app: a product catalogue and ordering API with a small
// server-rendered admin, composing every Buttress package. It runs with zero setup on SQLite and
// in-memory stores:
//
//	go run ./examples/shop
//
// and on PostgreSQL with replicas and Redis when DATABASE_URL, DATABASE_REPLICA_URLS and
// REDIS_URL are set (`make run` does that against `make services`). See README.md beside it.
package main
