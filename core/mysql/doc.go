// Package mysql is atomdb's MySQL and MariaDB backend, on
// go-sql-driver/mysql. Import it for its side effect, which registers the
// mysql:// and mariadb:// URL schemes with core.Open:
//
//	import (
//		"github.com/atomdb/atomdb/core"
//		_ "github.com/atomdb/atomdb/core/mysql"
//	)
//
//	db, err := core.Open(ctx, "mysql://app:secret@localhost:3306/app")
//
// A program that imports only this backend links neither pgx nor cgo's
// SQLite, and builds with CGO_ENABLED=0.
//
// Times are read and written in UTC, UPDATE reports matched rows as the other
// backends do, and values are normalised per column type to the Go types
// core.Row documents. Errors are classified by error number (1062 is
// core.ErrUniqueViolation, 1213 core.ErrDeadlock, ...); the driver's
// *mysql.MySQLError stays reachable with errors.As.
//
// For a multi-primary cluster (MariaDB Galera), the URL option
// failover=host:port,host:port lists the servers a new connection tries,
// in order, when the URL's own host does not answer; session variables
// such as wsrep_sync_wait=1 (causal reads) go in the URL too.
package mysql
