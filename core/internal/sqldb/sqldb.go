// Package sqldb is the pool, transaction and cursor of the backends that run
// on database/sql (core/mysql and core/sqlite); each supplies its driver and
// how its column values are normalised.
package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/atomdb/atomdb/core"
)

// MySQL and SQLite run on database/sql with go-sql-driver/mysql and
// mattn/go-sqlite3. Their values are normalised per column type name so that
// rows hold the same Go types as on PostgreSQL.

// Converter returns how to normalise the values of a column of the given
// database type name (sql.ColumnType.DatabaseTypeName); nil keeps the
// driver's values.
type Converter func(typeName string) func(any) any

// Backend is a database/sql pool as a core.Pool.
type Backend struct {
	db      *sql.DB
	dialect *core.Dialect
	convert Converter
}

var _ core.Pool = (*Backend)(nil)

// New returns db as a core.Pool of dialect d, whose values convert normalises.
func New(db *sql.DB, d *core.Dialect, convert Converter) *Backend {
	return &Backend{db: db, dialect: d, convert: convert}
}

// sqlQuerier is what *sql.DB and *sql.Tx share.
type sqlQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (b *Backend) Exec(ctx context.Context, query string, args []any) (core.Result, error) {
	return sqlExec(ctx, b.db, query, utcArgs(b.dialect, args))
}

func (b *Backend) Query(ctx context.Context, query string, args []any) (core.Cursor, error) {
	return sqlQuery(ctx, b.db, b.dialect, b.convert, query, utcArgs(b.dialect, args))
}

// utcArgs puts time arguments in UTC on SQLite, which stores times as text
// and compares them as text: every instant must be written the same way for
// <, > and = to agree with time order. (pgx and go-sql-driver/mysql convert
// times themselves.)
func utcArgs(d *core.Dialect, args []any) []any {
	if !d.Caps().TimesAsText {
		return args
	}
	copied := false
	for i, a := range args {
		if t, ok := a.(time.Time); ok && t.Location() != time.UTC {
			if !copied {
				args, copied = append([]any(nil), args...), true // the caller's slice stays as it was
			}
			args[i] = t.UTC()
		}
	}
	return args
}

func (b *Backend) Begin(ctx context.Context, o core.TxOptions) (core.TxRunner, error) {
	return sqlBegin(ctx, b.db, b.dialect, b.convert, o)
}

// sqlBeginner is what *sql.DB and *sql.Conn share.
type sqlBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

func sqlBegin(ctx context.Context, db sqlBeginner, dialect *core.Dialect, convert Converter, o core.TxOptions) (core.TxRunner, error) {
	opts := &sql.TxOptions{ReadOnly: o.ReadOnly}
	switch o.Isolation {
	case core.ReadUncommitted:
		opts.Isolation = sql.LevelReadUncommitted
	case core.ReadCommitted:
		opts.Isolation = sql.LevelReadCommitted
	case core.RepeatableRead:
		opts.Isolation = sql.LevelRepeatableRead
	case core.Serializable:
		opts.Isolation = sql.LevelSerializable
	}
	if !dialect.Caps().TxOptions {
		// SQLite transactions are always serializable, and go-sqlite3 ignores
		// TxOptions: read-only is enforced with PRAGMA query_only instead.
		opts = nil
	}
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	t := &sqlTx{tx: tx, dialect: dialect, convert: convert}
	if !dialect.Caps().TxOptions && o.ReadOnly {
		if _, err := tx.ExecContext(ctx, "PRAGMA query_only = 1"); err != nil {
			_ = tx.Rollback()
			return nil, err
		}
		t.readOnly = true
	}
	return t, nil
}

func (b *Backend) Close() error { return b.db.Close() }

// Stats reports database/sql's DBStats.
func (b *Backend) Stats() core.PoolStats {
	s := b.db.Stats()
	return core.PoolStats{
		MaxOpen:  s.MaxOpenConnections,
		Open:     s.OpenConnections,
		InUse:    s.InUse,
		Idle:     s.Idle,
		Waits:    s.WaitCount,
		WaitTime: s.WaitDuration,
	}
}

