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
// quoted, how bound parameters are written and how many one statement may hold.
// The three values are [Postgres], [MySQL] and [SQLite]; compare them by pointer.
type Dialect struct {
	name      string // goqu's dialect name
	quote     byte   // the quote character atomdb writes identifiers with
	goquQuote byte   // the one goqu writes them with (` for SQLite, where both work)
	numbered  bool   // $1, $2 ... instead of ?
	maxParams int
	maxIdent  int // longest identifier kept whole, in bytes; 0: no limit
	goqu      goqu.DialectWrapper
}

// The supported dialects.
var (
	// Postgres is PostgreSQL, driven by pgx's native pool.
	Postgres = newDialect("postgres", '"', '"', true, 65535, 63)
	// MySQL is MySQL and MariaDB, driven by go-sql-driver/mysql.
	MySQL = newDialect("mysql", '`', '`', false, 65535, 64)
	// SQLite is SQLite 3, driven by mattn/go-sqlite3.
	SQLite = newDialect("sqlite3", '"', '`', false, 32766, 0)
)

// StrictSQLMode is the sql_mode of every MySQL/MariaDB session atomdb opens
// (core/mysql sets it), unless the URL gives its own (sql_mode=TRADITIONAL,
// or sql_mode= for no mode at all): a value too long, too large or too precise for its column is
// an error rather than truncated or rounded, as are invalid dates and
// division by zero. It is STRICT_ALL_TABLES plus the modes Django's MySQL
// backend sets, but for NO_ZERO_DATE: go-sql-driver writes Go's zero
// time.Time as 0000-00-00, which reads back as the zero time.
const StrictSQLMode = "STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION"

func newDialect(name string, quote, goquQuote byte, numbered bool, maxParams, maxIdent int) *Dialect {
	return &Dialect{name: name, quote: quote, goquQuote: goquQuote, numbered: numbered, maxParams: maxParams, maxIdent: maxIdent, goqu: goqu.Dialect(name)}
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
func (d *Dialect) MaxParams() int { return d.maxParams }

// Placeholder returns the bound-parameter marker for the n-th parameter
// (1-based): $n on PostgreSQL, ? elsewhere.
func (d *Dialect) Placeholder(n int) string {
	if d.numbered {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}
