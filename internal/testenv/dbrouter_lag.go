package testenv

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// SetApplyDelay makes the replica apply each commit no sooner than d after the primary made it
// (recovery_min_apply_delay, through ALTER SYSTEM and a configuration reload): a steady,
// realistic replication lag. The setting is reset when the test ends.
func (r *Replica) SetApplyDelay(ctx context.Context, d time.Duration) error {
	set := `ALTER SYSTEM SET recovery_min_apply_delay = '` + strconv.FormatInt(d.Milliseconds(), 10) + `ms'`
	if d <= 0 {
		set = `ALTER SYSTEM RESET recovery_min_apply_delay`
	}
	if d > 0 {
		r.t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := r.SetApplyDelay(ctx, 0); err != nil {
				r.t.Errorf("testenv: reset apply delay: %v", err)
			}
		})
	}
	return r.withConn(ctx, func(db *sqlx.DB) error {
		if _, err := db.ExecContext(ctx, set); err != nil {
			return fmt.Errorf("set recovery_min_apply_delay: %w", err)
		}
		if _, err := db.ExecContext(ctx, `SELECT pg_reload_conf()`); err != nil {
			return fmt.Errorf("reload replica configuration: %w", err)
		}
		want := "0"
		if d > 0 {
			want = strconv.FormatInt(d.Milliseconds(), 10) + "ms"
		}
		for {
			var got string
			if err := db.GetContext(ctx, &got, `SHOW recovery_min_apply_delay`); err != nil {
				return err
			}
			if got == want {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("recovery_min_apply_delay is %q, want %q: %w", got, want, ctx.Err())
			case <-time.After(5 * time.Millisecond):
			}
		}
	})
}
