// Package all imports every atomdb SQL backend for its side effect, so that
// core.Open takes postgres://, mysql:// and sqlite:// URLs alike:
//
//	import _ "github.com/atomdb/atomdb/core/all"
//
// It brings pgx, go-sql-driver/mysql and cgo's go-sqlite3 into the program.
// A service on one database imports only its backend instead
// (core/postgres, core/mysql or core/sqlite) and links only that driver.
package all

import (
	// The three backends, each registering its URL schemes with core.
	_ "github.com/atomdb/atomdb/core/mysql"
	_ "github.com/atomdb/atomdb/core/postgres"
	_ "github.com/atomdb/atomdb/core/sqlite"
)
