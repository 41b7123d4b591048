package core

import (
	"context"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PostgreSQL runs on pgx's native pool: no database/sql in between, pgx's
// statement cache for every prepared query, and binary-format results.

type pgBackend struct{ pool *pgxpool.Pool }

var _ backend = (*pgBackend)(nil)

func openPostgres(ctx context.Context, u *URL, o *options) (*pgBackend, error) {
	cfg, err := pgxpool.ParseConfig(pgConnString(u))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadURL, u, err)
	}
	switch u.Options.Get("ssl") {
	case "false":
		cfg.ConnConfig.TLSConfig = nil
		cfg.ConnConfig.Fallbacks = nil
	case "true": // encrypted, certificate not verified (libpq's sslmode=require)
		cfg.ConnConfig.TLSConfig = &tls.Config{InsecureSkipVerify: true, ServerName: u.Host}
		cfg.ConnConfig.Fallbacks = nil
	}
	if o.maxConns > 0 {
		cfg.MaxConns = int32(o.maxConns)
	}
	if o.minConns > 0 {
		cfg.MinConns = int32(o.minConns)
	}
	if o.connMaxLifetime > 0 {
		cfg.MaxConnLifetime = o.connMaxLifetime
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
func pgConnString(u *URL) string {
	q := url.Values{}
	for _, k := range u.driverOptions() {
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

func (b *pgBackend) exec(ctx context.Context, sql string, args []any) (Result, error) {
	return pgExec(ctx, b.pool, sql, args)
}

func (b *pgBackend) query(ctx context.Context, sql string, args []any) (cursor, error) {
	return pgQuery(ctx, b.pool, sql, args)
}

func (b *pgBackend) begin(ctx context.Context, o TxOptions) (txRunner, error) {
	var opts pgx.TxOptions
	switch o.Isolation {
	case ReadUncommitted:
		opts.IsoLevel = pgx.ReadUncommitted
	case ReadCommitted:
		opts.IsoLevel = pgx.ReadCommitted
	case RepeatableRead:
		opts.IsoLevel = pgx.RepeatableRead
	case Serializable:
		opts.IsoLevel = pgx.Serializable
	}
	if o.ReadOnly {
		opts.AccessMode = pgx.ReadOnly
	}
	tx, err := b.pool.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &pgTx{tx: tx}, nil
}

func (b *pgBackend) close() error {
	b.pool.Close()
	return nil
}

type pgTx struct{ tx pgx.Tx }

func (t *pgTx) exec(ctx context.Context, sql string, args []any) (Result, error) {
	return pgExec(ctx, t.tx, sql, args)
}

func (t *pgTx) query(ctx context.Context, sql string, args []any) (cursor, error) {
	return pgQuery(ctx, t.tx, sql, args)
}

func (t *pgTx) commit(ctx context.Context) error   { return t.tx.Commit(ctx) }
func (t *pgTx) rollback(ctx context.Context) error { return t.tx.Rollback(ctx) }

type pgQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// pgExec runs a statement through Query rather than Exec so that the first
// column of a RETURNING clause can be reported as the inserted key.
func pgExec(ctx context.Context, q pgQuerier, sql string, args []any) (Result, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return Result{}, err
	}
	var res Result
	if rows.Next() {
		if vals := rows.RawValues(); len(vals) > 0 && vals[0] != nil {
			var id int64
			// Only an integer key can be reported; other RETURNING values are ignored.
			if err := rows.Scan(&id); err == nil {
				res.LastInsertID = id
			}
		}
		for rows.Next() {
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Result{}, err
	}
	res.RowsAffected = rows.CommandTag().RowsAffected()
	return res, nil
}

func pgQuery(ctx context.Context, q pgQuerier, sql string, args []any) (cursor, error) {
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
	conv  []func(v any, raw []byte) any // per column; nil keeps pgx's value
}

func (c *pgCursor) columns() []string {
	if c.names == nil {
		fds := c.rows.FieldDescriptions()
		c.names = make([]string, len(fds))
		c.conv = make([]func(any, []byte) any, len(fds))
		for i, fd := range fds {
			c.names[i] = fd.Name
			c.conv[i] = pgConverter(fd.DataTypeOID, fd.Format)
		}
	}
	return c.names
}

func (c *pgCursor) next() bool { return c.rows.Next() }

func (c *pgCursor) scan(dst []any) error {
	c.columns()
	vals, err := c.rows.Values()
	if err != nil {
		return err
	}
	var raw [][]byte
	for i, v := range vals {
		if v == nil || c.conv[i] == nil {
			dst[i] = v
			continue
		}
		if raw == nil {
			raw = c.rows.RawValues()
		}
		dst[i] = c.conv[i](v, raw[i])
	}
	return nil
}

func (c *pgCursor) scanTyped(dest []any) error { return c.rows.Scan(dest...) }

func (c *pgCursor) err() error   { return c.rows.Err() }
func (c *pgCursor) close() error { c.rows.Close(); return c.rows.Err() }

// pgConverter returns how to turn pgx's value for a column type into the
// type Row promises, or nil when pgx's value already is that type.
func pgConverter(oid uint32, format int16) func(any, []byte) any {
	switch oid {
	case pgtype.Int2OID:
		return func(v any, _ []byte) any { return int64(v.(int16)) }
	case pgtype.Int4OID:
		return func(v any, _ []byte) any { return int64(v.(int32)) }
	case pgtype.OIDOID:
		return func(v any, _ []byte) any { return int64(v.(uint32)) }
	case pgtype.Float4OID:
		return func(v any, _ []byte) any { return float32To64(v.(float32)) }
	case pgtype.NumericOID:
		return func(v any, _ []byte) any {
			n := v.(pgtype.Numeric)
			s, err := n.Value()
			if err != nil || s == nil {
				return v
			}
			return s
		}
	case pgtype.UUIDOID:
		return func(v any, _ []byte) any { return formatUUID(v.([16]byte)) }
	case pgtype.JSONOID, pgtype.JSONBOID:
		// The JSON text itself, as MySQL and SQLite give it, not pgx's decoding.
		return func(_ any, raw []byte) any {
			if format == pgx.BinaryFormatCode && oid == pgtype.JSONBOID && len(raw) > 0 {
				raw = raw[1:] // jsonb's binary format is a version byte and the text
			}
			return string(raw)
		}
	case pgtype.TimestamptzOID, pgtype.TimestampOID, pgtype.DateOID:
		return func(v any, _ []byte) any {
			if t, ok := v.(time.Time); ok {
				return t.UTC()
			}
			return v // infinity
		}
	}
	return nil
}

// float32To64 widens a float32 to the float64 with the same shortest decimal
// form, so a REAL holding 0.1 reads as 0.1 and not 0.10000000149011612.
func float32To64(f float32) float64 {
	g, err := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
	if err != nil {
		return float64(f)
	}
	return g
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
