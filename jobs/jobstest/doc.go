// Package jobstest helps test code that enqueues and works jobs with package jobs: a private
// PostgreSQL schema per test with River's tables, assertions on enqueued jobs, and working a job
// inline (in the test's goroutine, inside a transaction) without starting a client.
//
//	func TestCheckout(t *testing.T) {
//		pool, schema := jobstest.NewSchema(t, os.Getenv("DATABASE_URL"))
//		client := jobstest.NewClient(t, pool, schema, &jobs.Config{Workers: workers})
//		checkout(ctx, client, order) // enqueues SendReceiptArgs
//		jobstest.RequireEnqueued(t, client, SendReceiptArgs{OrderID: order.ID}, nil)
//		res, err := jobstest.Work(ctx, t, client, &SendReceiptWorker{}, SendReceiptArgs{OrderID: 1}, nil)
//	}
package jobstest
