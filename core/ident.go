package core

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// Identifiers: every table, column and label name atomdb writes into SQL is
// written here, in one of two forms that give the same text:
//
//   - as SQL text, by Dialect.QuoteIdent and Dialect.QuoteTable, which double
//     the dialect's quote character inside a name, so any name is safe;
//   - as a goqu expression (TableIdent, ColumnIdent, LabelIdent), which goqu
//     renders later in whatever dialect the query is sent to. goqu writes a
//     name between quote characters without escaping the ones inside it (and
//     quotes with ` on SQLite, where atomdb's text uses "), so these take
//     only names that CheckIdent accepts: no quote character of any dialect
//     (" or `), no NUL, no dot inside a column or label.
//
// A table name may be schema-qualified: "app.notes" is table notes in schema
// app (a PostgreSQL schema, a MySQL database, an attached SQLite database),
// and is written "app"."notes" everywhere. Labels longer than
// MaxIdentifierLength are shortened by Label, deterministically, so that
// PostgreSQL does not cut them.

// ErrBadIdentifier is wrapped by the error for a name that atomdb will not
// write into SQL as an identifier: empty, not UTF-8, holding NUL or a quote
// character, too long, or a table name with more than one dot.
var ErrBadIdentifier = errors.New("core: bad identifier")

func identErr(what, name, format string, args ...any) error {
	return fmt.Errorf("%w: %s %q %s", ErrBadIdentifier, what, name, fmt.Sprintf(format, args...))
}

// MaxIdentLength returns the longest identifier, in bytes, the dialect keeps
// whole: 63 on PostgreSQL (which cuts longer ones), 64 on MySQL (which
// refuses them); SQLite has no limit (0).
func (d *Dialect) MaxIdentLength() int { return d.caps.MaxIdentLength }

// QuoteIdent quotes an identifier (a table, column, constraint or label name)
// for the dialect, doubling any quote character inside it, so reserved words
// such as order or from can be used as names and no name becomes SQL text. A
// dotted name is one identifier: use QuoteTable for a schema-qualified table.
func (d *Dialect) QuoteIdent(name string) string {
	q := string(d.quote)
	return q + strings.ReplaceAll(name, q, q+q) + q
}

// QuoteTable quotes a table name, which may be schema-qualified: "app.notes"
// becomes "app"."notes" (`app`.`notes` on MySQL). Each part is quoted as
// QuoteIdent does.
func (d *Dialect) QuoteTable(name string) string {
	if schema, table, ok := strings.Cut(name, "."); ok {
		return d.QuoteIdent(schema) + "." + d.QuoteIdent(table)
	}
	return d.QuoteIdent(name)
}

// CheckIdent reports whether name can be written as a plain identifier by
// both forms (see the package's identifier functions): not empty, valid
// UTF-8, no NUL, no quote character (" or `), no dot, not "*" (which goqu
// reads as every column), and at most MaxIdentifierLength bytes. what names it in the error ("column", "label").
func CheckIdent(what, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty %s name", ErrBadIdentifier, what)
	case !utf8.ValidString(name):
		return identErr(what, name, "is not valid UTF-8")
	case strings.IndexByte(name, 0) >= 0:
		return identErr(what, name, "holds a NUL byte")
	case strings.ContainsAny(name, "\"`"):
		return identErr(what, name, "holds a quote character (\" or `), which atomdb does not write into goqu identifiers")
	case name == "*":
		return identErr(what, name, "is goqu's * (every column)")
	case strings.IndexByte(name, '.') >= 0:
		return identErr(what, name, "holds a dot (only a table name may be schema-qualified)")
	case len(name) > MaxIdentifierLength:
		return identErr(what, name, "is longer than %d bytes", MaxIdentifierLength)
	}
	return nil
}

