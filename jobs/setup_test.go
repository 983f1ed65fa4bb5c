package jobs_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/buttress-go/buttress/internal/testenv"
	"github.com/buttress-go/buttress/jobs"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type bundle struct {
	schema *testenv.Schema
	logs   *syncBuffer
}

// fastConfig fills in short River intervals so tests stay quick.
func fastConfig(cfg *jobs.Config, logs *syncBuffer) *jobs.Config {
	if cfg == nil {
		cfg = &jobs.Config{}
	}
	cfg.TestOnly = true
	if cfg.FetchPollInterval == 0 {
		cfg.FetchPollInterval = 50 * time.Millisecond
	}
	if cfg.FetchCooldown == 0 {
		cfg.FetchCooldown = 5 * time.Millisecond
	}
	if cfg.Logger == nil {
		// As logging.Component makes it: the app's logger already names a component.
		l := zerolog.New(logs).Level(zerolog.InfoLevel).With().Str("component", "jobs").Logger()
		cfg.Logger = &l
	}
	return cfg
}

func openPool(t *testing.T, dsn string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}

// setupPG builds a migrated client in a schema of its own. The client is stopped at cleanup.
func setupPG(t *testing.T, cfg *jobs.Config) (*jobs.Client, *bundle) {
	t.Helper()
	s := testenv.NewSchema(t)
	b := &bundle{schema: s, logs: &syncBuffer{}}
	c := newPGClient(t, s, cfg, b.logs)
	require.NoError(t, c.Migrate(context.Background()))
	return c, b
}

// newPGClient builds another client (own pool) on an existing schema.
func newPGClient(t *testing.T, s *testenv.Schema, cfg *jobs.Config, logs *syncBuffer) *jobs.Client {
	t.Helper()
	if logs == nil {
		logs = &syncBuffer{}
	}
	cfg = fastConfig(cfg, logs)
	cfg.Schema = s.Name
	c, err := jobs.New(openPool(t, s.PrimaryDSN), cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Shutdown(ctx)
	})
	return c
}

func start(t *testing.T, c *jobs.Client) {
	t.Helper()
	require.NoError(t, c.Start(context.Background()))
}

// waitState polls until job id reaches one of states, and returns it.
func waitState(t *testing.T, c *jobs.Client, id int64, states ...rivertype.JobState) *rivertype.JobRow {
	t.Helper()
	var job *rivertype.JobRow
	require.Eventually(t, func() bool {
		var err error
		job, err = c.River().JobGet(context.Background(), id)
		require.NoError(t, err)
		for _, s := range states {
			if job.State == s {
				return true
			}
		}
		return false
	}, 20*time.Second, 10*time.Millisecond, "job %d never reached %v", id, states)
	return job
}

func countJobs(t *testing.T, c *jobs.Client, kind string) int {
	t.Helper()
	res, err := c.River().JobList(context.Background(), river.NewJobListParams().Kinds(kind).First(10000))
	require.NoError(t, err)
	return len(res.Jobs)
}

// Job kinds used across tests.

type noteArgs struct {
	Note string `json:"note"`
}

func (noteArgs) Kind() string { return "note" }

type failArgs struct {
	Fail int `json:"fail"` // fail this many attempts, then succeed
}

func (failArgs) Kind() string { return "fail" }
