// Package dbroutertest holds test helpers for code that queries through dbrouter: most
// importantly [AssertQueries], Django's assertNumQueries counting every node (primary and
// replicas), which turns an N+1 loop into a failing test.
package dbroutertest
