package postgres

import (
	"context"
	"errors"
	"strings"

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
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) || errors.Is(err, pgconn.ErrConnClosed) {
		return core.ErrConnectionLost
	}
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
	case "55P03": // lock_not_available: lock_timeout, NOWAIT
		return core.ErrLockTimeout
	case "57P01", "57P02", "57P03": // admin_shutdown, crash_shutdown, cannot_connect_now
		return core.ErrConnectionLost
	}
	if strings.HasPrefix(pgErr.Code, "08") { // connection_exception
		return core.ErrConnectionLost
	}
	return nil
}
