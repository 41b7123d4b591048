// Package postgres is atomdb's PostgreSQL backend, on pgx v5's native pool:
// no database/sql in between, pgx's statement cache for every prepared query
// and binary-format results. Import it for its side effect, which registers
// the postgres:// and postgresql:// URL schemes with core.Open:
//
//	import (
//		"github.com/atomdb/atomdb/core"
//		_ "github.com/atomdb/atomdb/core/postgres"
//	)
//
//	db, err := core.Open(ctx, "postgres://app:secret@localhost:5432/app")
//
// A program that imports only this backend links neither the MySQL driver
// nor cgo's SQLite, and builds with CGO_ENABLED=0.
//
// Errors are classified by SQLSTATE (23505 is core.ErrUniqueViolation,
// 40P01 core.ErrDeadlock, ...); the driver's *pgconn.PgError stays reachable
// with errors.As.
package postgres