type sqlTx struct {
	tx       *sql.Tx
	dialect  *core.Dialect
	convert  Converter
	readOnly bool // SQLite: query_only must be switched off before the connection goes back
}

func (t *sqlTx) Exec(ctx context.Context, query string, args []any) (core.Result, error) {
	return sqlExec(ctx, t.tx, query, utcArgs(t.dialect, args))
}

func (t *sqlTx) Query(ctx context.Context, query string, args []any) (core.Cursor, error) {
	return sqlQuery(ctx, t.tx, t.dialect, t.convert, query, utcArgs(t.dialect, args))
}

func (t *sqlTx) Commit(ctx context.Context) error {
	if err := t.restore(ctx); err != nil {
		_ = t.tx.Rollback()
		return err
	}
	return t.tx.Commit()
}

func (t *sqlTx) Rollback(ctx context.Context) error {
	if err := t.restore(ctx); err != nil {
		_ = t.tx.Rollback()
		return err
	}
	return t.tx.Rollback()
}

func (t *sqlTx) restore(ctx context.Context) error {
	if !t.readOnly {
		return nil
	}
	_, err := t.tx.ExecContext(ctx, "PRAGMA query_only = 0")
	return err
}

func sqlExec(ctx context.Context, q sqlQuerier, query string, args []any) (core.Result, error) {
	r, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return core.Result{}, err
	}
	var res core.Result
	res.RowsAffected, _ = r.RowsAffected()
	res.LastInsertID, _ = r.LastInsertId()
	return res, nil
}

func sqlQuery(ctx context.Context, q sqlQuerier, d *core.Dialect, convert Converter, query string, args []any) (core.Cursor, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return &sqlCursor{rows: rows, dialect: d, convert: convert}, nil
}

type sqlCursor struct {
	rows    *sql.Rows
	dialect *core.Dialect
	convert Converter
	names   []string
	conv    []func(any) any // per column; nil keeps the driver's value
	slots   []any
	ptrs    []any
}

// describe reads the column names and types, on first need: typed scans
// (the orm's) never need them.
func (c *sqlCursor) describe() error {
	if c.names != nil {
		return nil
	}
	names, err := c.rows.Columns()
	if err != nil {
		return err
	}
	types, err := c.rows.ColumnTypes()
	if err != nil {
		return err
	}
	c.names = names
	c.conv = make([]func(any) any, len(names))
	for i, t := range types {
		c.conv[i] = c.convert(t.DatabaseTypeName())
	}
	c.slots = make([]any, len(names))
	c.ptrs = make([]any, len(names))
	for i := range c.slots {
		c.ptrs[i] = &c.slots[i]
	}
	return nil
}

func (c *sqlCursor) Columns() []string {
	if err := c.describe(); err != nil {
		return nil // the same error comes back from Next and Err
	}
	return c.names
}
func (c *sqlCursor) Next() bool   { return c.rows.Next() }
func (c *sqlCursor) Err() error   { return c.rows.Err() }
func (c *sqlCursor) Close() error { return c.rows.Close() }

func (c *sqlCursor) ScanTyped(dest []any) error { return c.rows.Scan(dest...) }

func (c *sqlCursor) Scan(dst []any) error {
	if err := c.describe(); err != nil {
		return err
	}
	if err := c.rows.Scan(c.ptrs...); err != nil {
		return err
	}
	for i, v := range c.slots {
		if v != nil && c.conv[i] != nil {
			v = c.conv[i](v)
		}
		dst[i] = v
		c.slots[i] = nil
	}
	return nil
}

// PoolSettings applies the pool options to a database/sql pool.
func PoolSettings(db *sql.DB, o core.PoolConfig) {
	if o.MaxConns > 0 {
		db.SetMaxOpenConns(o.MaxConns)
	}
	if o.MinConns > 0 {
		db.SetMaxIdleConns(o.MinConns)
	}
	if o.MaxLifetime > 0 {
		db.SetConnMaxLifetime(o.MaxLifetime)
	}
}

// Ping checks the connection, and closes db when it fails.
func Ping(ctx context.Context, db *sql.DB, u *core.URL) error {
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return fmt.Errorf("core: connect %s: %w", u, err)
	}
	return nil
}
