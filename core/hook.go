package core

import (
	"context"
	"strings"
	"time"
)

// QueryHook observes every statement a Database sends, transaction control
// included: BeforeQuery is called just before the statement goes to the
// driver, AfterQuery once it is finished. Both run on the calling goroutine
// and must be safe for concurrent use. WithLogger and WithTracerProvider are
// hooks of this kind; WithHooks adds your own.
//
// BeforeQuery returns the context the statement runs with: it is handed to
// the driver and to AfterQuery, so a hook can carry something from one to
// the other in it (a span, a start time). For a BeginStatement it is also
// the context the new transaction carries, which every statement made inside
// it descends from. Return ctx itself when there is nothing to add.
//
// Several hooks run in the order they were given to Open; their AfterQuery
// methods in the reverse order, so that the first hook wraps all the others.
// A hook sees the same *QueryEvent in both calls and may keep nothing of it
// after AfterQuery returns.
//
// Under WithForceRollback the enclosing transaction itself, and on
// PostgreSQL the savepoint that guards each statement made outside a
// Transaction, are not reported; a Transaction there is a SAVEPOINT.
type QueryHook interface {
	BeforeQuery(ctx context.Context, e *QueryEvent) context.Context
	AfterQuery(ctx context.Context, e *QueryEvent)
}

// StatementKind tells what a statement is, for QueryEvent.
type StatementKind uint8

// The kinds of statement.
const (
	// ExecStatement returns no rows: Execute, ExecuteMany, DDL.
	ExecStatement StatementKind = iota + 1
	// QueryStatement returns rows: FetchAll, FetchOne, FetchVal, Iterate, Query.
	QueryStatement
	// BeginStatement opens a transaction (BEGIN) or a savepoint (SAVEPOINT name).
	BeginStatement
	// CommitStatement ends one: COMMIT, or RELEASE SAVEPOINT name.
	CommitStatement
	// RollbackStatement undoes one: ROLLBACK, or ROLLBACK TO SAVEPOINT name
	// followed by RELEASE SAVEPOINT name (two statements).
	RollbackStatement
)

var kindNames = [...]string{"", "exec", "query", "begin", "commit", "rollback"}

// String returns exec, query, begin, commit or rollback.
func (k StatementKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// QueryEvent describes one statement to the hooks. The fields above the
// blank line are set for BeforeQuery; the ones below it for AfterQuery.
type QueryEvent struct {
	Kind StatementKind
	// Operation is the statement's first keyword in upper case (SELECT,
	// INSERT, WITH, CREATE, ...); BEGIN, COMMIT, ROLLBACK, SAVEPOINT or
	// RELEASE for transaction control.
	Operation string
	// SQL is the statement's text, with placeholders where its values go.
	// For BEGIN, COMMIT and ROLLBACK it names what the driver does (pgx and
	// database/sql begin a transaction with options of their own).
	SQL string
	// Args are the bound values. They may be secrets: log them only on
	// purpose (see LogValues).
	Args []any
	// Tx is the transaction or savepoint the statement runs in, or for a
	// BeginStatement the one it opens; nil outside a transaction. A hook may
	// keep state per transaction with Tx.Attachment and Tx.OnEnd.
	Tx *Tx
	// Start is when the statement was about to be sent.
	Start time.Time
	// Replica is the number of the read replica that runs the statement (1
	// for the first one given, in the order of ReplicaStats), or 0 for the
	// primary.
	Replica int

	// Duration runs from Start until the statement finished: for a
	// QueryStatement, until its result was closed (for Iterate, that
	// includes the time the loop's body took).
	Duration time.Duration
	// RowsAffected is what an ExecStatement reports (see Result).
	RowsAffected int64
	// RowsReturned is the number of rows a QueryStatement's result yielded
	// before it was closed: all of them for FetchAll, at most one for
	// FetchOne and FetchVal, up to where the loop stopped for Iterate.
	RowsReturned int64
	// Err is the statement's error (an *Error for a driver's error), nil on
	// success.
	Err error
}

// WithHooks adds hooks that see every statement the Database sends; see
// QueryHook. Hooks given by several options all run, in the options' order.
func WithHooks(hooks ...QueryHook) Option {
	return func(o *options) {
		for _, h := range hooks {
			if h != nil {
				o.hooks = append(o.hooks, func(*URL) QueryHook { return h })
			}
		}
	}
}

// WithQueryHook calls hook after every statement the Database sends, with
// its SQL and outcome, transaction control included (BEGIN, COMMIT,
// ROLLBACK, SAVEPOINT, RELEASE SAVEPOINT): for counting statements in
// tests, or simple logging. It is an after-only QueryHook; see WithHooks for
// a hook that also runs before each statement.
func WithQueryHook(hook func(ctx context.Context, e QueryEvent)) Option {
	if hook == nil {
		return func(*options) {}
	}
	return WithHooks(afterFunc(hook))
}

type afterFunc func(context.Context, QueryEvent)

func (f afterFunc) BeforeQuery(ctx context.Context, _ *QueryEvent) context.Context { return ctx }
func (f afterFunc) AfterQuery(ctx context.Context, e *QueryEvent)                  { f(ctx, *e) }

// newHooks makes the hooks the options asked for, for a Database at u.
func (o *options) newHooks(u *URL) []QueryHook {
	if len(o.hooks) == 0 {
		return nil
	}
	hooks := make([]QueryHook, len(o.hooks))
	for i, make := range o.hooks {
		hooks[i] = make(u)
	}
	return hooks
}

// before tells the hooks that st is about to run and returns the context it
// runs with, and the event to hand to after (nil when there are no hooks).
func (db *Database) before(ctx context.Context, kind StatementKind, st statement, tx *Tx) (context.Context, *QueryEvent) {
	hooks := db.hooksFor(st.replica)
	if len(hooks) == 0 {
		return ctx, nil
	}
	if tx == nil && kind < BeginStatement {
		tx = txFrom(ctx, db)
	}
	e := &QueryEvent{Kind: kind, Operation: operation(st.sql), SQL: st.sql, Args: st.args, Tx: tx, Start: now(),
		Replica: st.replica}
	for _, h := range hooks {
		if c := h.BeforeQuery(ctx, e); c != nil { // a careless hook's nil keeps ctx
			ctx = c
		}
	}
	return ctx, e
}

// after tells the hooks that the statement of e finished with rows (affected
// or returned, by e.Kind) and err.
func (db *Database) after(ctx context.Context, e *QueryEvent, rows int64, err error) {
	if e == nil {
		return
	}
	e.Duration = now().Sub(e.Start)
	if e.Kind == QueryStatement {
		e.RowsReturned = rows
	} else {
		e.RowsAffected = rows
	}
	e.Err = err
	hooks := db.hooksFor(e.Replica)
	for i := len(hooks) - 1; i >= 0; i-- {
		hooks[i].AfterQuery(ctx, e)
	}
}

// hooksFor returns the hooks of the primary (replica 0) or of a replica by
// its QueryEvent.Replica number.
func (db *Database) hooksFor(replica int) []QueryHook {
	if replica > 0 {
		return db.replicas.list[replica-1].hooks
	}
	return db.hooks
}

// operation returns the first keyword of sql in upper case, after any
// blanks, parentheses and comments.
func operation(sql string) string {
	i := 0
	for i < len(sql) {
		switch c := sql[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(':
			i++
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return ""
			}
			i += 2 + end + 2
		default:
			j := i
			for j < len(sql) && isLetter(sql[j]) {
				j++
			}
			return strings.ToUpper(sql[i:j])
		}
	}
	return ""
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
