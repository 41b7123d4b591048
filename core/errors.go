package core

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
)

// Errors about configuration and use.
var (
	// ErrUnknownScheme is returned by ParseURL and Open for a URL scheme
	// that names no supported database.
	ErrUnknownScheme = errors.New("core: unknown database URL scheme")
	// ErrNoDriver is returned by Open for a URL whose backend package is not
	// imported; the message names the package to import.
	ErrNoDriver = errors.New("core: no driver registered")
	// ErrBadURL is returned for a malformed database URL or option.
	ErrBadURL = errors.New("core: malformed database URL")
	// ErrClosed is returned by statements run on a closed Database.
	ErrClosed = errors.New("core: database is closed")
	// ErrTxDone is returned when a transaction is used after its commit or rollback,
	// including through a context that still carries it.
	ErrTxDone = errors.New("core: transaction has already been committed or rolled back")
	// ErrConnDone is returned when the context of a Conn is used after its
	// function returned.
	ErrConnDone = errors.New("core: pinned connection has already been released")
	// ErrUnknownDatabase is returned by Databases.Using for a name it does not hold.
	ErrUnknownDatabase = errors.New("core: unknown database name")
	// ErrBadQuery is returned for a query or arguments the statement methods
	// cannot take: an unsupported query type, a missing :name value, etc.
	ErrBadQuery = errors.New("core: bad query")
)

// Kinds of database errors, classified from SQLSTATE (PostgreSQL), the error
// number (MySQL, MariaDB) or the extended result code (SQLite), never from the
// message text. Test them with errors.Is: a unique violation is also an
// ErrIntegrity. The driver's own error stays reachable with errors.As
// (*pgconn.PgError, *mysql.MySQLError, sqlite3.Error).
var (
	// ErrIntegrity is any integrity constraint violation.
	ErrIntegrity = errors.New("integrity constraint violation")
	// ErrUniqueViolation: a unique or primary-key constraint was violated.
	ErrUniqueViolation = errors.New("unique violation")
	// ErrForeignKeyViolation: a foreign-key constraint was violated.
	ErrForeignKeyViolation = errors.New("foreign-key violation")
	// ErrNotNullViolation: NULL was written to a NOT NULL column.
	ErrNotNullViolation = errors.New("not-null violation")
	// ErrCheckViolation: a check constraint was violated.
	ErrCheckViolation = errors.New("check violation")
	// ErrSerialization: a serializable transaction could not be serialized;
	// retrying the whole transaction may succeed.
	ErrSerialization = errors.New("serialization failure")
	// ErrDeadlock: the database broke a deadlock by failing this statement;
	// retrying the whole transaction may succeed. MariaDB Galera reports a
	// certification conflict (another node committed a write to the same
	// row first) this way too, at COMMIT.
	ErrDeadlock = errors.New("deadlock detected")
	// ErrLockTimeout: a lock was not granted in time (MySQL's
	// innodb_lock_wait_timeout, PostgreSQL's lock_timeout or NOWAIT,
	// SQLite's busy timeout running out).
	ErrLockTimeout = errors.New("lock wait timeout")
	// ErrConnectionLost: the connection broke (network, server shutdown,
	// connection killed) or the server could not serve it (a Galera node
	// outside the primary component). Inside a transaction, the work done
	// so far is lost, never committed; see ErrCommitUnknown for COMMIT.
	ErrConnectionLost = errors.New("connection lost")
)

// ErrCommitUnknown is returned by Commit (and Transaction) when COMMIT was
// sent but no answer came back: the connection broke or the context ended
// while the server was committing. The transaction may or may not have been
// committed; Transaction never retries it. The error wraps the cause. An
// application that must know reads back what the transaction wrote (a
// unique key it inserted, say) on a working connection.
var ErrCommitUnknown = errors.New("core: the outcome of COMMIT is unknown (the transaction may or may not have been committed)")

// Error is core's error: a failed statement, or a schema that cannot be
// created. It carries the kind of error (nil when a statement's failure
// fits none of the kinds above; ErrInvalidSchema for a schema problem), the
// table and column concerned when known, the SQL that failed, and the cause
// (the driver's error, or what is wrong with the schema). Values are never
// part of it. errors.Is matches the Kind, and ErrIntegrity for every
// integrity kind:
//
//	core: unique violation: ERROR: duplicate key value violates unique constraint "notes_pkey" (SQLSTATE 23505)
//	core: invalid schema: table "notes" column "title" - type String(0): size must be positive
type Error struct {
	Kind   error
	Table  string
	Column string
	SQL    string
	Err    error
}

// SchemaError is the name Error had for schema problems; they are Errors
// of kind ErrInvalidSchema.
type SchemaError = Error

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("core: ")
	if e.Kind != nil {
		b.WriteString(strings.TrimPrefix(e.Kind.Error(), "core: "))
		b.WriteString(": ")
	}
	if e.Table != "" {
		fmt.Fprintf(&b, "table %q ", e.Table)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, "column %q ", e.Column)
	}
	if e.Table != "" || e.Column != "" {
		b.WriteString("- ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return strings.TrimSuffix(b.String(), ": ")
}

// Unwrap returns the cause: the driver's error, or the schema problem.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the error's Kind, and ErrIntegrity for every integrity kind.
func (e *Error) Is(target error) bool {
	if e.Kind == nil {
		return false
	}
	if target == e.Kind {
		return true
	}
	return target == ErrIntegrity && isIntegrity(e.Kind)
}

func isIntegrity(kind error) bool {
	switch kind {
	case ErrUniqueViolation, ErrForeignKeyViolation, ErrNotNullViolation, ErrCheckViolation:
		return true
	}
	return false
}

// wrapError turns a driver error from running sql into an *Error. Context
// errors and our own errors pass through unchanged.
func wrapError(err error, sql string) error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) || errors.Is(err, ErrTxDone) || errors.Is(err, ErrClosed) || errors.Is(err, ErrConnDone) {
		return err
	}
	kind := classify(err)
	if kind == nil && connectionLost(err) {
		kind = ErrConnectionLost
	}
	return &Error{Kind: kind, SQL: sql, Err: err}
}

// connectionLost recognises the errors of a broken connection that every
// driver shares (the network's, database/sql's); each backend's Classify
// recognises its own.
func connectionLost(err error) bool {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false // the caller's doing, not the connection's
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, net.ErrClosed):
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}
