package core

import (
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// Errors about configuration and use.
var (
	// ErrUnknownScheme is returned by ParseURL and Open for a URL scheme
	// that names no supported database.
	ErrUnknownScheme = errors.New("core: unknown database URL scheme")
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

// classify maps a driver error to one of the kinds, or nil.
func classify(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return ErrUniqueViolation
		case "23503":
			return ErrForeignKeyViolation
		case "23502":
			return ErrNotNullViolation
		case "23514":
			return ErrCheckViolation
		case "40001":
			return ErrSerialization
		case "40P01":
			return ErrDeadlock
		}
		return nil
	}
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		switch myErr.Number {
		case 1062, 1586: // ER_DUP_ENTRY, ER_DUP_ENTRY_WITH_KEY_NAME
			return ErrUniqueViolation
		case 1216, 1217, 1451, 1452: // ER_NO_REFERENCED_ROW(_2), ER_ROW_IS_REFERENCED(_2)
			return ErrForeignKeyViolation
		case 1048, 1364: // ER_BAD_NULL_ERROR, ER_NO_DEFAULT_FOR_FIELD
			return ErrNotNullViolation
		case 3819, 4025: // MySQL ER_CHECK_CONSTRAINT_VIOLATED, MariaDB ER_CONSTRAINT_FAILED
			return ErrCheckViolation
		case 1213: // ER_LOCK_DEADLOCK
			return ErrDeadlock
		}
		return nil
	}
	var liteErr sqlite3.Error
	if errors.As(err, &liteErr) {
		switch liteErr.ExtendedCode {
		case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey:
			return ErrUniqueViolation
		case sqlite3.ErrConstraintForeignKey:
			return ErrForeignKeyViolation
		case sqlite3.ErrConstraintNotNull:
			return ErrNotNullViolation
		case sqlite3.ErrConstraintCheck:
			return ErrCheckViolation
		}
	}
	return nil
}
