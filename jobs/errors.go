package jobs

import (
	"errors"
	"fmt"

	"github.com/riverqueue/river"
)

// Sentinel errors. Each is wrapped with the offending value, so callers branch with errors.Is and
// people read which kind, queue or field was wrong.
var (
	// ErrConfig is returned by New and NewSQLite when a Config field is invalid; the message names
	// the field.
	ErrConfig = errors.New("jobs: invalid config")
	// ErrUnknownKind is returned when a job is enqueued whose kind has no registered worker.
	ErrUnknownKind = errors.New("jobs: job kind has no registered worker")
	// ErrInvalidArgs is returned when job args cannot be encoded to JSON.
	ErrInvalidArgs = errors.New("jobs: job args do not marshal to JSON")
	// ErrInvalidOpts is returned when insert options are invalid (queue name, priority, tags...).
	ErrInvalidOpts = errors.New("jobs: invalid insert options")
	// ErrInvalidCron is returned when a cron expression does not parse.
	ErrInvalidCron = errors.New("jobs: invalid cron expression")
	// ErrExpired is the cause recorded on a job cancelled because it was not started before its
	// deadline.
	ErrExpired = errors.New("jobs: job expired before it started")
	// ErrStopped is returned by Health once the client has stopped.
	ErrStopped = errors.New("jobs: client stopped")
	// ErrNotMigrated is returned by Health when the database lacks River's latest migration.
	ErrNotMigrated = errors.New("jobs: database migrations are not current")
	// ErrNoLeader is returned by Health when a working client sees no elected leader.
	ErrNoLeader = errors.New("jobs: no leader elected")
	// ErrJobFailed is returned by Await when the job ended discarded or cancelled.
	ErrJobFailed = errors.New("jobs: job did not complete")
	// ErrNoAuth is returned by Dashboard when no auth middleware is given.
	ErrNoAuth = errors.New("jobs: dashboard refuses to mount without an auth middleware")
)

// PermanentError marks a job error as not worth retrying. Build it with [Permanent].
type PermanentError struct {
	// Err is the underlying failure.
	Err error
}

// Error implements error.
func (e *PermanentError) Error() string {
	if e.Err == nil {
		return "jobs: permanent failure"
	}
	return "jobs: permanent failure: " + e.Err.Error()
}

// Unwrap returns the underlying failure.
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err so that River cancels the job at once: the failing attempt is the last one,
// whatever MaxAttempts says. It works with or without the jobs middleware, because it is built on
// river.JobCancel. errors.As(err, new(*PermanentError)) finds it again.
func Permanent(err error) error {
	return river.JobCancel(&PermanentError{Err: err})
}

func configErr(field, format string, args ...any) error {
	return fmt.Errorf("%w: Config.%s %s", ErrConfig, field, fmt.Sprintf(format, args...))
}
