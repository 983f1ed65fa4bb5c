// Package version compares buttress/version with what Go services use today for API
// versioning: chi's URL parameters for path versions, and the standard library's
// mime.ParseMediaType and url.Values for Accept and query versions. Each Benchmark has one
// sub-benchmark per contender; ours is "buttress". Every contender validates the version
// against the same supported set and hands it to the handler through the context.
package version
