package jobs

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/riverqueue/river/rivertype"
)

// SetBeforeChainCommit installs a fault-injection hook in the chain hand-off (tests only).
func (c *Client) SetBeforeChainCommit(f func(ctx context.Context, tx *sqlx.Tx, job *rivertype.JobRow) error) {
	c.beforeChainCommit = f
}
