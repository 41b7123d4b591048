package postgres

import (
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/core/internal/values"
)

// PostgreSQL runs on pgx's native pool: no database/sql in between, pgx's
// statement cache for every prepared query, and binary-format results.

type pgBackend struct{ pool *pgxpool.Pool }

// pgPingIdle is how long a pooled PostgreSQL connection may sit idle before
// it is pinged on its next use. Busy connections are reused without a ping,
// so the round trip is paid only after a pause.
const pgPingIdle = 100 * time.Millisecond

var _ core.Pool = (*pgBackend)(nil)

func openPostgres(ctx context.Context, u *core.URL, o core.PoolConfig) (*pgBackend, error) {
	cfg, err := pgxpool.ParseConfig(pgConnString(u))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", core.ErrBadURL, u, err)
	}
	switch u.Options.Get("ssl") {
	case "false":
		cfg.ConnConfig.TLSConfig = nil
		cfg.ConnConfig.Fallbacks = nil
	case "true": // encrypted, certificate not verified (libpq's sslmode=require)
		cfg.ConnConfig.TLSConfig = &tls.Config{InsecureSkipVerify: true, ServerName: u.Host}
		cfg.ConnConfig.Fallbacks = nil
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = int32(o.MaxConns)
	}
	if o.MinConns > 0 {
		cfg.MinConns = int32(o.MinConns)
	}
	if o.MaxLifetime > 0 {
		cfg.MaxConnLifetime = o.MaxLifetime
	}
	// A connection the server ended while it sat idle in the pool (a
	// restart, pg_terminate_backend, an idle timeout) must never reach a
	// caller: ping those idle longer than pgPingIdle before handing them
	// out, and take another when the ping fails. (pgxpool's default waits a
	// whole second; database/sql's MySQL driver checks every connection.)
	cfg.ShouldPing = func(_ context.Context, p pgxpool.ShouldPingParams) bool {
		return p.IdleDuration > pgPingIdle
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("core: open %s: %w", u, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("core: connect %s: %w", u, err)
	}
	return &pgBackend{pool: pool}, nil
}

// pgConnString renders the URL as a libpq-style URL for pgx: the common
// options become libpq's, the rest pass through (pgx turns unknown ones into
// run-time parameters such as search_path).
func pgConnString(u *core.URL) string {
	q := url.Values{}
	for _, k := range u.DriverOptions() {
		q[k] = u.Options[k]
	}
	switch u.Options.Get("ssl") {
	case "false":
		q.Set("sslmode", "disable")
	case "true":
		q.Set("sslmode", "require")
	case "verify-full":
		q.Set("sslmode", "verify-full")
	}
	host := u.Host
	if sock := u.Options.Get("unix_socket"); sock != "" {
		q.Set("host", sock) // a directory, as libpq expects
	}
	if u.Port != 0 {
		host += ":" + strconv.Itoa(u.Port)
	}
	pu := url.URL{Scheme: "postgres", Host: host, Path: "/" + u.Database, RawQuery: q.Encode()}
	switch {
	case u.Password != "":
		pu.User = url.UserPassword(u.User, u.Password)
	case u.User != "":
		pu.User = url.User(u.User)
	}
	return pu.String()
}

func (b *pgBackend) Exec(ctx context.Context, sql string, args []any) (core.Result, error) {
	return pgExec(ctx, b.pool, sql, args)
}

func (b *pgBackend) Query(ctx context.Context, sql string, args []any) (core.Cursor, error) {
	return pgQuery(ctx, b.pool, sql, args)
}

func (b *pgBackend) Begin(ctx context.Context, o core.TxOptions) (core.TxRunner, error) {
	tx, err := b.pool.BeginTx(ctx, pgTxOptions(o))
	if err != nil {
		return nil, err
	}
	return &pgTx{tx: tx}, nil
}

func pgTxOptions(o core.TxOptions) pgx.TxOptions {
	var opts pgx.TxOptions
	switch o.Isolation {
	case core.ReadUncommitted:
		opts.IsoLevel = pgx.ReadUncommitted
	case core.ReadCommitted:
		opts.IsoLevel = pgx.ReadCommitted
	case core.RepeatableRead:
		opts.IsoLevel = pgx.RepeatableRead
	case core.Serializable:
		opts.IsoLevel = pgx.Serializable
	}
	if o.ReadOnly {
		opts.AccessMode = pgx.ReadOnly
	}
	return opts
}

