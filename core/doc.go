// Package core is atomdb's engine: connections, statements, transactions and
// schema metadata for PostgreSQL, MySQL/MariaDB and SQLite, in the role
// encode/databases and SQLAlchemy Core's engine play in Python. goqu builds
// the SQL; core runs it.
//
// # Connecting
//
// Open takes a URL (see URL for the schemes and options) and returns a
// *Database, a pool safe for concurrent use. core itself links no driver:
// each backend is a package of its own that registers its URL schemes when
// imported, so a program links only the drivers it uses:
//
//	import _ "github.com/atomdb/atomdb/core/postgres" // pgx's native pool
//	import _ "github.com/atomdb/atomdb/core/mysql"    // go-sql-driver/mysql, MySQL and MariaDB
//	import _ "github.com/atomdb/atomdb/core/sqlite"   // mattn/go-sqlite3 (cgo)
//	import _ "github.com/atomdb/atomdb/core/all"      // all three
//
//	db, err := core.Open(ctx, "postgres://app:secret@localhost:5432/app?max_size=20")
//	defer db.Close()
//
// Open with a URL whose backend is not imported returns ErrNoDriver, naming
// the package to import. SQLite connections have foreign keys enforced, WAL,
// a busy timeout and a REGEXP function; sqlite://:memory: is one database
// for the whole *Database: its pool holds a single connection. Driver,
// Register and the interfaces beside them are the seam backends implement,
// as database/sql/driver is for database/sql; applications never call them.
//
// # Statements
//
// Execute, ExecuteMany, FetchAll, FetchOne, FetchVal and Iterate take a goqu
// dataset, always rendered in the database's dialect in prepared mode, or
// raw SQL with :name parameters and a Params value:
//
//	rows, err := db.FetchAll(ctx, goqu.From("notes").Where(goqu.C("completed").IsTrue()))
//	row, err := db.FetchOne(ctx, "SELECT * FROM notes WHERE id = :id", core.Params{"id": 1})
//
// Values from callers are always bound parameters, never SQL text. A Row
// keeps its columns in order, duplicates included, and holds the same Go
// types on every backend (see Row).
//
// # Identifiers
//
// Every table, column and label name atomdb writes goes through one writer:
// Dialect.QuoteIdent and Dialect.QuoteTable write SQL text, doubling the
// dialect's quote character; TableIdent, ColumnIdent and LabelIdent give the
// same names as goqu expressions, for names CheckIdent and CheckTable accept
// (goqu does not escape quote characters). A table name "schema.name" is
// schema-qualified everywhere, and Label shortens labels to
// MaxIdentifierLength bytes, deterministically.
//
// # Transactions
//
// A transaction travels in the context. Transaction commits when its
// function returns nil and rolls back on an error, a panic or
// runtime.Goexit; every statement
// made with the context it passes runs inside it, and a Transaction inside
// another is a savepoint:
//
//	err := db.Transaction(ctx, func(ctx context.Context) error {
//		if _, err := db.Execute(ctx, debit); err != nil {
//			return err // rolls back
//		}
//		_, err := db.Execute(ctx, credit)
//		return err
//	})
//
// Begin, Tx.Commit and Tx.Rollback are the low-level form; WithIsolation and
// ReadOnly set the outermost transaction's options. Goroutines that do not
// share the context never see each other's uncommitted rows.
//
// Retry(n, backoff) makes Transaction run its function again after a
// serialization failure, a deadlock (a Galera certification conflict too)
// or a connection lost before COMMIT; a COMMIT that got no answer is
// ErrCommitUnknown and never retried.
//
// Conn pins one connection for session state that outlives a transaction or
// comes before one (an advisory lock, SQLite's PRAGMA foreign_keys): the
// statements and transactions made with its context use that connection.
//
// # Tests
//
// WithForceRollback runs a whole Database inside one transaction that Close
// rolls back, so tests can share a database and leave nothing behind.
// WithQueryHook sees every statement, to count them.
//
// # Logging and tracing
//
// WithLogger logs each statement, transaction control included, to a
// log/slog logger: SQL with placeholders, duration, rows, error, never the
// bound values unless LogValues asks; LogLevel and LogSlowThreshold set the
// levels. WithTracerProvider makes OpenTelemetry spans, one per statement
// and one per transaction or savepoint, with the semantic conventions'
// database attributes. Both are QueryHooks, which WithHooks adds: each is
// called before and after every statement, BEGIN, COMMIT, ROLLBACK and
// savepoints included.
//
// # Errors
//
// Failed statements return an *Error whose Kind classifies the failure by
// SQLSTATE, MySQL error number or SQLite extended code: test for it with
// errors.Is(err, core.ErrUniqueViolation) (or ErrForeignKeyViolation,
// ErrNotNullViolation, ErrCheckViolation, all of them ErrIntegrity;
// ErrSerialization, ErrDeadlock), and reach the driver's error with errors.As.
//
// # Schema
//
// Table, Column, ForeignKey, Index, UniqueConstraint and CheckConstraint
// describe tables; MetaData holds a set of them with a naming convention for
// constraints and renders the DDL for each dialect (CreateSQL, DropSQL), or
// runs it (CreateAll, DropAll). It is also what migrations diff against.
// Table.Def and MetaData.Defs give each table with every constraint and
// index named (a TableDef, the form the migrate package diffs and writes
// DDL from), and ColumnSQL, DefaultSQL and ForeignKeyDef.SQL render the
// pieces an ALTER TABLE needs, exactly as CREATE TABLE writes them.
//
// # Several databases
//
// Databases holds named databases ("default", "other", ...); it and a single
// *Database both implement Resolver, which is how models find their database.
//
// # Read replicas
//
// WithReplicas (or the URL's replica options, one host[:port] each) opens
// read replicas beside the primary. The method that sends a statement
// decides where it runs, never its SQL text:
//
//   - FetchAll, FetchOne, FetchVal, Iterate and Query outside a transaction
//     run on a healthy replica, round robin;
//   - Execute and ExecuteMany run on the primary, whatever the SQL (an
//     INSERT ... RETURNING, a SELECT);
//   - a goqu insert, update, delete or truncate dataset, or a select with a
//     lock clause, runs on the primary through any method;
//   - everything in a transaction or a Conn, and everything made with a
//     context from UsePrimary, runs on the primary (the orm's ForUpdate
//     marks its context so);
//   - a read made with a session (WithSession) runs on the primary for the
//     read-your-writes window after the session's last write (see
//     WithReadYourWrites), or, with WithCausalReads on PostgreSQL, on a
//     replica only once it has replayed that write.
//
// A write counts for the session when it succeeds outside a transaction, or
// when the transaction it ran in commits; a statement made with UsePrimary
// counts as a write. Raw SQL that writes and returns rows must be sent with
// UsePrimary. Replicas are health-checked (WithReplicaHealthCheck); one that
// fails is skipped until it passes again, a read that fails to start on a
// replica which then fails its check runs again elsewhere (rows already
// streaming from a replica that dies end with its error), and with no
// healthy replica reads go to the primary. Stats reports each pool, and
// QueryEvent.Replica which one ran a statement.
package core
