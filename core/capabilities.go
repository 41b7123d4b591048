package core

// Capabilities is what a backend can do, as data: the one description the
// rest of atomdb asks instead of comparing dialects (uptrace/bun's feature
// flags play this part there). Dialect.Caps returns it; the values of the
// three dialects are declared in dialect.go, beside the dialects, so that
// SQL can be rendered and migrations written for a backend whose driver the
// program does not link.
type Capabilities struct {
	// MaxParams is the largest number of bound parameters one statement may
	// carry; batched statements (bulk inserts, IN lists) stay under it.
	MaxParams int
	// MaxIdentLength is the longest identifier, in bytes, the backend keeps
	// whole (63 on PostgreSQL, which cuts longer ones; 64 on MySQL, which
	// refuses them); 0 for no limit (SQLite).
	MaxIdentLength int
	// NumberedPlaceholders: bound parameters are written $1, $2 ...
	// (PostgreSQL) rather than ?.
	NumberedPlaceholders bool
	// Returning: INSERT, UPDATE and DELETE take a RETURNING clause
	// (PostgreSQL; SQLite from 3.35). MySQL has none (MariaDB's is not
	// relied on, to keep MySQL and MariaDB one dialect).
	Returning bool
	// ILike: the backend has a case-insensitive ILIKE (PostgreSQL).
	ILike bool
	// Regexp is the operator matching a regular expression ("~" on
	// PostgreSQL, "REGEXP" elsewhere; SQLite's is core/sqlite's function).
	// RegexpFold is the case-insensitive operator, or "" when the pattern
	// takes the inline (?i) flag instead.
	Regexp, RegexpFold string
	// TransactionalDDL: CREATE, ALTER and DROP run inside a transaction and
	// roll back with it. MySQL commits implicitly before and after each DDL
	// statement, which also ends any savepoint.
	TransactionalDDL bool
	// Arrays: a Go slice binds as one array parameter (= ANY($1)).
	Arrays bool
	// RowLocks: SELECT ... FOR UPDATE locks rows. SQLite has no row locks;
	// its write transactions hold the database's lock.
	RowLocks bool
	// ShareLock is the clause of a shared row lock ("FOR SHARE",
	// "LOCK IN SHARE MODE", which MariaDB also reads), or "" when there is none.
	ShareLock string
	// OffsetNeedsLimit: OFFSET is only valid after a LIMIT (MySQL, SQLite).
	OffsetNeedsLimit bool
	// AlterConstraints: ALTER TABLE adds and drops constraints (foreign
	// keys, checks). SQLite declares them in CREATE TABLE only.
	AlterConstraints bool
	// DropForeignKey is the ALTER TABLE clause dropping a foreign key
	// ("DROP CONSTRAINT", "DROP FOREIGN KEY" on MySQL), when
	// AlterConstraints is set.
	DropForeignKey string
	// ForeignKeyChecksOff: a session may switch foreign-key checking off and
	// back on (MySQL's FOREIGN_KEY_CHECKS).
	ForeignKeyChecksOff bool
	// DeferForeignKeys: a transaction may defer its foreign-key checks to
	// its commit (SQLite's PRAGMA defer_foreign_keys).
	DeferForeignKeys bool
	// BackslashEscapes: a backslash in a string literal escapes the next
	// character (MySQL's default; PostgreSQL only in E'...' strings).
	BackslashEscapes bool
	// TextHoldsNUL: a text value may hold a NUL byte (not on PostgreSQL,
	// which refuses to bind one).
	TextHoldsNUL bool
	// LikeStopsAtNUL: LIKE and GLOB read the value and the pattern as C
	// strings, stopping at a NUL byte (SQLite).
	LikeStopsAtNUL bool
	// FloatInfinity: a float column stores +Inf and -Inf (not MySQL).
	// FloatNaN: a float column stores NaN (PostgreSQL).
	FloatInfinity, FloatNaN bool
	// MinYear and MaxYear are the years its timestamp and date columns hold
	// faithfully: 1 to 9999 in MySQL's DATETIME and SQLite's text, 4713 BC
	// (year -4712) to 294276 AD in PostgreSQL's timestamptz and date.
	MinYear, MaxYear int
	// ScalarSubqueryFirstRow: a subquery compared as one value silently
	// takes its first row when it returns several (SQLite), where the
	// others fail.
	ScalarSubqueryFirstRow bool
	// TimesAsText: times are stored and compared as text, so every instant
	// must be written in one zone (SQLite).
	TimesAsText bool
	// TxOptions: BEGIN takes an isolation level and read-only mode. SQLite's
	// transactions are always serializable; read-only is PRAGMA query_only.
	TxOptions bool
	// AdvisoryLocks: the server has named locks a session can hold outside
	// any table (pg_advisory_lock, MySQL's GET_LOCK). SQLite has none: a
	// write transaction holds the whole database.
	AdvisoryLocks bool
	// Product is the backend's name in messages: "PostgreSQL", "MySQL",
	// "SQLite".
	Product string
	// Explain is the statement prefix that returns the plan of a query
	// ("EXPLAIN", "EXPLAIN QUERY PLAN" on SQLite).
	Explain string
}

// Caps returns what the dialect's backend can do.
func (d *Dialect) Caps() Capabilities { return d.caps }
