package core

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
)

// IsolationLevel is a transaction isolation level.
type IsolationLevel int

// The isolation levels. SQLite transactions are always serializable, which
// satisfies every level asked for.
const (
	DefaultIsolation IsolationLevel = iota // the database's default
	ReadUncommitted
	ReadCommitted
	RepeatableRead
	Serializable
)

// TxOptions are the settings of an outermost transaction.
type TxOptions struct {
	Isolation IsolationLevel
	ReadOnly  bool
	retry     *retryPolicy // Retry, for Transaction only
}

// TxOption sets a TxOptions field; see WithIsolation and ReadOnly.
type TxOption func(*TxOptions)

// WithIsolation asks for an isolation level.
func WithIsolation(level IsolationLevel) TxOption {
	return func(o *TxOptions) { o.Isolation = level }
}

// ReadOnly makes the transaction refuse writes.
func ReadOnly() TxOption { return func(o *TxOptions) { o.ReadOnly = true } }

// Tx is a transaction, or a savepoint inside one, begun by Database.Begin.
// Statements join it through the context Begin returned; Tx itself only ends
// it. A Tx is used by one goroutine at a time: hand its context to another
// goroutine only when the first is done with it.
type Tx struct {
	db        *Database
	run       Runner   // where its statements go
	real      TxRunner // the driver transaction; nil for a savepoint
	parent    *Tx
	savepoint string // "" for an outermost transaction
	release   func() // frees the force-rollback connection, if this holds it
	done      atomic.Bool
	wrote     atomic.Bool // a statement wrote (outermost only): see Database.wrote

	mu          sync.Mutex
	attachments map[any]any
	onEnd       []func(committed bool)
}

type txKey struct{ db *Database }

// txFrom returns the transaction of db that ctx carries, or nil.
func txFrom(ctx context.Context, db *Database) *Tx {
	t, _ := ctx.Value(txKey{db}).(*Tx)
	return t
}

// TxFrom returns the transaction (or savepoint) of db that ctx carries, or
// nil when it carries none. Packages built on core use it to keep state per
// unit of work (see Tx.Attachment and Tx.OnEnd).
func (db *Database) TxFrom(ctx context.Context) *Tx { return txFrom(ctx, db) }

// Parent returns the transaction a savepoint was made in, or nil for an
// outermost transaction.
func (t *Tx) Parent() *Tx { return t.parent }

// Done reports whether the transaction, or one it is nested in, has ended.
func (t *Tx) Done() bool { return t.isDone() }

// Attachment returns the value stored under key for this transaction (a
// savepoint has attachments of its own), storing the result of create first
// if there is none yet. Packages built on core keep per-transaction state
// here, such as the orm's identity map. Use an unexported key type.
func (t *Tx) Attachment(key any, create func() any) any {
	t.mu.Lock()
	defer t.mu.Unlock()
	if v, ok := t.attachments[key]; ok {
		return v
	}
	if t.attachments == nil {
		t.attachments = map[any]any{}
	}
	v := create()
	t.attachments[key] = v
	return v
}

// OnEnd registers fn to run once the transaction ends: committed is true
// when Commit succeeded (for a savepoint: was released into its enclosing
// transaction), false after a rollback or a failed commit. Functions run in
// the order they were registered, on the goroutine that ended the
// transaction.
func (t *Tx) OnEnd(fn func(committed bool)) {
	t.mu.Lock()
	t.onEnd = append(t.onEnd, fn)
	t.mu.Unlock()
}

// ended runs the OnEnd functions.
func (t *Tx) ended(committed bool) {
	t.mu.Lock()
	fns := t.onEnd
	t.onEnd = nil
	t.mu.Unlock()
	for _, fn := range fns {
		fn(committed)
	}
}

// InTransaction reports whether ctx carries an unfinished transaction of db.
func (db *Database) InTransaction(ctx context.Context) bool {
	t := txFrom(ctx, db)
	return t != nil && !t.isDone()
}

