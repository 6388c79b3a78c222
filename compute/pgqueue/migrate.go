package pgqueue

import (
	"context"
	"embed"
	"fmt"

	"cyclecash/internal/pgutil"

	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrate applies the queue's migrations; the advisory lock key ("comp")
// serializes gateways starting at once.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	err := pgutil.Migrate(ctx, pool, pgutil.Migrations{FS: migrations, Dir: "migrations", Table: "queue_schema", Lock: 0x636f6d70})
	if err != nil {
		return fmt.Errorf("pgqueue: %w", err)
	}
	return nil
}