// CheckTable is CheckIdent for a table name, which may be schema-qualified
// ("app.notes": one dot, each part a valid identifier).
func CheckTable(name string) error {
	schema, table, ok := strings.Cut(name, ".")
	if !ok {
		return CheckIdent("table", name)
	}
	if err := CheckIdent("schema", schema); err != nil {
		return fmt.Errorf("table %q: %w", name, err)
	}
	if err := CheckIdent("table", table); err != nil {
		return fmt.Errorf("table %q: %w", name, err)
	}
	return nil
}

// TableIdent returns a table (which may be schema-qualified: "app.notes") as
// a goqu identifier, to select from, join, insert into or qualify columns
// with (.Col). The name must satisfy CheckTable.
func TableIdent(name string) exp.IdentifierExpression {
	if schema, table, ok := strings.Cut(name, "."); ok {
		return goqu.S(schema).Table(table)
	}
	return goqu.T(name)
}

// ColumnIdent returns column of table as a goqu identifier ("notes"."text").
// The names must satisfy CheckTable and CheckIdent.
func ColumnIdent(table, column string) exp.IdentifierExpression {
	return TableIdent(table).Col(column)
}

// LabelIdent returns a label (a column alias) as a goqu identifier, taken as
// one name even when it holds a dot (goqu splits a string alias at dots).
func LabelIdent(label string) exp.IdentifierExpression { return goqu.C(label) }

// Label joins parts with "__" into a column or table alias ("tracks__title")
// and shortens it, when longer than MaxIdentifierLength bytes, to a prefix
// and 8 hex digits of its SHA-256, so that every dialect keeps it whole and
// the same parts always give the same label.
func Label(parts ...string) string { return shortenName(strings.Join(parts, "__")) }

// checkDatasetIdents refuses an insert or update dataset whose column names
// (goqu.Record or map keys, struct db tags, Cols) or table hold the
// dialect's quote character or NUL: goqu would write them unescaped, and the
// rest of the name would become SQL text.
func checkDatasetIdents(d *Dialect, query any) error {
	var bad, dotted string
	name := func(n string) {
		if bad == "" && (strings.IndexByte(n, d.goquQuote) >= 0 || strings.IndexByte(n, 0) >= 0) {
			bad = n
		}
	}
	// A record key is one column name, but goqu splits it at dots into a
	// qualified name (".v" writes column v): refuse a dot rather than write
	// a column the key does not name.
	key := func(k string) {
		name(k)
		if dotted == "" && strings.IndexByte(k, '.') >= 0 {
			dotted = k
		}
	}
	ident := func(e any) {
		if id, ok := e.(exp.IdentifierExpression); ok {
			name(id.GetSchema())
			name(id.GetTable())
			if col, ok := id.GetCol().(string); ok {
				name(col)
			}
		}
	}
	cols := func(cl exp.ColumnListExpression) {
		if cl != nil {
			for _, c := range cl.Columns() {
				ident(c)
			}
		}
	}
	record := func(r any) {
		switch r := r.(type) {
		case goqu.Record:
			for k := range r {
				key(k)
			}
		case map[string]any:
			for k := range r {
				key(k)
			}
		default: // a struct (db tags) or another map type: as goqu reads it
			if ie, err := exp.NewInsertExpression(r); err == nil {
				cols(ie.Cols())
			}
		}
	}
	switch q := query.(type) {
	case *goqu.InsertDataset:
		c := q.GetClauses()
		ident(c.Into())
		cols(c.Cols())
		for _, r := range c.Rows() {
			record(r)
		}
	case *goqu.UpdateDataset:
		c := q.GetClauses()
		ident(c.Table())
		if sv := c.SetValues(); sv != nil {
			if _, ok := sv.(exp.UpdateExpression); !ok {
				record(sv)
			}
		}
	}
	if bad != "" {
		return fmt.Errorf("%w: %w", ErrBadQuery, identErr("identifier", bad, "holds the %s quote character or NUL, which goqu would write unescaped", d.name))
	}
	if dotted != "" {
		return fmt.Errorf("%w: %w", ErrBadQuery, identErr("column", dotted, "holds a dot, which goqu would read as a qualified name"))
	}
	return nil
}
