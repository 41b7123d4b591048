package core

import "context"

// The seam between the Database and a driver. pgx (PostgreSQL) and
// database/sql (MySQL, SQLite) each implement it; nothing outside this
// package sees it.

// runner runs statements: a pool, or one transaction's connection.
type runner interface {
	exec(ctx context.Context, sql string, args []any) (Result, error)
	query(ctx context.Context, sql string, args []any) (cursor, error)
}

// cursor is an open result set.
type cursor interface {
	columns() []string
	// next advances to the next row; it reports false at the end or on error.
	next() bool
	// scan fills dst (one slot per column) with the current row's values,
	// normalised to the types Row documents.
	scan(dst []any) error
	// scanTyped scans the current row into typed destinations with the
	// driver's own conversions (pgx's or database/sql's).
	scanTyped(dest []any) error
	err() error
	close() error
}

// txRunner is a runner inside a transaction.
type txRunner interface {
	runner
	commit(ctx context.Context) error
	rollback(ctx context.Context) error
}

// backend is a driver's pool.
type backend interface {
	runner
	begin(ctx context.Context, opts TxOptions) (txRunner, error)
	// acquire takes one connection out of the pool, for Conn.
	acquire(ctx context.Context) (pinned, error)
	close() error
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
