package core

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidSchema is wrapped by every error about a malformed schema: a bad
// type, column, constraint, foreign key or naming convention, or one a
// dialect cannot create. The concrete error is an *Error of this kind naming
// the table and column concerned.
var ErrInvalidSchema = errors.New("core: invalid schema")

// schemaErr builds the error of kind ErrInvalidSchema about table and
// column (either may be "").
func schemaErr(table, column, format string, args ...any) error {
	return &Error{Kind: ErrInvalidSchema, Table: table, Column: column, Err: fmt.Errorf(format, args...)}
}

// schemaCause makes err the cause of an error of kind ErrInvalidSchema
// about column (which may be "").
func schemaCause(column string, err error) error {
	return &Error{Kind: ErrInvalidSchema, Column: column, Err: err}
}

// placeErr fills in the table and column of a *SchemaError that lacks them
// (a type or naming error found while checking a column).
func placeErr(err error, table, column string) error {
	var se *Error
	if err == nil || !errors.As(err, &se) || se.Kind != ErrInvalidSchema {
		return err
	}
	c := *se
	if c.Table == "" {
		c.Table = table
	}
	if c.Column == "" {
		c.Column = column
	}
	return &c
}

// Expr is raw SQL used verbatim as a column default, such as
// Expr("CURRENT_TIMESTAMP"). It is schema text written by the programmer,
// never user input. Write any expression other than CURRENT_TIMESTAMP in
// parentheses, Expr("(CURRENT_DATE)"): MySQL 8 accepts other expression
// defaults only in that form, and the other dialects accept it too.
//
// One rewrite is made: on MySQL, CURRENT_TIMESTAMP (or CURRENT_TIMESTAMP(),
// NOW()) as the default of a Timestamp column is written
// CURRENT_TIMESTAMP(6), since MySQL requires it to match the column's
// DATETIME(6) precision.
type Expr string

// CurrentTimestamp is the default that sets a Timestamp column to the time
// of the insert.
const CurrentTimestamp Expr = "CURRENT_TIMESTAMP"

// Action is what a foreign key does to referencing rows when the referenced
// row is deleted or its key updated.
type Action string

// The referential actions.
const (
	// NoAction writes no clause: the database's default, which refuses the
	// change while rows still refer to it.
	NoAction Action = ""
	// Cascade deletes (or updates) the referencing rows too.
	Cascade Action = "CASCADE"
	// SetNull sets the referencing column to NULL; the column must be Nullable.
	SetNull Action = "SET NULL"
	// SetDefault sets the referencing column to its default. MySQL's InnoDB
	// does not support it, so CreateSQL refuses it for MySQL.
	SetDefault Action = "SET DEFAULT"
	// Restrict refuses the change immediately, even inside a transaction
	// whose constraints are deferred.
	Restrict Action = "RESTRICT"
)

func (a Action) valid() bool {
	switch a {
	case NoAction, Cascade, SetNull, SetDefault, Restrict:
		return true
	}
	return false
}

// ForeignKey makes a column refer to a column of another table (or of its
// own table). The referenced column must be the table's single-column
// primary key or carry a single-column unique constraint, and have the same
// type kind as the referencing column.
type ForeignKey struct {
	Table    string // the referenced table
	Column   string // the referenced column
	OnDelete Action // what deleting the referenced row does
	OnUpdate Action // what updating the referenced key does
	// Name is the constraint's name; empty means the NamingConvention's
	// ForeignKey template.
	Name string
}

// Column is one column of a Table.
type Column struct {
	// Name is the column's name, quoted in the SQL so any word can be used.
	Name string
	// Type is the column's type.
	Type Type
	// Nullable allows NULL; columns are NOT NULL unless it is set. A primary
	// key column cannot be Nullable.
	Nullable bool
	// Default is the value the column takes when an insert gives none: nil
	// for no default, an Expr for raw SQL, or a Go value written as an escaped
	// SQL literal: a bool (Boolean columns), an integer (integer, floating and
	// Decimal columns), a float (floating and Decimal columns), a string
	// (String, Text, Date, Timestamp, JSON, UUID, and Decimal written as a
	// decimal number such as "12.50") or a []byte (Bytes columns). Named types
	// with those underlying types are accepted. A Custom column takes any of
	// them, written as for other types: on MySQL a Custom TEXT, BLOB or JSON
	// column needs an expression default, such as Expr("('x')").
	//
	// MySQL forbids literal defaults on TEXT, BLOB and JSON columns, so there
	// the literal is written as an expression, DEFAULT ('x'), which needs
	// MySQL 8.0.13 or MariaDB 10.2.
	Default any
	// PrimaryKey makes the column part of the table's primary key; several
	// columns make a composite key, in the order of the table's columns.
	PrimaryKey bool
	// AutoIncrement makes the database number new rows: an identity column on
	// PostgreSQL, AUTO_INCREMENT on MySQL, INTEGER PRIMARY KEY AUTOINCREMENT on
	// SQLite. It needs an integer primary key column without a Default, and
	// at most one per table. On SQLite the column must be the whole primary
	// key, and its type is written INTEGER whatever its size; on MySQL it must
	// be the first column of a composite key.
	AutoIncrement bool
	// Unique adds a single-column unique constraint, named by the convention.
	Unique bool
	// Index adds a single-column index, named by the convention.
	Index bool
	// ForeignKey, if set, makes the column refer to another table's column.
	ForeignKey *ForeignKey
	// RenamedFrom is the column's previous name, for migrations: a column
	// that was called so is renamed rather than dropped and added. The DDL
	// ignores it.
	RenamedFrom string
}