func (b *pgBackend) Close() error {
	b.pool.Close()
	return nil
}

type pgTx struct{ tx pgx.Tx }

func (t *pgTx) Exec(ctx context.Context, sql string, args []any) (core.Result, error) {
	return pgExec(ctx, t.tx, sql, args)
}

func (t *pgTx) Query(ctx context.Context, sql string, args []any) (core.Cursor, error) {
	return pgQuery(ctx, t.tx, sql, args)
}

func (t *pgTx) Commit(ctx context.Context) error   { return t.tx.Commit(ctx) }
func (t *pgTx) Rollback(ctx context.Context) error { return t.tx.Rollback(ctx) }

type pgQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// pgExec runs a statement through Query rather than Exec so that the first
// column of a RETURNING clause can be reported as the inserted key. Only an
// integer column is read; other RETURNING values are discarded, never
// scanned: a scan error after the row was written would tell the caller that
// a write which happened had failed.
func pgExec(ctx context.Context, q pgQuerier, sql string, args []any) (core.Result, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return core.Result{}, err
	}
	var res core.Result
	if rows.Next() {
		// Only an integer key can be reported; other values (RETURNING
		// text, a SELECT of a void function) are ignored. The value is
		// decoded apart from rows: rows.Scan fails the whole result on a
		// type it cannot convert or when more columns come back.
		fds := rows.FieldDescriptions()
		if vals := rows.RawValues(); len(vals) > 0 && vals[0] != nil && len(fds) > 0 && isPgInteger(fds[0].DataTypeOID) {
			var id int64
			if err := rows.Conn().TypeMap().Scan(fds[0].DataTypeOID, fds[0].Format, vals[0], &id); err == nil {
				res.LastInsertID = id
			}
		}
		for rows.Next() {
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return core.Result{}, err
	}
	res.RowsAffected = rows.CommandTag().RowsAffected()
	return res, nil
}

func isPgInteger(oid uint32) bool {
	return oid == pgtype.Int2OID || oid == pgtype.Int4OID || oid == pgtype.Int8OID
}

func pgQuery(ctx context.Context, q pgQuerier, sql string, args []any) (core.Cursor, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	// Query defers some errors to the first Next; surface them now.
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, err
	}
	return &pgCursor{rows: rows}, nil
}

type pgCursor struct {
	rows  pgx.Rows
	names []string
	cols  []pgColumn // per column: a typed scan target and how to read it
	dests []any
	// ScanTyped's stand-ins for *sql.NullInt64 destinations.
	intCols []bool // per column: an integer type
	ints    []pgtype.Int8
	subst   []any
}

// pgColumn reads one column: Scan fills dest, value returns what Row holds.
type pgColumn struct {
	dest  any
	value func() any
}

func (c *pgCursor) Columns() []string {
	if c.names == nil {
		fds := c.rows.FieldDescriptions()
		c.names = make([]string, len(fds))
		c.cols = make([]pgColumn, len(fds))
		c.dests = make([]any, len(fds))
		for i, fd := range fds {
			c.names[i] = fd.Name
			c.cols[i] = pgColumnFor(fd.DataTypeOID)
			c.dests[i] = c.cols[i].dest
		}
	}
	return c.names
}

func (c *pgCursor) Next() bool { return c.rows.Next() }

// scan reads the row into the column's typed targets, with the scan plans
// pgx keeps for this result, and boxes each value once.
func (c *pgCursor) Scan(dst []any) error {
	c.Columns()
	if err := c.rows.Scan(c.dests...); err != nil {
		return err
	}
	for i := range c.cols {
		dst[i] = c.cols[i].value()
	}
	return nil
}

