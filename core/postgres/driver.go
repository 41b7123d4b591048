package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/atomdb/atomdb/core"
)

func init() { core.Register("postgres", driver{}) }

// driver is the core.Driver for postgres:// URLs.
type driver struct{}

func (driver) Open(ctx context.Context, u *core.URL, cfg core.PoolConfig) (core.Pool, error) {
	return openPostgres(ctx, u, cfg)
}

// Classify maps a PostgreSQL error to its kind by SQLSTATE.
func (driver) Classify(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return nil
	}
	switch pgErr.Code {
	case "23505":
		return core.ErrUniqueViolation
	case "23503":
		return core.ErrForeignKeyViolation
	case "23502":
		return core.ErrNotNullViolation
	case "23514":
		return core.ErrCheckViolation
	case "40001":
		return core.ErrSerialization
	case "40P01":
		return core.ErrDeadlock
	}
	return nil
}
