package core

import (
	"strconv"

	"github.com/doug-martin/goqu/v9"
	// The three SQL dialects goqu renders for us.
	_ "github.com/doug-martin/goqu/v9/dialect/mysql"
	_ "github.com/doug-martin/goqu/v9/dialect/postgres"
	_ "github.com/doug-martin/goqu/v9/dialect/sqlite3"
)

// Dialect describes one SQL dialect: how goqu renders it, how identifiers are
// quoted, and what its backend can do (Caps). The three values are
// [Postgres], [MySQL] and [SQLite]; code that needs to know what a backend
// supports asks Caps rather than comparing dialects.
type Dialect struct {
	name      string // goqu's dialect name
	quote     byte   // the quote character atomdb writes identifiers with
	goquQuote byte   // the one goqu writes them with (` for SQLite, where both work)
	caps      Capabilities
	goqu      goqu.DialectWrapper
}

// The supported dialects.
var (
	// Postgres is PostgreSQL, driven by pgx's native pool (core/postgres).
	Postgres = newDialect("postgres", '"', '"', Capabilities{
		MaxParams: 65535, MaxIdentLength: 63, NumberedPlaceholders: true,
		Returning: true, ILike: true, Regexp: "~", RegexpFold: "~*",
		TransactionalDDL: true, Arrays: true, RowLocks: true, ShareLock: "FOR SHARE",
		AlterConstraints: true, DropForeignKey: "DROP CONSTRAINT",
		FloatInfinity: true, FloatNaN: true, MinYear: -4712, MaxYear: 294275,
		TxOptions: true, AdvisoryLocks: true, Product: "PostgreSQL", Explain: "EXPLAIN",
	})
	// MySQL is MySQL and MariaDB, driven by go-sql-driver/mysql (core/mysql).
	MySQL = newDialect("mysql", '`', '`', Capabilities{
		MaxParams: 65535, MaxIdentLength: 64, Regexp: "REGEXP",
		RowLocks: true, ShareLock: "LOCK IN SHARE MODE", OffsetNeedsLimit: true,
		AlterConstraints: true, DropForeignKey: "DROP FOREIGN KEY", ForeignKeyChecksOff: true,
		BackslashEscapes: true, TextHoldsNUL: true, MinYear: 1, MaxYear: 9999,
		TxOptions: true, AdvisoryLocks: true, Product: "MySQL", Explain: "EXPLAIN",
	})
	// SQLite is SQLite 3, driven by mattn/go-sqlite3 (core/sqlite).
	SQLite = newDialect("sqlite3", '"', '`', Capabilities{
		MaxParams: 32766, Returning: true, Regexp: "REGEXP",
		TransactionalDDL: true, OffsetNeedsLimit: true, DeferForeignKeys: true,
		TextHoldsNUL: true, LikeStopsAtNUL: true, FloatInfinity: true, MinYear: 1, MaxYear: 9999,
		ScalarSubqueryFirstRow: true, TimesAsText: true, Product: "SQLite", Explain: "EXPLAIN QUERY PLAN",
	})
)

// StrictSQLMode is the sql_mode of every MySQL/MariaDB session atomdb opens
// (core/mysql sets it), unless the URL gives its own (sql_mode=TRADITIONAL,
// or sql_mode= for no mode at all): a value too long, too large or too precise for its column is
// an error rather than truncated or rounded, as are invalid dates and
// division by zero. It is STRICT_ALL_TABLES plus the modes Django's MySQL
// backend sets, but for NO_ZERO_DATE: go-sql-driver writes Go's zero
// time.Time as 0000-00-00, which reads back as the zero time.
const StrictSQLMode = "STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION"

func newDialect(name string, quote, goquQuote byte, caps Capabilities) *Dialect {
	return &Dialect{name: name, quote: quote, goquQuote: goquQuote, caps: caps, goqu: goqu.Dialect(name)}
}

// Name is goqu's name for the dialect: "postgres", "mysql" or "sqlite3".
func (d *Dialect) Name() string { return d.name }

// String returns the dialect's name.
func (d *Dialect) String() string { return d.name }

// Goqu returns the goqu dialect wrapper, to build datasets in this dialect
// (db.Dialect().Goqu().From("notes")).
func (d *Dialect) Goqu() goqu.DialectWrapper { return d.goqu }

// MaxParams is the largest number of bound parameters one statement may carry.
// Batched statements (bulk inserts, IN lists) stay under it.
func (d *Dialect) MaxParams() int { return d.caps.MaxParams }

// Placeholder returns the bound-parameter marker for the n-th parameter
// (1-based): $n on PostgreSQL, ? elsewhere.
func (d *Dialect) Placeholder(n int) string {
	if d.caps.NumberedPlaceholders {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// Render returns the SQL and arguments the statement methods (Execute,
// FetchAll, Query, ...) send for query and args on a database of this
// dialect, without running it: a goqu dataset rendered in this dialect in
// prepared mode, raw SQL with its :name parameters bound, or a Stmt as it
// is. See the package doc for the queries they take.
func (d *Dialect) Render(query any, args ...any) (Stmt, error) {
	st, err := render(d, query, args)
	if err != nil {
		return Stmt{}, err
	}
	return Stmt{SQL: st.sql, Args: st.args}, nil
}
