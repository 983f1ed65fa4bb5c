package dbrouter

import (
	"context"
	"fmt"
	"strings"
)

// SelectAny loads the rows for keys in one query whose SQL filters with "= ANY($1)", passing keys
// as a single array parameter (pgx encodes Go slices as PostgreSQL arrays), the cure for an N+1
// loop. An empty keys runs no query and returns nil. The query goes through q, so a [*Router]
// routes it like any read.
//
//	users, err := dbrouter.SelectAny[User](ctx, db, `SELECT * FROM users WHERE id = ANY($1)`, ids)
func SelectAny[T, K any](ctx context.Context, q Queryer, query string, keys []K) ([]T, error) {
	if !hasAnyParam(query) {
		return nil, fmt.Errorf("%w: got %q", ErrBatchQuery, query)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	var out []T
	if err := q.SelectContext(ctx, &out, query, keys); err != nil {
		return nil, err
	}
	return out, nil
}

func hasAnyParam(query string) bool {
	compact := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, strings.ToLower(query))
	return strings.Contains(compact, "=any($1)") || strings.Contains(compact, "=any($1::")
}
