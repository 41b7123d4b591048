package core

import (
	"strconv"
	"strings"

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
	quote     byte
	numbered  bool // $1, $2 ... instead of ?
	maxParams int
	goqu      goqu.DialectWrapper
}

// The supported dialects.
var (
	// Postgres is PostgreSQL, driven by pgx's native pool.
	Postgres = newDialect("postgres", '"', true, 65535)
	// MySQL is MySQL and MariaDB, driven by go-sql-driver/mysql.
	MySQL = newDialect("mysql", '`', false, 65535)
	// SQLite is SQLite 3, driven by mattn/go-sqlite3.
	SQLite = newDialect("sqlite3", '"', false, 32766)
)

func newDialect(name string, quote byte, numbered bool, maxParams int) *Dialect {
	return &Dialect{name: name, quote: quote, numbered: numbered, maxParams: maxParams, goqu: goqu.Dialect(name)}
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

// QuoteIdent quotes an identifier (a table or column name) for the dialect,
// doubling any quote character inside it, so reserved words such as order or
// from can be used as names. A dotted name is not split: quote each part.
func (d *Dialect) QuoteIdent(name string) string {
	q := string(d.quote)
	return q + strings.ReplaceAll(name, q, q+q) + q
}

// Placeholder returns the bound-parameter marker for the n-th parameter
// (1-based): $n on PostgreSQL, ? elsewhere.
func (d *Dialect) Placeholder(n int) string {
	if d.numbered {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}
