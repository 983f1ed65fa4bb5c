package dbrouter

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
)

// QueryCounter counts the queries run with a ctx, across every node of every router (the N+1
// kit). Get one with [WithQueryCounter] or [WithQueryLog]; it is safe for concurrent use.
type QueryCounter struct {
	n        atomic.Int64
	record   bool
	mu       sync.Mutex
	log      []string
	byStmt   map[string]int
	reported map[string]bool
}

// WithQueryCounter returns a ctx that counts its queries in the returned counter. When the
// router has Config.OnRepeatedQuery, it also tracks normalised statements to report repeats.
func WithQueryCounter(ctx context.Context) (context.Context, *QueryCounter) {
	c := &QueryCounter{}
	return withScope(ctx, func(s *scope) { s.counter = c }), c
}

// WithQueryLog is WithQueryCounter that also records every statement (for test failures).
func WithQueryLog(ctx context.Context) (context.Context, *QueryCounter) {
	c := &QueryCounter{record: true}
	return withScope(ctx, func(s *scope) { s.counter = c }), c
}

// CountQueries returns how many queries ran with ctx's counter so far; 0 without one.
func CountQueries(ctx context.Context) int {
	if s := scopeFrom(ctx); s != nil && s.counter != nil {
		return s.counter.Count()
	}
	return 0
}

// Count returns how many queries were counted.
func (c *QueryCounter) Count() int { return int(c.n.Load()) }

// Statements returns the recorded statements, in order (only with [WithQueryLog]).
func (c *QueryCounter) Statements() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.log...)
}

func (c *QueryCounter) add(ctx context.Context, r *Router, query string) {
	c.n.Add(1)
	hook := r.cfg.OnRepeatedQuery
	if !c.record && hook == nil {
		return
	}
	c.mu.Lock()
	if c.record {
		c.log = append(c.log, query)
	}
	fire, count, norm := false, 0, ""
	if hook != nil {
		norm = Normalize(query)
		if c.byStmt == nil {
			c.byStmt, c.reported = map[string]int{}, map[string]bool{}
		}
		c.byStmt[norm]++
		count = c.byStmt[norm]
		if count > r.cfg.RepeatThreshold && !c.reported[norm] {
			c.reported[norm], fire = true, true
		}
	}
	c.mu.Unlock()
	if fire {
		hook(ctx, norm, count)
	}
}

// Normalize returns query with literals (numbers, strings) replaced by ?, runs of whitespace
// collapsed and letters lower-cased outside quoted identifiers, so that the same statement with
// different inline values normalises the same.
func Normalize(query string) string {
	var b strings.Builder
	b.Grow(len(query))
	space := false
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			space = true
			i++
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		switch {
		case c == '\'':
			j := i + 1
			for j < len(query) {
				if query[j] == '\'' {
					if j+1 < len(query) && query[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			b.WriteByte('?')
			i = j + 1
		case c == '"':
			j := strings.IndexByte(query[i+1:], '"')
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j+2])
			i += j + 2
		case c >= '0' && c <= '9' && (i == 0 || !isWordByte(query[i-1]) && query[i-1] != '$'):
			for i < len(query) && (query[i] >= '0' && query[i] <= '9' || query[i] == '.') {
				i++
			}
			b.WriteByte('?')
		default:
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}
