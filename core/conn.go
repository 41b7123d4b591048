package core

import (
	"context"
	"database/sql"

	"github.com/jackc/pgx/v5/pgxpool"
)

// pinned is one connection taken out of the pool.
type pinned interface {
	runner
	begin(ctx context.Context, opts TxOptions) (txRunner, error)
	release()
}

type connKey struct{ db *Database }

// pinnedConn is the connection a context made by Conn carries.
type pinnedConn struct {
	conn pinned
	done bool
}

// Conn runs fn with a context that pins one connection of the pool: every
// statement made with that context, and every transaction begun with it,
// runs on that same connection, which goes back to the pool when fn
// returns. It is for session state that must outlive a transaction or come
// before one: an advisory lock held across several transactions, a session
// variable, SQLite's PRAGMA foreign_keys (which has no effect inside a
// transaction). Leave the session as you found it: the connection is reused.
//
// Inside a transaction (ctx carries one) or with WithForceRollback, all
// statements already share one connection, and fn runs with ctx as it is.
func (db *Database) Conn(ctx context.Context, fn func(ctx context.Context) error) error {
	if db.closed.Load() {
		return ErrClosed
	}
	if db.forced != nil || txFrom(ctx, db) != nil || connFrom(ctx, db) != nil {
		return fn(ctx)
	}
	c, err := db.be.acquire(ctx)
	if err != nil {
		return wrapError(err, "")
	}
	p := &pinnedConn{conn: c}
	defer func() {
		p.done = true
		c.release()
	}()
	return fn(context.WithValue(ctx, connKey{db}, p))
}

func connFrom(ctx context.Context, db *Database) *pinnedConn {
	p, _ := ctx.Value(connKey{db}).(*pinnedConn)
	return p
}

// Pinned reports whether ctx pins a connection of db (see Conn).
func (db *Database) Pinned(ctx context.Context) bool {
	p := connFrom(ctx, db)
	return p != nil && !p.done
}

func (b *pgBackend) acquire(ctx context.Context) (pinned, error) {
	c, err := b.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	return pgConn{c}, nil
}

type pgConn struct{ c *pgxpool.Conn }

func (p pgConn) exec(ctx context.Context, sql string, args []any) (Result, error) {
	return pgExec(ctx, p.c, sql, args)
}

func (p pgConn) query(ctx context.Context, sql string, args []any) (cursor, error) {
	return pgQuery(ctx, p.c, sql, args)
}

func (p pgConn) begin(ctx context.Context, o TxOptions) (txRunner, error) {
	tx, err := p.c.BeginTx(ctx, pgTxOptions(o))
	if err != nil {
		return nil, err
	}
	return &pgTx{tx: tx}, nil
}

func (p pgConn) release() { p.c.Release() }

func (b *sqlBackend) acquire(ctx context.Context) (pinned, error) {
	c, err := b.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &sqlConn{c: c, dialect: b.dialect}, nil
}

type sqlConn struct {
	c       *sql.Conn
	dialect *Dialect
}

func (s *sqlConn) exec(ctx context.Context, query string, args []any) (Result, error) {
	return sqlExec(ctx, s.c, query, utcArgs(s.dialect, args))
}

func (s *sqlConn) query(ctx context.Context, query string, args []any) (cursor, error) {
	return sqlQuery(ctx, s.c, s.dialect, query, utcArgs(s.dialect, args))
}

func (s *sqlConn) begin(ctx context.Context, o TxOptions) (txRunner, error) {
	return sqlBegin(ctx, s.c, s.dialect, o)
}

func (s *sqlConn) release() { _ = s.c.Close() }
