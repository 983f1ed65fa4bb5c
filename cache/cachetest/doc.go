// Package cachetest is the conformance suite of cache.Store: every store in Buttress passes it,
// and a third-party store can run it from its own tests:
//
//	func TestConformance(t *testing.T) {
//		cachetest.Run(t, func(t *testing.T) cache.Store { return newMyStore(t) })
//	}
//
// NewStore must return a store whose keys and tags do not collide with any other store the
// suite creates (a fresh instance, or a unique key prefix); the suite runs subtests in
// parallel.
package cachetest