// ScanTyped scans the row into dest with pgx's conversions. A
// *sql.NullInt64 destination of an integer column (the orm's foreign keys,
// among others) is filled through a pgtype.Int8, pgx's direct path for
// nullable integers: as a sql.Scanner, each value would be decoded into an
// interface and converted a second time.
func (c *pgCursor) ScanTyped(dest []any) error {
	if c.intCols == nil {
		fds := c.rows.FieldDescriptions()
		c.intCols = make([]bool, len(fds))
		for i, fd := range fds {
			switch fd.DataTypeOID {
			case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID:
				c.intCols[i] = true
			}
		}
		c.ints = make([]pgtype.Int8, len(fds))
	}
	var subst []any
	for i, d := range dest {
		if _, ok := d.(*sql.NullInt64); ok && i < len(c.intCols) && c.intCols[i] {
			if subst == nil {
				c.subst = append(c.subst[:0], dest...)
				subst = c.subst
			}
			subst[i] = &c.ints[i]
		}
	}
	if subst == nil {
		return c.rows.Scan(dest...)
	}
	if err := c.rows.Scan(subst...); err != nil {
		return err
	}
	for i, d := range dest {
		if n, ok := d.(*sql.NullInt64); ok && i < len(c.intCols) && c.intCols[i] {
			*n = sql.NullInt64{Int64: c.ints[i].Int64, Valid: c.ints[i].Valid}
		}
	}
	return nil
}

func (c *pgCursor) Err() error   { return c.rows.Err() }
func (c *pgCursor) Close() error { c.rows.Close(); return c.rows.Err() }

// pgColumnFor picks the scan target for a column type: a pgtype value with
// a Valid flag for the common types, so that the value is decoded straight
// into the Go type Row promises; pgx's own value, converted, for the rest.
func pgColumnFor(oid uint32) pgColumn {
	switch oid {
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID, pgtype.OIDOID:
		h := new(pgtype.Int8)
		return pgColumn{h, func() any {
			if !h.Valid {
				return nil
			}
			return h.Int64
		}}
	case pgtype.Float8OID:
		h := new(pgtype.Float8)
		return pgColumn{h, func() any {
			if !h.Valid {
				return nil
			}
			return h.Float64
		}}
	case pgtype.Float4OID:
		h := new(pgtype.Float4)
		return pgColumn{h, func() any {
			if !h.Valid {
				return nil
			}
			return values.Float32To64(h.Float32)
		}}
	case pgtype.BoolOID:
		h := new(pgtype.Bool)
		return pgColumn{h, func() any {
			if !h.Valid {
				return nil
			}
			return h.Bool
		}}
	case pgtype.TextOID, pgtype.VarcharOID, pgtype.BPCharOID, pgtype.NameOID:
		h := new(pgtype.Text)
		return pgColumn{h, func() any {
			if !h.Valid {
				return nil
			}
			return h.String
		}}
	case pgtype.ByteaOID:
		h := new([]byte)
		return pgColumn{h, func() any {
			if *h == nil {
				return nil
			}
			b := *h
			*h = nil
			return b
		}}
	case pgtype.JSONOID, pgtype.JSONBOID:
		// The JSON text itself, as MySQL and SQLite give it.
		h := new([]byte)
		return pgColumn{h, func() any {
			if *h == nil {
				return nil
			}
			s := string(*h)
			*h = nil
			return s
		}}
	case pgtype.TimestamptzOID:
		h := new(pgtype.Timestamptz)
		return pgColumn{h, func() any {
			switch {
			case !h.Valid:
				return nil
			case h.InfinityModifier != pgtype.Finite:
				return *h
			}
			return h.Time.UTC()
		}}
	case pgtype.TimestampOID:
		h := new(pgtype.Timestamp)
		return pgColumn{h, func() any {
			switch {
			case !h.Valid:
				return nil
			case h.InfinityModifier != pgtype.Finite:
				return *h
			}
			return h.Time.UTC()
		}}
	case pgtype.DateOID:
		h := new(pgtype.Date)
		return pgColumn{h, func() any {
			switch {
			case !h.Valid:
				return nil
			case h.InfinityModifier != pgtype.Finite:
				return *h
			}
			return h.Time.UTC()
		}}
	case pgtype.NumericOID:
		h := new(pgtype.Numeric)
		return pgColumn{h, func() any {
			if !h.Valid {
				return nil
			}
			if v, err := h.Value(); err == nil && v != nil {
				return v // exact, as text
			}
			return *h
		}}
	case pgtype.TimeOID:
		h := new(pgtype.Time)
		return pgColumn{h, func() any {
			if !h.Valid {
				return nil
			}
			return core.TimeOfDayOf(h.Microseconds).String()
		}}
	case pgtype.UUIDOID:
		h := new(pgtype.UUID)
		return pgColumn{h, func() any {
			if !h.Valid {
				return nil
			}
			return formatUUID(h.Bytes)
		}}
	}
	h := new(any)
	return pgColumn{h, func() any { return *h }}
}

func formatUUID(b [16]byte) string {
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
