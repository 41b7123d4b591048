package core

import "context"

// On PostgreSQL a failed statement aborts the transaction it runs in, and
// every later statement fails until a rollback. Under WithForceRollback all
// statements share one transaction, so one expected failure (a unique
// violation a test provokes on purpose) would break every statement after
// it. guarded wraps each statement made outside a Transaction in a savepoint
// of its own, as a Database without force-rollback effectively has.
type guarded struct{ tx TxRunner }

const guardSavepoint = "atomdb_stmt"

func (g guarded) Exec(ctx context.Context, sql string, args []any) (Result, error) {
	if _, err := g.tx.Exec(ctx, "SAVEPOINT "+guardSavepoint, nil); err != nil {
		return Result{}, err
	}
	res, err := g.tx.Exec(ctx, sql, args)
	return res, g.end(ctx, err)
}

func (g guarded) Query(ctx context.Context, sql string, args []any) (Cursor, error) {
	if _, err := g.tx.Exec(ctx, "SAVEPOINT "+guardSavepoint, nil); err != nil {
		return nil, err
	}
	cur, err := g.tx.Query(ctx, sql, args)
	if err != nil {
		return nil, g.end(ctx, err)
	}
	return &guardedCursor{Cursor: cur, g: g, ctx: ctx}, nil
}

// end releases the statement's savepoint, or rolls back to it after err.
func (g guarded) end(ctx context.Context, err error) error {
	ctx = context.WithoutCancel(ctx)
	if err != nil {
		_, _ = g.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT "+guardSavepoint, nil)
		return err
	}
	_, err = g.tx.Exec(ctx, "RELEASE SAVEPOINT "+guardSavepoint, nil)
	return err
}

type guardedCursor struct {
	Cursor
	g      guarded
	ctx    context.Context
	closed bool
}

func (c *guardedCursor) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	err := c.Cursor.Close()
	if err == nil {
		err = c.Cursor.Err()
	}
	return c.g.end(c.ctx, err)
}
