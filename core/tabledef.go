package core

import (
	"errors"
	"fmt"
	"strings"
)

// TableDef is a table with every constraint and index named: the form a
// live database holds, and the one migrations compare and write DDL from.
// Table.Def makes it from a Table and a NamingConvention; its CreateSQL
// writes the same DDL as Table.CreateSQL. In a TableDef the columns' Unique,
// Index and ForeignKey fields are not used: those live in Uniques, Indexes
// and ForeignKeys, by name.
type TableDef struct {
	// Name is the table's name.
	Name string
	// Columns are the table's columns in order; PrimaryKey, AutoIncrement,
	// Nullable, Type and Default are used.
	Columns []*Column
	// PrimaryKeyName is the primary key constraint's name ("" when unknown,
	// as on SQLite, which does not keep it).
	PrimaryKeyName string
	// Uniques are the unique constraints, each named.
	Uniques []*UniqueConstraint
	// Indexes are the indexes (not those behind a constraint), each named.
	Indexes []*Index
	// Checks are the check constraints; Name is the constraint's full name
	// (not the short name a Table's CheckConstraint carries).
	Checks []*CheckConstraint
	// ForeignKeys are the table's foreign keys, each named.
	ForeignKeys []*ForeignKeyDef
	// RenamedFrom carries Table.RenamedFrom.
	RenamedFrom string
}

// ForeignKeyDef is a named foreign key of a TableDef.
type ForeignKeyDef struct {
	Name      string // the constraint's name
	Column    string // the referencing column
	RefTable  string // the referenced table
	RefColumn string // the referenced column
	OnDelete  Action
	OnUpdate  Action
}

