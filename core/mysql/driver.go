package mysql

import (
	"context"
	"errors"

	"github.com/go-sql-driver/mysql"

	"github.com/atomdb/atomdb/core"
)

func init() { core.Register("mysql", driver{}) }

// driver is the core.Driver for mysql:// URLs.
type driver struct{}

func (driver) Open(ctx context.Context, u *core.URL, cfg core.PoolConfig) (core.Pool, error) {
	return openMySQL(ctx, u, cfg)
}

// Classify maps a MySQL or MariaDB error to its kind by error number.
func (driver) Classify(err error) error {
	if errors.Is(err, mysql.ErrInvalidConn) {
		return core.ErrConnectionLost
	}
	var myErr *mysql.MySQLError
	if !errors.As(err, &myErr) {
		return nil
	}
	switch myErr.Number {
	case 1062, 1586: // ER_DUP_ENTRY, ER_DUP_ENTRY_WITH_KEY_NAME
		return core.ErrUniqueViolation
	case 1216, 1217, 1451, 1452: // ER_NO_REFERENCED_ROW(_2), ER_ROW_IS_REFERENCED(_2)
		return core.ErrForeignKeyViolation
	case 1048, 1364: // ER_BAD_NULL_ERROR, ER_NO_DEFAULT_FOR_FIELD
		return core.ErrNotNullViolation
	case 3819, 4025: // MySQL ER_CHECK_CONSTRAINT_VIOLATED, MariaDB ER_CONSTRAINT_FAILED
		return core.ErrCheckViolation
	case 1213: // ER_LOCK_DEADLOCK; also a Galera certification conflict
		return core.ErrDeadlock
	case 1205: // ER_LOCK_WAIT_TIMEOUT
		return core.ErrLockTimeout
	case 1053, 1927: // ER_SERVER_SHUTDOWN, ER_CONNECTION_KILLED
		return core.ErrConnectionLost
	case 1047: // ER_UNKNOWN_COM_ERROR: a Galera node outside the primary component ("WSREP has not yet prepared node for application use")
		return core.ErrConnectionLost
	}
	return nil
}
