package jobs_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/buttress-go/buttress/internal/testenv"
	"github.com/buttress-go/buttress/jobs"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"
)

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }

func TestMigrationSQLAppliedByHand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.NewSchema(t)
	ddl, err := jobs.MigrationSQL(s.Name)
	require.NoError(t, err)
	require.Contains(t, ddl, s.Name+".river_job")
	require.NotContains(t, ddl, "TEMPLATE")

	// An app applies the exported SQL with its own tool...
	_, err = s.OpenPrimary(t).ExecContext(ctx, ddl)
	require.NoError(t, err)
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[noteArgs]) error { return nil }))
	c := newPGClient(t, s, &jobs.Config{Workers: workers}, nil)
	// ...and River sees its migrations as current; Migrate has nothing left to do.
	require.NoError(t, c.Health(ctx))
	require.NoError(t, c.Migrate(ctx))
	_, err = c.Enqueue(ctx, noteArgs{}, nil)
	require.NoError(t, err)

	_, err = jobs.MigrationSQL("bad; drop")
	require.ErrorIs(t, err, jobs.ErrConfig)
	plain, err := jobs.MigrationSQL("")
	require.NoError(t, err)
	require.True(t, strings.Contains(plain, "CREATE TABLE river_job"), "unqualified names without a schema")
}
