package postgres

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atomdb/atomdb/core"
)

func (b *pgBackend) Acquire(ctx context.Context) (core.PinnedConn, error) {
	c, err := b.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	return pgConn{c}, nil
}

type pgConn struct{ c *pgxpool.Conn }

func (p pgConn) Exec(ctx context.Context, sql string, args []any) (core.Result, error) {
	return pgExec(ctx, p.c, sql, args)
}

func (p pgConn) Query(ctx context.Context, sql string, args []any) (core.Cursor, error) {
	return pgQuery(ctx, p.c, sql, args)
}

func (p pgConn) Begin(ctx context.Context, o core.TxOptions) (core.TxRunner, error) {
	tx, err := p.c.BeginTx(ctx, pgTxOptions(o))
	if err != nil {
		return nil, err
	}
	return &pgTx{tx: tx}, nil
}

func (p pgConn) Release() { p.c.Release() }
