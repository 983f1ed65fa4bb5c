package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/rs/zerolog"
)

const rateTable = "buttress_job_rate"

func rateTableDDL(prefix string) string {
	return `CREATE TABLE IF NOT EXISTS ` + prefix + rateTable + ` (
    kind text NOT NULL,
    window_start bigint NOT NULL,
    n integer NOT NULL,
    PRIMARY KEY (kind, window_start)
)`
}

func (c *Client) migrator() (*rivermigrate.Migrator[*sql.Tx], error) {
	return rivermigrate.New(c.driver, &rivermigrate.Config{
		Schema: c.cfg.Schema,
		Logger: slog.New(zerolog.NewSlogHandler(c.log)),
	})
}

// Migrate brings River's tables (and the jobs rate-limit table) up to date in the client's
// database and schema. It is idempotent.
func (c *Client) Migrate(ctx context.Context) error {
	m, err := c.migrator()
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	if _, err := c.db.ExecContext(ctx, rateTableDDL(c.prefix)); err != nil {
		return fmt.Errorf("jobs: migrate: create %s: %w", rateTable, err)
	}
	return nil
}

func (c *Client) migrationsCurrent(ctx context.Context) error {
	m, err := c.migrator()
	if err != nil {
		return err
	}
	all := m.AllVersions()
	have, err := m.ExistingVersions(ctx)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotMigrated, err)
	}
	if len(all) == 0 || len(have) == 0 || have[len(have)-1].Version < all[len(all)-1].Version {
		latest := 0
		if len(have) > 0 {
			latest = have[len(have)-1].Version
		}
		return fmt.Errorf("%w: at version %d, want %d (run Migrate)", ErrNotMigrated, latest, all[len(all)-1].Version)
	}
	// River's tables can come from River's own tooling; the global rate limits also need ours,
	// without which they would quietly let every job through.
	for kind, p := range c.cfg.Kinds {
		if p.RateLimit != nil && p.RateLimit.Global {
			if _, err := c.db.ExecContext(ctx, `SELECT 1 FROM `+c.table(rateTable)+` WHERE 1 = 0`); err != nil {
				return fmt.Errorf("%w: kind %q has a global rate limit but %s is missing (run Migrate, or apply MigrationSQL): %v",
					ErrNotMigrated, kind, c.table(rateTable), err)
			}
			break
		}
	}
	return nil
}

// MigrationSQL returns the PostgreSQL DDL that Migrate applies (River's migrations, the rows
// River's migration table expects, and the jobs rate-limit table), for applications that run
// migrations with their own tool. Each River migration is wrapped in its own BEGIN/COMMIT, as
// later ones need the earlier ones committed. schema may be empty (search_path) or a plain
// identifier.
func MigrationSQL(schema string) (string, error) {
	if schema != "" && !schemaRE.MatchString(schema) {
		return "", fmt.Errorf("%w: schema %q must be a plain identifier", ErrConfig, schema)
	}
	m, err := rivermigrate.New(riverdatabasesql.New(nil), &rivermigrate.Config{Schema: schema})
	if err != nil {
		return "", fmt.Errorf("jobs: migration sql: %w", err)
	}
	prefix := ""
	if schema != "" {
		prefix = schema + "."
	}
	var b strings.Builder
	var versions []string
	for _, v := range m.AllVersions() {
		// Each migration commits on its own: later ones use enum values earlier ones add.
		fmt.Fprintf(&b, "-- River migration %03d %s\nBEGIN;\n", v.Version, v.Name)
		b.WriteString(strings.ReplaceAll(v.SQLUp, "/* TEMPLATE: schema */", prefix))
		b.WriteString("\nCOMMIT;\n")
		versions = append(versions, fmt.Sprintf("('main', %d)", v.Version))
	}
	fmt.Fprintf(&b, "-- record River's versions\nINSERT INTO %sriver_migration (line, version) VALUES %s ON CONFLICT DO NOTHING;\n",
		prefix, strings.Join(versions, ", "))
	b.WriteString("-- jobs rate-limit windows\n" + rateTableDDL(prefix) + ";\n")
	return b.String(), nil
}
