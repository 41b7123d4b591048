package sqlite

import (
	"context"
	"errors"

	"github.com/mattn/go-sqlite3"

	"github.com/atomdb/atomdb/core"
)

func init() { core.Register("sqlite", driver{}) }

// driver is the core.Driver for sqlite:// URLs.
type driver struct{}

func (driver) Open(ctx context.Context, u *core.URL, cfg core.PoolConfig) (core.Pool, error) {
	return openSQLite(ctx, u, cfg)
}

// Classify maps a SQLite error to its kind by extended result code.
func (driver) Classify(err error) error {
	var liteErr sqlite3.Error
	if !errors.As(err, &liteErr) {
		return nil
	}
	switch liteErr.ExtendedCode {
	case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey:
		return core.ErrUniqueViolation
	case sqlite3.ErrConstraintForeignKey:
		return core.ErrForeignKeyViolation
	case sqlite3.ErrConstraintNotNull:
		return core.ErrNotNullViolation
	case sqlite3.ErrConstraintCheck:
		return core.ErrCheckViolation
	case sqlite3.ErrBusySnapshot:
		// A deferred transaction that read a snapshot another connection
		// has since written over tried to write (WAL mode): the analogue
		// of a serialization failure, and retrying the whole transaction
		// is what SQLite's documentation prescribes.
		return core.ErrSerialization
	}
	if liteErr.Code == sqlite3.ErrBusy {
		// The busy timeout ran out waiting for another connection's write
		// lock (or SQLite refused to wait, to avoid a deadlock between
		// two deferred transactions upgrading their locks).
		return core.ErrLockTimeout
	}
	return nil
}
