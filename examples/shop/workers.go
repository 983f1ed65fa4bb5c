package main

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/rs/zerolog"
)

// confirmOrderArgs is the job enqueued with every order, in the order's own transaction.
type confirmOrderArgs struct {
	OrderID int64 `json:"order_id"`
}

// Kind is the job's kind, as River stores it.
func (confirmOrderArgs) Kind() string { return "confirm_order" }

// confirmOrderWorker "sends the confirmation e-mail" (it takes Work to do so) and marks the
// order confirmed. Its log lines carry the request ID of the request that placed the order:
// jobs stamps it into the job's metadata and restores it on the worker's ctx logger.
type confirmOrderWorker struct {
	river.WorkerDefaults[confirmOrderArgs]
	app  *app
	work time.Duration
}

func (w *confirmOrderWorker) Work(ctx context.Context, job *river.Job[confirmOrderArgs]) error {
	log := zerolog.Ctx(ctx)
	log.Info().Int64("order_id", job.Args.OrderID).Msg("confirmation started")
	select { // the e-mail provider call; a hard stop cancels ctx and River retries the job
	case <-time.After(w.work):
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := confirmOrder(ctx, w.app.db, job.Args.OrderID); err != nil {
		return fmt.Errorf("confirm order %d: %w", job.Args.OrderID, err)
	}
	log.Info().Int64("order_id", job.Args.OrderID).Msg("order confirmed")
	return nil
}

// bestSellersArgs is the periodic job that recomputes the best-sellers table.
type bestSellersArgs struct{}

// Kind is the job's kind, as River stores it.
func (bestSellersArgs) Kind() string { return "best_sellers" }

type bestSellersWorker struct {
	river.WorkerDefaults[bestSellersArgs]
	app *app
}

func (w *bestSellersWorker) Work(ctx context.Context, _ *river.Job[bestSellersArgs]) error {
	tx, err := w.app.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if err := recomputeBestSellers(ctx, tx); err != nil {
		return fmt.Errorf("best sellers: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	zerolog.Ctx(ctx).Info().Msg("best sellers recomputed")
	return w.app.invalidate(ctx, tagBestSellers)
}
