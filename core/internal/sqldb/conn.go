package sqldb

import (
	"context"
	"database/sql"

	"github.com/atomdb/atomdb/core"
)

// Acquire takes one connection out of the pool, for core's Conn.
func (b *Backend) Acquire(ctx context.Context) (core.PinnedConn, error) {
	c, err := b.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &sqlConn{c: c, dialect: b.dialect, convert: b.convert}, nil
}

type sqlConn struct {
	c       *sql.Conn
	dialect *core.Dialect
	convert Converter
}

func (s *sqlConn) Exec(ctx context.Context, query string, args []any) (core.Result, error) {
	return sqlExec(ctx, s.c, query, utcArgs(s.dialect, args))
}

func (s *sqlConn) Query(ctx context.Context, query string, args []any) (core.Cursor, error) {
	return sqlQuery(ctx, s.c, s.dialect, s.convert, query, utcArgs(s.dialect, args))
}

func (s *sqlConn) Begin(ctx context.Context, o core.TxOptions) (core.TxRunner, error) {
	return sqlBegin(ctx, s.c, s.dialect, s.convert, o)
}

func (s *sqlConn) Release() { _ = s.c.Close() }
