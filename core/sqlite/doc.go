// Package sqlite is atomdb's SQLite backend, on mattn/go-sqlite3 (compiled
// in through cgo). Import it for its side effect, which registers the
// sqlite:// and sqlite3:// URL schemes with core.Open:
//
//	import (
//		"github.com/atomdb/atomdb/core"
//		_ "github.com/atomdb/atomdb/core/sqlite"
//	)
//
//	db, err := core.Open(ctx, "sqlite:///app.db") // or sqlite://:memory:
//
// This is the only atomdb package that imports go-sqlite3, so only programs
// that import it need cgo and a C compiler.
//
// Connections have foreign keys enforced, a busy timeout, BEGIN IMMEDIATE
// transactions and (for files) WAL; a REGEXP function and Unicode-aware
// lower and upper are registered on each. Errors are classified by extended
// result code (SQLITE_CONSTRAINT_UNIQUE is core.ErrUniqueViolation, ...);
// the driver's sqlite3.Error stays reachable with errors.As.
package sqlite
