// Package bench holds Buttress's side-by-side benchmarks against peer libraries. It is its own
// module so that the peers never become dependencies of the library. Each package adds a folder
// (bench/cache, bench/ratelimit, ...) whose Benchmark functions have one sub-benchmark per
// contender, ours named "buttress"; `make bench` runs them all in one process per package and
// prints a markdown table with the ratios (cmd/benchtable).
package bench
