package core

import (
	"errors"
	"fmt"
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
	// retrying the whole transaction may succeed.
	ErrDeadlock = errors.New("deadlock detected")
)

// Error is a failed statement: the driver's error, its classified Kind (nil
// when it fits none of the kinds above) and the SQL that failed. Values are
// never part of it.
type Error struct {
	Kind error
	SQL  string
	Err  error
}

func (e *Error) Error() string {
	if e.Kind != nil {
		return fmt.Sprintf("core: %v: %v", e.Kind, e.Err)
	}
	return "core: " + e.Err.Error()
}

// Unwrap returns the driver's error.
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
	return &Error{Kind: classify(err), SQL: sql, Err: err}
}
