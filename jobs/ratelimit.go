package jobs

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// limiter counts job starts per kind in fixed windows, in memory (local) or in the
// buttress_job_rate table (global).
type limiter struct {
	c     *Client
	mu    sync.Mutex
	local map[string]*localWindow
	calls atomic.Int64
}

type localWindow struct {
	start time.Time
	n     int
}

func newLimiter(c *Client) *limiter {
	return &limiter{c: c, local: map[string]*localWindow{}}
}

// allow reports whether a job of kind may start at now, and otherwise how long to snooze it.
func (l *limiter) allow(ctx context.Context, kind string, rl *RateLimit, now time.Time) (bool, time.Duration) {
	ws := now.Truncate(rl.Per)
	wait := ws.Add(rl.Per).Sub(now) + time.Duration(rand.Int64N(int64(rl.Per)/10+1))
	if !rl.Global {
		l.mu.Lock()
		defer l.mu.Unlock()
		w := l.local[kind]
		if w == nil {
			w = &localWindow{}
			l.local[kind] = w
		}
		if !w.start.Equal(ws) {
			w.start, w.n = ws, 0
		}
		if w.n >= rl.Limit {
			return false, wait
		}
		w.n++
		return true, 0
	}
	ok, err := l.takeGlobal(ctx, kind, ws, rl)
	if err != nil {
		// The counter is a copy of nothing important: fail open, loudly.
		l.c.log.Warn().Err(err).Str("job_kind", kind).Msg("jobs: global rate limit unavailable; allowing job")
		return true, 0
	}
	if !ok {
		return false, wait
	}
	return true, 0
}

func (l *limiter) takeGlobal(ctx context.Context, kind string, ws time.Time, rl *RateLimit) (bool, error) {
	t := l.c.table(rateTable)
	q := l.c.db.Rebind(`INSERT INTO ` + t + ` (kind, window_start, n) VALUES (?, ?, 1)
ON CONFLICT (kind, window_start) DO UPDATE SET n = ` + t + `.n + 1 WHERE ` + t + `.n < ?
RETURNING n`)
	var n int
	err := l.c.db.QueryRowxContext(ctx, q, kind, ws.UnixMilli(), rl.Limit).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if l.calls.Add(1)%1000 == 0 {
		old := ws.Add(-10 * rl.Per).UnixMilli()
		if _, err := l.c.db.ExecContext(ctx, l.c.db.Rebind(`DELETE FROM `+t+` WHERE kind = ? AND window_start < ?`), kind, old); err != nil {
			l.c.log.Warn().Err(err).Msg("jobs: prune rate windows")
		}
	}
	return true, nil
}
