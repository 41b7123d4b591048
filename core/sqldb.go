package core

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// MySQL and SQLite run on database/sql with go-sql-driver/mysql and
// mattn/go-sqlite3. Their values are normalised per column type name so that
// rows hold the same Go types as on PostgreSQL.

type sqlBackend struct {
	db      *sql.DB
	dialect *Dialect
}

var _ backend = (*sqlBackend)(nil)

// sqlQuerier is what *sql.DB and *sql.Tx share.
type sqlQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (b *sqlBackend) exec(ctx context.Context, query string, args []any) (Result, error) {
	return sqlExec(ctx, b.db, query, utcArgs(b.dialect, args))
}

func (b *sqlBackend) query(ctx context.Context, query string, args []any) (cursor, error) {
	return sqlQuery(ctx, b.db, b.dialect, query, utcArgs(b.dialect, args))
}

// utcArgs puts time arguments in UTC on SQLite, which stores times as text
// and compares them as text: every instant must be written the same way for
// <, > and = to agree with time order. (pgx and go-sql-driver/mysql convert
// times themselves.)
func utcArgs(d *Dialect, args []any) []any {
	if d != SQLite {
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

func (b *sqlBackend) begin(ctx context.Context, o TxOptions) (txRunner, error) {
	return sqlBegin(ctx, b.db, b.dialect, o)
}

// sqlBeginner is what *sql.DB and *sql.Conn share.
type sqlBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

func sqlBegin(ctx context.Context, db sqlBeginner, dialect *Dialect, o TxOptions) (txRunner, error) {
	opts := &sql.TxOptions{ReadOnly: o.ReadOnly}
	switch o.Isolation {
	case ReadUncommitted:
		opts.Isolation = sql.LevelReadUncommitted
	case ReadCommitted:
		opts.Isolation = sql.LevelReadCommitted
	case RepeatableRead:
		opts.Isolation = sql.LevelRepeatableRead
	case Serializable:
		opts.Isolation = sql.LevelSerializable
	}
	if dialect == SQLite {
		// SQLite transactions are always serializable, and go-sqlite3 ignores
		// TxOptions: read-only is enforced with PRAGMA query_only instead.
		opts = nil
	}
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	t := &sqlTx{tx: tx, dialect: dialect}
	if dialect == SQLite && o.ReadOnly {
		if _, err := tx.ExecContext(ctx, "PRAGMA query_only = 1"); err != nil {
			_ = tx.Rollback()
			return nil, err
		}
		t.readOnly = true
	}
	return t, nil
}

func (b *sqlBackend) close() error { return b.db.Close() }

type sqlTx struct {
	tx       *sql.Tx
	dialect  *Dialect
	readOnly bool // SQLite: query_only must be switched off before the connection goes back
}

func (t *sqlTx) exec(ctx context.Context, query string, args []any) (Result, error) {
	return sqlExec(ctx, t.tx, query, utcArgs(t.dialect, args))
}

func (t *sqlTx) query(ctx context.Context, query string, args []any) (cursor, error) {
	return sqlQuery(ctx, t.tx, t.dialect, query, utcArgs(t.dialect, args))
}

func (t *sqlTx) commit(ctx context.Context) error {
	if err := t.restore(ctx); err != nil {
		_ = t.tx.Rollback()
		return err
	}
	return t.tx.Commit()
}

func (t *sqlTx) rollback(ctx context.Context) error {
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

func sqlExec(ctx context.Context, q sqlQuerier, query string, args []any) (Result, error) {
	r, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return Result{}, err
	}
	var res Result
	res.RowsAffected, _ = r.RowsAffected()
	res.LastInsertID, _ = r.LastInsertId()
	return res, nil
}

func sqlQuery(ctx context.Context, q sqlQuerier, d *Dialect, query string, args []any) (cursor, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return &sqlCursor{rows: rows, dialect: d}, nil
}

type sqlCursor struct {
	rows    *sql.Rows
	dialect *Dialect
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
		if c.dialect == MySQL {
			c.conv[i] = mysqlConverter(t.DatabaseTypeName())
		} else {
			c.conv[i] = sqliteConvert
		}
	}
	c.slots = make([]any, len(names))
	c.ptrs = make([]any, len(names))
	for i := range c.slots {
		c.ptrs[i] = &c.slots[i]
	}
	return nil
}

func (c *sqlCursor) columns() []string {
	if err := c.describe(); err != nil {
		return nil // the same error comes back from Next and Err
	}
	return c.names
}
func (c *sqlCursor) next() bool   { return c.rows.Next() }
func (c *sqlCursor) err() error   { return c.rows.Err() }
func (c *sqlCursor) close() error { return c.rows.Close() }

func (c *sqlCursor) scanTyped(dest []any) error { return c.rows.Scan(dest...) }

func (c *sqlCursor) scan(dst []any) error {
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

// sqliteConvert normalises go-sqlite3's values: times to UTC. Integers,
// floats, text, blobs and BOOLEAN columns already come as Row promises.
func sqliteConvert(v any) any {
	if t, ok := v.(time.Time); ok {
		return t.UTC()
	}
	return v
}

// mysqlConverter returns how to normalise a MySQL column's values. The text
// protocol (a statement without arguments) gives []byte for everything; the
// binary protocol gives typed values; both end up as the same Go types.
func mysqlConverter(typeName string) func(any) any {
	typeName = strings.TrimPrefix(typeName, "UNSIGNED ")
	switch typeName {
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT", "YEAR":
		return mysqlInt
	case "FLOAT":
		return func(v any) any {
			switch v := v.(type) {
			case float32:
				return float32To64(v)
			case []byte:
				f, err := strconv.ParseFloat(string(v), 64)
				if err != nil {
					return string(v)
				}
				return f
			}
			return v
		}
	case "DOUBLE":
		return func(v any) any {
			if b, ok := v.([]byte); ok {
				f, err := strconv.ParseFloat(string(b), 64)
				if err != nil {
					return string(b)
				}
				return f
			}
			return v
		}
	case "BIT":
		return mysqlBit
	case "DATE", "DATETIME", "TIMESTAMP":
		return func(v any) any {
			if t, ok := v.(time.Time); ok {
				return t.UTC()
			}
			return v
		}
	case "BLOB", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB", "BINARY", "VARBINARY", "GEOMETRY", "VECTOR":
		return nil
	}
	// CHAR, VARCHAR, the TEXTs, DECIMAL, JSON, ENUM, SET, TIME and anything
	// unknown: text.
	return func(v any) any {
		if b, ok := v.([]byte); ok {
			return string(b)
		}
		return v
	}
}

func mysqlInt(v any) any {
	switch v := v.(type) {
	case []byte:
		if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return n
		}
		if n, err := strconv.ParseUint(string(v), 10, 64); err == nil {
			return n // an UNSIGNED BIGINT above math.MaxInt64
		}
		return string(v)
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v)
		}
	}
	return v
}

// mysqlBit reads BIT columns: a one-byte value (BIT(1), atomdb's boolean
// column) as bool, wider ones as an unsigned integer.
func mysqlBit(v any) any {
	b, ok := v.([]byte)
	if !ok {
		return v
	}
	if len(b) == 1 {
		return b[0] != 0
	}
	var buf [8]byte
	if len(b) > 8 {
		return b
	}
	copy(buf[8-len(b):], b)
	n := binary.BigEndian.Uint64(buf[:])
	if n <= math.MaxInt64 {
		return int64(n)
	}
	return n
}

// poolSettings applies the pool options to a database/sql pool.
func poolSettings(db *sql.DB, o *options) {
	if o.maxConns > 0 {
		db.SetMaxOpenConns(o.maxConns)
	}
	if o.minConns > 0 {
		db.SetMaxIdleConns(o.minConns)
	}
	if o.connMaxLifetime > 0 {
		db.SetConnMaxLifetime(o.connMaxLifetime)
	}
}

func pingSQL(ctx context.Context, db *sql.DB, u *URL) error {
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return fmt.Errorf("core: connect %s: %w", u, err)
	}
	return nil
}
