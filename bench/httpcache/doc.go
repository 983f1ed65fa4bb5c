// Package httpcache compares a product page that queries PostgreSQL served through
// cache/httpcache's page cache ("buttress") with the same handler uncached, over real HTTP on
// loopback, reporting requests per second.
package httpcache
