package core

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// The seam between the Database and a driver, for backend packages only
// (core/postgres on pgx, core/mysql on go-sql-driver/mysql, core/sqlite on
// mattn/go-sqlite3), the way database/sql/driver is for database/sql's
// drivers. Each backend registers itself from its init function, so core
// links no driver and a program links only the backends it imports.

// Driver is a backend: it opens pools for the URLs of its scheme and
// classifies its own errors.
type Driver interface {
	// Open connects to the database u names and checks the connection.
	// Errors name the URL through u.String (the password masked).
	Open(ctx context.Context, u *URL, cfg PoolConfig) (Pool, error)
	// Classify returns the kind of a driver error (ErrUniqueViolation,
	// ErrDeadlock, ...) from its SQLSTATE, error number or extended code, or
	// nil when err is not one of this driver's errors or fits no kind.
	Classify(err error) error
}

// PoolConfig holds the pool settings from the URL and Open's options.
// A zero field leaves the driver's default.
type PoolConfig struct {
	MaxConns    int
	MinConns    int
	MaxLifetime time.Duration
}

// Runner runs statements: a pool, or one transaction's connection.
type Runner interface {
	Exec(ctx context.Context, sql string, args []any) (Result, error)
	Query(ctx context.Context, sql string, args []any) (Cursor, error)
}

// Cursor is an open result set.
type Cursor interface {
	Columns() []string
	// Next advances to the next row; it reports false at the end or on error.
	Next() bool
	// Scan fills dst (one slot per column) with the current row's values,
	// normalised to the types Row documents.
	Scan(dst []any) error
	// ScanTyped scans the current row into typed destinations with the
	// driver's own conversions (pgx's or database/sql's).
	ScanTyped(dest []any) error
	Err() error
	Close() error
}

// TxRunner is a Runner inside a transaction.
type TxRunner interface {
	Runner
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// Pool is a driver's pool.
type Pool interface {
	Runner
	Begin(ctx context.Context, opts TxOptions) (TxRunner, error)
	// Acquire takes one connection out of the pool, for Conn.
	Acquire(ctx context.Context) (PinnedConn, error)
	// Stats reports the pool's connections and waits (see Database.Stats).
	Stats() PoolStats
	Close() error
}

// PinnedConn is one connection taken out of a Pool.
type PinnedConn interface {
	Runner
	Begin(ctx context.Context, opts TxOptions) (TxRunner, error)
	// Release puts the connection back into the pool.
	Release()
}

// Result is what Execute reports.
type Result struct {
	// RowsAffected is the number of rows the statement inserted, updated
	// (matched, on every backend) or deleted.
	RowsAffected int64
	// LastInsertID is the primary key of the row an INSERT created, where the
	// dialect can say: MySQL and SQLite report the auto-increment key;
	// PostgreSQL reports the first column of the first row of a RETURNING
	// clause when it is an integer (add Returning("id") to a goqu insert).
	// 0 when unknown. Execute reads no other RETURNING value: use FetchAll.
	LastInsertID int64
}

// backendPackages names, per URL scheme, the package that registers its
// driver, for the error Open returns when that package is not imported.
var backendPackages = map[string]string{
	"postgres": "github.com/atomdb/atomdb/core/postgres",
	"mysql":    "github.com/atomdb/atomdb/core/mysql",
	"sqlite":   "github.com/atomdb/atomdb/core/sqlite",
}

// allBackends is the package that imports every backend.
const allBackends = "github.com/atomdb/atomdb/core/all"

var (
	driversMu sync.RWMutex
	drivers   = map[string]Driver{}
)

// Register makes a driver available to Open for URLs of scheme, the
// normalised scheme ParseURL reports ("postgres", "mysql" or "sqlite"; their
// aliases postgresql, mariadb and sqlite3 follow). Backend packages call it
// from init. It panics when scheme is not one of those or already has a
// driver, as database/sql's Register does: both are programming errors.
func Register(scheme string, d Driver) {
	if _, ok := backendPackages[scheme]; !ok {
		panic(fmt.Sprintf("core: Register: unknown scheme %q (want postgres, mysql or sqlite)", scheme))
	}
	if d == nil {
		panic("core: Register: nil driver for " + scheme)
	}
	driversMu.Lock()
	defer driversMu.Unlock()
	if _, dup := drivers[scheme]; dup {
		panic("core: Register called twice for scheme " + scheme)
	}
	drivers[scheme] = d
}

// driverFor returns the registered driver for a URL's scheme.
func driverFor(u *URL) (Driver, error) {
	driversMu.RLock()
	d := drivers[u.Scheme]
	driversMu.RUnlock()
	if d == nil {
		return nil, fmt.Errorf("%w for %s:// URLs: import _ %q (or %q for every backend)",
			ErrNoDriver, u.Scheme, backendPackages[u.Scheme], allBackends)
	}
	return d, nil
}

// classify asks each registered driver for the kind of err; a driver
// recognises only its own error type.
func classify(err error) error {
	driversMu.RLock()
	defer driversMu.RUnlock()
	for _, d := range drivers {
		if kind := d.Classify(err); kind != nil {
			return kind
		}
	}
	return nil
}
