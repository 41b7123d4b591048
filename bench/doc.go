// Package bench measures atomdb against the raw drivers it sits on (pgx,
// database/sql with go-sql-driver/mysql and mattn/go-sqlite3), so that the
// overhead of each layer is known and kept within DESIGN.md's performance
// budget.
//
// It is a module of its own (see go.mod) so that benchmark-only dependencies
// never reach atomdb's go.mod. Everything lives in _test.go files; run it
// with go test -bench (see README.md).
package bench