// isDone reports whether the transaction or any enclosing one has ended.
func (t *Tx) isDone() bool {
	for ; t != nil; t = t.parent {
		if t.done.Load() {
			return true
		}
	}
	return false
}

// Begin starts a transaction and returns a context that carries it: every
// statement made with that context runs inside the transaction. When ctx
// already carries a transaction of db, Begin starts a savepoint in it
// instead, which Rollback undoes without touching the enclosing work; options
// apply only to an outermost transaction and are an error on a savepoint.
//
//	ctx, tx, err := db.Begin(ctx)
//	if err != nil { ... }
//	defer tx.Rollback(ctx) // does nothing after Commit
//	... db.Execute(ctx, ...) ...
//	return tx.Commit(ctx)
func (db *Database) Begin(ctx context.Context, opts ...TxOption) (context.Context, *Tx, error) {
	o := txOptions(opts)
	if o.retry != nil {
		return ctx, nil, fmt.Errorf("%w: Retry applies to Transaction, which can run the function again, not to Begin", ErrBadQuery)
	}
	return db.begin(ctx, o)
}

func txOptions(opts []TxOption) TxOptions {
	var o TxOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

func (db *Database) begin(ctx context.Context, o TxOptions) (context.Context, *Tx, error) {
	if db.closed.Load() {
		return ctx, nil, ErrClosed
	}
	if parent := txFrom(ctx, db); parent != nil {
		if parent.isDone() {
			return ctx, nil, ErrTxDone
		}
		if o != (TxOptions{}) {
			return ctx, nil, fmt.Errorf("%w: isolation and read-only options apply to the outermost transaction, not to a nested one", ErrBadQuery)
		}
		hctx, t, err := db.savepoint(ctx, parent, parent.run)
		if err != nil {
			return ctx, nil, err
		}
		return context.WithValue(hctx, txKey{db}, t), t, nil
	}
	var t *Tx
	hctx := ctx
	if db.forced != nil {
		// Inside the force-rollback transaction a transaction is a savepoint
		// that keeps the connection to itself until it ends.
		if err := db.forced.lock(ctx); err != nil {
			return ctx, nil, err
		}
		var err error
		if hctx, t, err = db.savepoint(ctx, nil, db.forced.tx); err != nil {
			db.forced.unlock()
			return ctx, nil, err
		}
		t.release = db.forced.unlock
	} else {
		begin := db.pool.Begin
		if p := connFrom(ctx, db); p != nil {
			if p.done {
				return ctx, nil, ErrConnDone
			}
			begin = p.conn.Begin
		}
		t = &Tx{db: db}
		var err error
		hctx, err = t.control(ctx, BeginStatement, "BEGIN", func(ctx context.Context) error {
			real, err := begin(ctx, o)
			t.run, t.real = real, real
			return err
		})
		if err != nil {
			return ctx, nil, err
		}
	}
	return context.WithValue(hctx, txKey{db}, t), t, nil
}

// savepoint opens a savepoint on run. Names are unique per Database: MySQL
// replaces, rather than stacks, a savepoint whose name is already in use.
// It returns the context the hooks gave the SAVEPOINT statement.
func (db *Database) savepoint(ctx context.Context, parent *Tx, run Runner) (context.Context, *Tx, error) {
	name := "atomdb_sp_" + strconv.FormatInt(db.savepoints.Add(1), 10)
	t := &Tx{db: db, run: run, parent: parent, savepoint: name}
	ctx, err := t.control(ctx, BeginStatement, "SAVEPOINT "+name, nil)
	if err != nil {
		return nil, nil, err
	}
	return ctx, t, nil
}

// control runs a transaction-control statement through the hooks: do, or
// when do is nil sql itself on the transaction's connection. It returns the
// context the hooks gave the statement.
func (t *Tx) control(ctx context.Context, kind StatementKind, sql string, do func(context.Context) error) (context.Context, error) {
	ctx, ev := t.db.before(ctx, kind, statement{sql: sql}, t)
	var err error
	if do != nil {
		err = do(ctx)
	} else {
		_, err = t.run.Exec(ctx, sql, nil)
	}
	err = wrapError(err, sql)
	t.db.after(ctx, ev, 0, err)
	return ctx, err
}

// Commit makes the transaction's work permanent (for a savepoint: part of the
// enclosing transaction). After Commit or Rollback every statement made with
// the transaction's context returns ErrTxDone.
func (t *Tx) Commit(ctx context.Context) error {
	if t.isDone() {
		return ErrTxDone
	}
	t.done.Store(true)
	defer t.free()
	var err error
	if t.savepoint != "" {
		_, err = t.control(ctx, CommitStatement, "RELEASE SAVEPOINT "+t.savepoint, nil)
	} else {
		// A COMMIT that got no answer is ErrCommitUnknown (see commitError);
		// it may have committed, so a session counts it as a write.
		_, err = t.control(ctx, CommitStatement, "COMMIT", func(ctx context.Context) error { return commitError(t.real.Commit(ctx)) })
		if (err == nil || errors.Is(err, ErrCommitUnknown)) && t.wrote.Load() {
			t.db.recordWrite(ctx)
		}
	}
	t.ended(err == nil)
	return err
}

// Rollback undoes the transaction's work (for a savepoint: only the work done
// since it began). Rollback after Commit or Rollback returns ErrTxDone, so it
// can be deferred. It runs even when ctx is already cancelled.
func (t *Tx) Rollback(ctx context.Context) error {
	if t.isDone() {
		return ErrTxDone
	}
	t.done.Store(true)
	defer t.free()
	defer t.ended(false)
	ctx = context.WithoutCancel(ctx)
	if t.savepoint != "" {
		if _, err := t.control(ctx, RollbackStatement, "ROLLBACK TO SAVEPOINT "+t.savepoint, nil); err != nil {
			return err
		}
		_, err := t.control(ctx, RollbackStatement, "RELEASE SAVEPOINT "+t.savepoint, nil)
		return err
	}
	_, err := t.control(ctx, RollbackStatement, "ROLLBACK", t.real.Rollback)
	return err
}

func (t *Tx) free() {
	if t.release != nil {
		t.release()
		t.release = nil
	}
}

// Transaction runs fn in a transaction carried by the context fn receives:
// it commits when fn returns nil, and rolls back when fn returns an error
// (which Transaction returns), panics (and the panic goes on) or ends its
// goroutine with runtime.Goexit (as t.Fatal does). Called with a context that
// already carries a transaction of db, it makes a savepoint, so a failing
// inner Transaction undoes only its own part. With Retry, fn runs again
// when the transaction fails in a way that running it again may fix (see
// Retry); a COMMIT whose outcome is unknown returns ErrCommitUnknown.
func (db *Database) Transaction(ctx context.Context, fn func(ctx context.Context) error, opts ...TxOption) error {
	o := txOptions(opts)
	if o.retry != nil {
		return db.retryTransaction(ctx, fn, o)
	}
	return db.transaction(ctx, fn, o)
}

// transaction runs fn in one transaction.
func (db *Database) transaction(ctx context.Context, fn func(ctx context.Context) error, o TxOptions) error {
	ctx, tx, err := db.begin(ctx, o)
	if err != nil {
		return err
	}
	returned := false
	defer func() {
		if returned {
			return
		}
		// fn panicked (p != nil) or called runtime.Goexit (p == nil): either
		// way the transaction must not stay open.
		p := recover()
		_ = tx.Rollback(ctx)
		if p != nil {
			panic(p)
		}
	}()
	ferr := fn(ctx)
	returned = true
	if ferr != nil {
		if rerr := tx.Rollback(ctx); rerr != nil && rerr != ErrTxDone {
			return fmt.Errorf("%w (and the rollback failed: %v)", ferr, rerr)
		}
		return ferr
	}
	return tx.Commit(ctx)
}
