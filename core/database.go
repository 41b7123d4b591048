package core

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Database is a pool of connections to one database, safe for concurrent use.
// Open it once at start-up and share it. Every statement method takes the
// context first: a context that carries a transaction of this Database (see
// Transaction and Begin) runs the statement inside it.
type Database struct {
	url     *URL
	dialect *Dialect
	pool    Pool
	hooks   []QueryHook // see WithHooks
	forced  *forcedTx   // with WithForceRollback: the transaction everything runs in
	// replicas are the read replicas (WithReplicas), or nil.
	replicas *replicaSet
	closed   atomic.Bool
	// savepoints numbers savepoint names.
	savepoints atomic.Int64
	// attachments holds state that packages built on core keep per Database.
	attachments sync.Map
	attachMu    sync.Mutex
}

// Option configures Open.
type Option func(*options)

type options struct {
	maxConns, minConns int
	connMaxLifetime    time.Duration
	forceRollback      bool
	hooks              []func(*URL) QueryHook
	replica            replicaOptions
}

// WithMaxConns bounds the pool (the URL's max_size).
func WithMaxConns(n int) Option { return func(o *options) { o.maxConns = n } }

// WithMinConns sets how many connections the pool keeps (the URL's min_size):
// opened in advance on PostgreSQL, kept idle on MySQL and SQLite.
func WithMinConns(n int) Option { return func(o *options) { o.minConns = n } }

// WithConnMaxLifetime closes connections older than d (the URL's pool_recycle).
func WithConnMaxLifetime(d time.Duration) Option {
	return func(o *options) { o.connMaxLifetime = d }
}

// WithForceRollback runs the whole Database inside one transaction that is
// rolled back by Close, so a test can write freely and leave nothing behind
// (encode/databases' force_rollback). All statements then share one
// connection: they are serialised, a Transaction becomes a savepoint and
// holds that connection until it ends, and isolation options are ignored.
func WithForceRollback() Option { return func(o *options) { o.forceRollback = true } }

// Open parses rawURL (see URL), connects, and checks the connection. Options
// given here override the URL's. The backend package of the URL's scheme
// must be imported (core/postgres, core/mysql, core/sqlite, or core/all for
// the three); otherwise Open returns ErrNoDriver naming it.
func Open(ctx context.Context, rawURL string, opts ...Option) (*Database, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return OpenURL(ctx, u, opts...)
}

// OpenURL is Open for an already parsed URL.
func OpenURL(ctx context.Context, u *URL, opts ...Option) (*Database, error) {
	o := &options{maxConns: u.intOption("max_size"), minConns: u.intOption("min_size")}
	o.connMaxLifetime, _ = u.poolRecycle() // validated by ParseURL
	for _, opt := range opts {
		opt(o)
	}
	if o.maxConns > 0 && o.minConns > o.maxConns {
		return nil, fmt.Errorf("%w: min_size %d is above max_size %d", ErrBadURL, o.minConns, o.maxConns)
	}
	drv, err := driverFor(u)
	if err != nil {
		return nil, err
	}
	replicas, err := newReplicaSet(u, o)
	if err != nil {
		return nil, err
	}
	db := &Database{url: u, dialect: u.Dialect(), hooks: o.newHooks(u), replicas: replicas}
	cfg := PoolConfig{MaxConns: o.maxConns, MinConns: o.minConns, MaxLifetime: o.connMaxLifetime}
	db.pool, err = drv.Open(ctx, u, cfg)
	if err != nil {
		return nil, err
	}
	if replicas != nil {
		replicas.start(ctx, drv, cfg)
	}
	if o.forceRollback {
		tx, err := db.pool.Begin(ctx, TxOptions{})
		if err != nil {
			_ = db.pool.Close()
			return nil, fmt.Errorf("core: force rollback: begin: %w", err)
		}
		db.forced = newForcedTx(tx)
	}
	return db, nil
}

// Attachment returns the value stored under key for this Database, storing
// the result of create first if there is none yet (create runs at most once
// per key). Packages built on core keep per-database state here, such as
// the orm's identity map, so that it lives and dies with the Database. Use
// an unexported key type, as with context values.
func (db *Database) Attachment(key any, create func() any) any {
	if v, ok := db.attachments.Load(key); ok {
		return v
	}
	db.attachMu.Lock()
	defer db.attachMu.Unlock()
	if v, ok := db.attachments.Load(key); ok {
		return v
	}
	v := create()
	db.attachments.Store(key, v)
	return v
}

// Dialect returns the database's SQL dialect.
func (db *Database) Dialect() *Dialect { return db.dialect }

// URL returns the parsed URL the database was opened with.
func (db *Database) URL() *URL { return db.url }

// String returns the URL with the password masked.
func (db *Database) String() string { return db.url.String() }

// Close rolls back the force-rollback transaction, if any, and closes the
// pool. Statements after Close return ErrClosed.
func (db *Database) Close() error {
	if db.closed.Swap(true) {
		return nil
	}
	var err error
	if db.forced != nil {
		err = db.forced.rollback()
	}
	if db.replicas != nil {
		if rerr := db.replicas.close(); rerr != nil && err == nil {
			err = rerr
		}
	}
	if cerr := db.pool.Close(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}

// Using returns db itself for the name "default" or "", so that a single
// Database can stand wherever a Resolver is expected.
func (db *Database) Using(name string) (*Database, error) {
	if name == "" || name == DefaultName {
		return db, nil
	}
	return nil, fmt.Errorf("%w: %q (a single Database has only %q)", ErrUnknownDatabase, name, DefaultName)
}

// runnerFor returns where a statement made with ctx runs, and what to call
// when the statement (or its cursor) is finished.
func (db *Database) runnerFor(ctx context.Context) (Runner, func(), error) {
	if db.closed.Load() {
		return nil, nil, ErrClosed
	}
	if t := txFrom(ctx, db); t != nil {
		if t.isDone() {
			return nil, nil, ErrTxDone
		}
		return t.run, noop, nil
	}
	if p := connFrom(ctx, db); p != nil {
		if p.done {
			return nil, nil, ErrConnDone
		}
		return p.conn, noop, nil
	}
	if db.forced != nil {
		if err := db.forced.lock(ctx); err != nil {
			return nil, nil, err
		}
		if db.dialect == Postgres {
			return guarded{db.forced.tx}, db.forced.unlock, nil
		}
		return db.forced.tx, db.forced.unlock, nil
	}
	return db.pool, noop, nil
}

func noop() {}

// forcedTx is the one transaction a force-rollback Database runs in, with a
// lock that lets one statement (or one Transaction) use it at a time.
type forcedTx struct {
	tx  TxRunner
	sem chan struct{}
}

func newForcedTx(tx TxRunner) *forcedTx {
	return &forcedTx{tx: tx, sem: make(chan struct{}, 1)}
}

func (f *forcedTx) lock(ctx context.Context) error {
	select {
	case f.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *forcedTx) unlock() { <-f.sem }

// rollback ends the force-rollback transaction. It waits for the statement
// or Transaction in progress, but not for ever: a Transaction that was begun
// and never ended must not make Close hang.
func (f *forcedTx) rollback() error {
	select {
	case f.sem <- struct{}{}:
		defer f.unlock()
	case <-time.After(forcedCloseWait):
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return f.tx.Rollback(ctx)
}

// forcedCloseWait is how long Close waits for work in progress under
// WithForceRollback before it rolls back regardless.
const forcedCloseWait = 10 * time.Second
