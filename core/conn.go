package core

import "context"

type connKey struct{ db *Database }

// pinnedConn is the connection a context made by Conn carries.
type pinnedConn struct {
	conn PinnedConn
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
	c, err := db.pool.Acquire(ctx)
	if err != nil {
		return wrapError(err, "")
	}
	p := &pinnedConn{conn: c}
	defer func() {
		p.done = true
		c.Release()
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