// Index is an index on one or more columns of a table, created by its own
// CREATE INDEX statement after the table.
type Index struct {
	// Name is the index's name; empty means the NamingConvention's Index
	// template.
	Name string
	// Columns are the indexed columns, in order.
	Columns []string
	// Unique makes it a unique index.
	Unique bool
}

// UniqueConstraint requires the combination of Columns to be unique across
// the table's rows.
type UniqueConstraint struct {
	// Name is the constraint's name; empty means the NamingConvention's
	// Unique template.
	Name string
	// Columns are the constrained columns, in order.
	Columns []string
}

// CheckConstraint requires Expr to hold for every row.
type CheckConstraint struct {
	// Name is the check's short name, the {constraint} of the
	// NamingConvention's Check template ("positive_price" becomes
	// "ck_products_positive_price" by default). It is required.
	Name string
	// Expr is the condition as raw SQL, written into the CREATE TABLE as is:
	// schema text written by the programmer, never user input. Quote any
	// identifier that is a reserved word yourself.
	Expr string
}

// Table describes one table: its columns and the constraints and indexes
// on them. Build it with NewTable or as a literal, then Add it to a MetaData.
type Table struct {
	// Name is the table's name.
	Name string
	// Columns are the table's columns, in the order they are created.
	Columns []*Column
	// Indexes are created after the table, in order (after the indexes of
	// columns whose Index flag is set).
	Indexes []*Index
	// Uniques are the table's multi-column unique constraints (after those of
	// columns whose Unique flag is set).
	Uniques []*UniqueConstraint
	// Checks are the table's check constraints.
	Checks []*CheckConstraint
	// RenamedFrom is the table's previous name, for migrations: a table
	// that was called so is renamed rather than dropped and created. The
	// DDL ignores it.
	RenamedFrom string
}

// NewTable returns a table named name with the given columns.
func NewTable(name string, cols ...*Column) *Table {
	return &Table{Name: name, Columns: cols}
}

// Column returns the column named name (compared exactly), or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c != nil && c.Name == name {
			return c
		}
	}
	return nil
}

// PrimaryKey returns the primary key's columns in table order; it is empty
// when the table has no primary key.
func (t *Table) PrimaryKey() []*Column {
	var pk []*Column
	for _, c := range t.Columns {
		if c != nil && c.PrimaryKey {
			pk = append(pk, c)
		}
	}
	return pk
}

// MetaData is a schema: a set of tables, kept in the order they were added,
// and the naming convention for their constraints. It generates the DDL to
// create and drop them, and it is what migrations compare a live database
// against. Build it at start-up; it is not safe to Add tables while other
// goroutines read it.
type MetaData struct {
	tables []*Table
	naming NamingConvention
}

// MetaDataOption configures a MetaData made by NewMetaData.
type MetaDataOption func(*MetaData)

// WithNaming sets the naming convention for constraints and indexes (empty
// fields take DefaultNaming's templates).
func WithNaming(n NamingConvention) MetaDataOption {
	return func(m *MetaData) { m.naming = n }
}

// NewMetaData returns an empty schema using DefaultNaming unless WithNaming
// says otherwise.
func NewMetaData(opts ...MetaDataOption) *MetaData {
	m := &MetaData{naming: DefaultNaming}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Add appends tables to the schema. A nil or unnamed table, or a name already
// present (compared case-insensitively, since MySQL and SQLite may fold case),
// is an error, and then none of the tables is added.
func (m *MetaData) Add(tables ...*Table) error {
	var errs []error
	seen := make(map[string]string, len(m.tables)+len(tables))
	for _, t := range m.tables {
		seen[strings.ToLower(t.Name)] = t.Name
	}
	for i, t := range tables {
		switch {
		case t == nil:
			errs = append(errs, schemaErr("", "", "table %d to add is nil", i))
		case t.Name == "":
			errs = append(errs, schemaErr("", "", "table %d to add has no name", i))
		default:
			if prev, ok := seen[strings.ToLower(t.Name)]; ok {
				errs = append(errs, schemaErr(t.Name, "", "duplicate table name (already have %q)", prev))
				continue
			}
			seen[strings.ToLower(t.Name)] = t.Name
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	m.tables = append(m.tables, tables...)
	return nil
}

// Table returns the table named name (compared exactly), or nil.
func (m *MetaData) Table(name string) *Table {
	for _, t := range m.tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Tables returns the tables in the order they were added. The slice is a
// copy; the tables are not.
func (m *MetaData) Tables() []*Table {
	return append([]*Table(nil), m.tables...)
}

// Naming returns the schema's naming convention.
func (m *MetaData) Naming() NamingConvention { return m.naming }

// Validate checks the whole schema and returns every problem found, joined
// with errors.Join; each is a *SchemaError naming its table and column. It
// checks names (present, unique, at most MaxIdentifierLength bytes), types,
// defaults, primary keys and AutoIncrement, that indexes and constraints name
// existing columns, that every foreign key refers to an existing unique
// column of the same type kind (SET NULL only on Nullable columns), that the
// naming convention is well formed, and that no two constraints or indexes
// of the schema share a name. Problems that only one dialect has are
// reported by CreateSQL for that dialect.
func (m *MetaData) Validate() error {
	_, err := m.specs()
	return err
}