// Column returns the column named name (compared exactly), or nil.
func (t *TableDef) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Def validates t and names its constraints and indexes with naming (the
// zero NamingConvention means DefaultNaming). The columns of the result are
// copies of t's.
func (t *Table) Def(naming NamingConvention) (*TableDef, error) {
	if err := naming.Validate(); err != nil {
		return nil, err
	}
	s, err := buildSpec(t, naming)
	if err != nil {
		return nil, err
	}
	return s.def(), nil
}

// Defs validates the schema (see Validate) and returns the TableDef of each
// table, in the order they were added.
func (m *MetaData) Defs() ([]*TableDef, error) {
	specs, err := m.specs()
	if err != nil {
		return nil, err
	}
	defs := make([]*TableDef, len(specs))
	for i, s := range specs {
		defs[i] = s.def()
	}
	return defs, nil
}

func (s *tableSpec) def() *TableDef {
	d := &TableDef{Name: s.t.Name, PrimaryKeyName: s.pkName, RenamedFrom: s.t.RenamedFrom}
	for _, c := range s.t.Columns {
		cc := *c
		cc.Unique, cc.Index, cc.ForeignKey = false, false, nil
		d.Columns = append(d.Columns, &cc)
	}
	for _, u := range s.uniques {
		d.Uniques = append(d.Uniques, &UniqueConstraint{Name: u.name, Columns: append([]string(nil), u.cols...)})
	}
	for _, ix := range s.indexes {
		d.Indexes = append(d.Indexes, &Index{Name: ix.name, Columns: append([]string(nil), ix.cols...), Unique: ix.unique})
	}
	for _, ck := range s.checks {
		d.Checks = append(d.Checks, &CheckConstraint{Name: ck.name, Expr: ck.expr})
	}
	for _, fk := range s.fks {
		d.ForeignKeys = append(d.ForeignKeys, &ForeignKeyDef{Name: fk.name, Column: fk.col.Name,
			RefTable: fk.fk.Table, RefColumn: fk.fk.Column, OnDelete: fk.fk.OnDelete, OnUpdate: fk.fk.OnUpdate})
	}
	return d
}

// spec turns the definition back into the validated form the DDL writer
// uses.
func (t *TableDef) spec() (*tableSpec, error) {
	tbl := &Table{Name: t.Name}
	s := &tableSpec{t: tbl, pkName: t.PrimaryKeyName}
	var errs []error
	for _, c := range t.Columns {
		if c == nil {
			errs = append(errs, schemaErr(t.Name, "", "nil column"))
			continue
		}
		cc := *c
		cc.Unique, cc.Index, cc.ForeignKey = false, false, nil
		tbl.Columns = append(tbl.Columns, &cc)
	}
	for _, fk := range t.ForeignKeys {
		c := tbl.Column(fk.Column)
		if c == nil {
			errs = append(errs, schemaErr(t.Name, fk.Column, "foreign key %q names an unknown column", fk.Name))
			continue
		}
		c.ForeignKey = &ForeignKey{Table: fk.RefTable, Column: fk.RefColumn, OnDelete: fk.OnDelete, OnUpdate: fk.OnUpdate, Name: fk.Name}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// Check columns, types, defaults and keys as for a Table; the names
	// come from the definition, so the convention's are ignored.
	if _, err := buildSpec(tbl, DefaultNaming); err != nil {
		return nil, err
	}
	for _, c := range tbl.Columns {
		if c.PrimaryKey {
			s.pk = append(s.pk, c)
		}
		if c.AutoIncrement {
			s.auto = c
		}
		if c.ForeignKey != nil {
			s.fks = append(s.fks, &fkSpec{name: c.ForeignKey.Name, col: c, fk: c.ForeignKey, owner: s})
		}
	}
	if len(s.pk) > 0 && s.pkName == "" {
		return nil, schemaErr(t.Name, "", "the primary key has no name")
	}
	named := func(what, name string, cols []string) bool {
		if name == "" {
			errs = append(errs, schemaErr(t.Name, "", "a %s has no name", what))
			return false
		}
		for _, c := range cols {
			if tbl.Column(c) == nil {
				errs = append(errs, schemaErr(t.Name, c, "%s %q names an unknown column", what, name))
				return false
			}
		}
		return true
	}
	for _, u := range t.Uniques {
		if named("unique constraint", u.Name, u.Columns) {
			s.uniques = append(s.uniques, uniqueSpec{name: u.Name, cols: u.Columns})
		}
	}
	for _, ix := range t.Indexes {
		if named("index", ix.Name, ix.Columns) {
			s.indexes = append(s.indexes, indexSpec{name: ix.Name, cols: ix.Columns, unique: ix.Unique})
		}
	}
	for _, ck := range t.Checks {
		if named("check constraint", ck.Name, nil) {
			if strings.TrimSpace(ck.Expr) == "" {
				errs = append(errs, schemaErr(t.Name, "", "check constraint %q has no Expr", ck.Name))
				continue
			}
			s.checks = append(s.checks, checkSpec{name: ck.Name, expr: ck.Expr})
		}
	}
	for _, fk := range s.fks {
		named("foreign key", fk.name, nil)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// CreateSQL returns the CREATE TABLE statement of the definition on dialect
// d (with its primary key, unique and check constraints and foreign keys)
// and, apart, the CREATE INDEX statements of its indexes, written as
// Table.CreateSQL writes them. Foreign keys named in skip are left out of the
// CREATE TABLE (to be added once the tables they close a cycle with exist).
func (t *TableDef) CreateSQL(d *Dialect, skip ...string) (table string, indexes []string, err error) {
	if err := checkDialect(d); err != nil {
		return "", nil, err
	}
	s, err := t.spec()
	if err != nil {
		return "", nil, err
	}
	if err := s.dialectCheck(d); err != nil {
		return "", nil, err
	}
	var skipped map[*fkSpec]bool
	for _, fk := range s.fks {
		for _, name := range skip {
			if fk.name == name {
				if skipped == nil {
					skipped = map[*fkSpec]bool{}
				}
				skipped[fk] = true
			}
		}
	}
	stmts, err := s.createSQL(d, ddlOptions{}, skipped)
	if err != nil {
		return "", nil, err
	}
	return stmts[0], stmts[1:], nil
}

// ColumnSQL returns the definition of column c on dialect d, as CREATE
// TABLE writes it: name, type, identity, NOT NULL, DEFAULT and
// AUTO_INCREMENT (no constraints). ALTER TABLE ... ADD COLUMN and MySQL's
// MODIFY COLUMN take it as it is.
func ColumnSQL(d *Dialect, c *Column) (string, error) {
	if err := checkDialect(d); err != nil {
		return "", err
	}
	if c == nil {
		return "", schemaErr("", "", "nil column")
	}
	if err := c.Type.Validate(); err != nil {
		return "", placeErr(err, "", c.Name)
	}
	s, err := columnDef(d, c, false)
	return s, placeErr(err, "", c.Name)
}

// DefaultSQL returns the SQL of c's Default on dialect d, as CREATE TABLE
// writes it after DEFAULT, or "" when c has none.
func DefaultSQL(d *Dialect, c *Column) (string, error) {
	if err := checkDialect(d); err != nil {
		return "", err
	}
	if c == nil || c.Default == nil {
		return "", nil
	}
	if err := c.Type.Validate(); err != nil {
		return "", placeErr(err, "", c.Name)
	}
	s, err := defaultSQL(d, c)
	if err != nil {
		return "", schemaCause(c.Name, err)
	}
	return s, nil
}

// SQL returns the constraint clause of the foreign key on dialect d:
// CONSTRAINT name FOREIGN KEY (column) REFERENCES table (column) and its
// actions, as CREATE TABLE writes it (ALTER TABLE ... ADD takes it).
func (fk *ForeignKeyDef) SQL(d *Dialect) (string, error) {
	if err := checkDialect(d); err != nil {
		return "", err
	}
	for _, a := range []Action{fk.OnDelete, fk.OnUpdate} {
		if !a.valid() {
			return "", schemaErr("", fk.Column, "unknown foreign key action %q", string(a))
		}
		if a == SetDefault && d == MySQL {
			return "", schemaErr("", fk.Column, "MySQL (InnoDB) does not support the foreign key action SET DEFAULT")
		}
	}
	if fk.Name == "" || fk.Column == "" || fk.RefTable == "" || fk.RefColumn == "" {
		return "", schemaErr("", fk.Column, "incomplete foreign key %q", fk.Name)
	}
	col := &Column{Name: fk.Column}
	return fkClause(d, &fkSpec{name: fk.Name, col: col,
		fk: &ForeignKey{Table: fk.RefTable, Column: fk.RefColumn, OnDelete: fk.OnDelete, OnUpdate: fk.OnUpdate}}), nil
}

// QuoteList quotes each name for d and joins them in parentheses:
// ("a", "b").
func (d *Dialect) QuoteList(names []string) string { return quoteList(d, names) }

// String describes the foreign key for messages.
func (fk *ForeignKeyDef) String() string {
	return fmt.Sprintf("%s (%s) -> %s (%s)", fk.Name, fk.Column, fk.RefTable, fk.RefColumn)
}
