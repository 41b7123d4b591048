package migrate

import (
	"fmt"
	"slices"

	"github.com/atomdb/atomdb/core"
)

// OpKind names an operation.
type OpKind string

// The operations a migration is made of.
const (
	CreateTable      OpKind = "create_table"
	DropTable        OpKind = "drop_table"
	RenameTable      OpKind = "rename_table"
	AddColumn        OpKind = "add_column"
	DropColumn       OpKind = "drop_column"
	AlterColumn      OpKind = "alter_column"
	RenameColumn     OpKind = "rename_column"
	AddIndex         OpKind = "add_index"
	DropIndex        OpKind = "drop_index"
	RenameIndex      OpKind = "rename_index"
	AddUnique        OpKind = "add_unique"
	DropUnique       OpKind = "drop_unique"
	AddCheck         OpKind = "add_check"
	DropCheck        OpKind = "drop_check"
	AddForeignKey    OpKind = "add_foreign_key"
	DropForeignKey   OpKind = "drop_foreign_key"
	RenameConstraint OpKind = "rename_constraint"
)

// Operation is one dialect-neutral schema change. Table names the table it
// changes; the other fields used depend on Kind:
//
//	create_table       Def
//	drop_table         -
//	rename_table       NewName
//	add_column         Column
//	drop_column        Name
//	alter_column       Column (the new definition; Name is the column)
//	rename_column      Name, NewName
//	add_index          Index
//	drop_index         Name
//	rename_index       Name, NewName
//	add_unique         Unique
//	drop_unique        Name
//	add_check          Check (Name is the full constraint name)
//	drop_check         Name
//	add_foreign_key    ForeignKey
//	drop_foreign_key   Name
//	rename_constraint  Name, NewName (unique, check, foreign key or primary key)
//
// Allow lists the lint findings (see Finding) the migration's author
// accepts for this operation: "destructive", "data", "locking".
type Operation struct {
	Kind       OpKind
	Table      string
	Name       string
	NewName    string
	Def        *core.TableDef
	Column     *core.Column
	Index      *core.Index
	Unique     *core.UniqueConstraint
	Check      *core.CheckConstraint
	ForeignKey *core.ForeignKeyDef
	Allow      []string
}

// String describes the operation in a line.
func (op *Operation) String() string {
	switch op.Kind {
	case CreateTable:
		return fmt.Sprintf("create table %q", op.Table)
	case DropTable:
		return fmt.Sprintf("drop table %q", op.Table)
	case RenameTable:
		return fmt.Sprintf("rename table %q to %q", op.Table, op.NewName)
	case AddColumn:
		return fmt.Sprintf("add column %q.%q %s", op.Table, op.Column.Name, op.Column.Type)
	case DropColumn:
		return fmt.Sprintf("drop column %q.%q", op.Table, op.Name)
	case AlterColumn:
		return fmt.Sprintf("alter column %q.%q", op.Table, op.Column.Name)
	case RenameColumn:
		return fmt.Sprintf("rename column %q.%q to %q", op.Table, op.Name, op.NewName)
	case AddIndex:
		return fmt.Sprintf("add index %q on %q %v", op.Index.Name, op.Table, op.Index.Columns)
	case DropIndex:
		return fmt.Sprintf("drop index %q of %q", op.Name, op.Table)
	case RenameIndex:
		return fmt.Sprintf("rename index %q of %q to %q", op.Name, op.Table, op.NewName)
	case AddUnique:
		return fmt.Sprintf("add unique %q on %q %v", op.Unique.Name, op.Table, op.Unique.Columns)
	case DropUnique:
		return fmt.Sprintf("drop unique %q of %q", op.Name, op.Table)
	case AddCheck:
		return fmt.Sprintf("add check %q on %q", op.Check.Name, op.Table)
	case DropCheck:
		return fmt.Sprintf("drop check %q of %q", op.Name, op.Table)
	case AddForeignKey:
		return fmt.Sprintf("add foreign key %q on %q.%q -> %q.%q", op.ForeignKey.Name, op.Table, op.ForeignKey.Column, op.ForeignKey.RefTable, op.ForeignKey.RefColumn)
	case DropForeignKey:
		return fmt.Sprintf("drop foreign key %q of %q", op.Name, op.Table)
	case RenameConstraint:
		return fmt.Sprintf("rename constraint %q of %q to %q", op.Name, op.Table, op.NewName)
	}
	return string(op.Kind)
}

// allows reports whether the operation accepts a finding of kind k.
func (op *Operation) allows(k string) bool { return slices.Contains(op.Allow, k) }

func opErr(op *Operation, format string, args ...any) error {
	return fmt.Errorf("%s: %s", op, fmt.Sprintf(format, args...))
}

// apply changes s as the operation does, and returns the operation that
// undoes it (computed from s before the change) and whether that undo loses
// data (the undo of a drop restores the structure, not the rows).
func (op *Operation) apply(s *Schema) (inverse *Operation, lossy bool, err error) {
	if op.Kind == CreateTable {
		if op.Def == nil {
			return nil, false, opErr(op, "no definition")
		}
		if s.Table(op.Table) != nil {
			return nil, false, opErr(op, "the table exists already")
		}
		s.Tables = append(s.Tables, cloneTable(op.Def))
		return &Operation{Kind: DropTable, Table: op.Table}, false, nil
	}
	t := s.Table(op.Table)
	if t == nil {
		return nil, false, opErr(op, "no such table")
	}
	inv := &Operation{Table: op.Table}
	switch op.Kind {
	case DropTable:
		for _, o := range s.Tables {
			for _, fk := range o.ForeignKeys {
				if fk.RefTable == t.Name && o != t {
					return nil, false, opErr(op, "foreign key %q of table %q refers to it", fk.Name, o.Name)
				}
			}
		}
		s.Tables = slices.DeleteFunc(s.Tables, func(x *core.TableDef) bool { return x == t })
		return &Operation{Kind: CreateTable, Table: t.Name, Def: t}, true, nil
	case RenameTable:
		if s.Table(op.NewName) != nil {
			return nil, false, opErr(op, "table %q exists already", op.NewName)
		}
		for _, o := range s.Tables {
			for _, fk := range o.ForeignKeys {
				if fk.RefTable == t.Name {
					fk.RefTable = op.NewName
				}
			}
		}
		t.Name = op.NewName
		inv.Table, inv.Kind, inv.NewName = op.NewName, RenameTable, op.Table
	case AddColumn:
		if op.Column == nil || t.Column(op.Column.Name) != nil {
			return nil, false, opErr(op, "no column, or the column exists already")
		}
		c := *op.Column
		t.Columns = append(t.Columns, &c)
		inv.Kind, inv.Name = DropColumn, c.Name
	case DropColumn:
		i := slices.IndexFunc(t.Columns, func(c *core.Column) bool { return c.Name == op.Name })
		if i < 0 {
			return nil, false, opErr(op, "no such column")
		}
		if uses(t, op.Name) {
			return nil, false, opErr(op, "an index or constraint still uses the column")
		}
		c := t.Columns[i]
		t.Columns = slices.Delete(t.Columns, i, i+1)
		inv.Kind, inv.Column = AddColumn, c
		lossy = true
	case AlterColumn:
		if op.Column == nil {
			return nil, false, opErr(op, "no column")
		}
		i := slices.IndexFunc(t.Columns, func(c *core.Column) bool { return c.Name == op.Column.Name })
		if i < 0 {
			return nil, false, opErr(op, "no such column")
		}
		old := t.Columns[i]
		c := *op.Column
		t.Columns[i] = &c
		inv.Kind, inv.Column = AlterColumn, old
	case RenameColumn:
		c := t.Column(op.Name)
		if c == nil || t.Column(op.NewName) != nil {
			return nil, false, opErr(op, "no such column, or the new name is taken")
		}
		c.Name = op.NewName
		rename := func(cols []string) {
			for i, n := range cols {
				if n == op.Name {
					cols[i] = op.NewName
				}
			}
		}
		for _, u := range t.Uniques {
			rename(u.Columns)
		}
		for _, ix := range t.Indexes {
			rename(ix.Columns)
		}
		for _, fk := range t.ForeignKeys {
			if fk.Column == op.Name {
				fk.Column = op.NewName
			}
		}
		for _, o := range s.Tables {
			for _, fk := range o.ForeignKeys {
				if fk.RefTable == t.Name && fk.RefColumn == op.Name {
					fk.RefColumn = op.NewName
				}
			}
		}
		inv.Kind, inv.Name, inv.NewName = RenameColumn, op.NewName, op.Name
	case AddIndex:
		if op.Index == nil || hasName(t, op.Index.Name) {
			return nil, false, opErr(op, "no index, or its name is taken")
		}
		t.Indexes = append(t.Indexes, &core.Index{Name: op.Index.Name, Columns: slices.Clone(op.Index.Columns), Unique: op.Index.Unique})
		inv.Kind, inv.Name = DropIndex, op.Index.Name
	case DropIndex:
		i := slices.IndexFunc(t.Indexes, func(x *core.Index) bool { return x.Name == op.Name })
		if i < 0 {
			return nil, false, opErr(op, "no such index")
		}
		inv.Kind, inv.Index = AddIndex, t.Indexes[i]
		t.Indexes = slices.Delete(t.Indexes, i, i+1)
	case RenameIndex:
		i := slices.IndexFunc(t.Indexes, func(x *core.Index) bool { return x.Name == op.Name })
		if i < 0 || hasName(t, op.NewName) {
			return nil, false, opErr(op, "no such index, or the new name is taken")
		}
		t.Indexes[i].Name = op.NewName
		inv.Kind, inv.Name, inv.NewName = RenameIndex, op.NewName, op.Name
	case AddUnique:
		if op.Unique == nil || hasName(t, op.Unique.Name) {
			return nil, false, opErr(op, "no constraint, or its name is taken")
		}
		t.Uniques = append(t.Uniques, &core.UniqueConstraint{Name: op.Unique.Name, Columns: slices.Clone(op.Unique.Columns)})
		inv.Kind, inv.Name = DropUnique, op.Unique.Name
	case DropUnique:
		i := slices.IndexFunc(t.Uniques, func(x *core.UniqueConstraint) bool { return x.Name == op.Name })
		if i < 0 {
			return nil, false, opErr(op, "no such unique constraint")
		}
		inv.Kind, inv.Unique = AddUnique, t.Uniques[i]
		t.Uniques = slices.Delete(t.Uniques, i, i+1)
	case AddCheck:
		if op.Check == nil || hasName(t, op.Check.Name) {
			return nil, false, opErr(op, "no constraint, or its name is taken")
		}
		c := *op.Check
		t.Checks = append(t.Checks, &c)
		inv.Kind, inv.Name = DropCheck, c.Name
	case DropCheck:
		i := slices.IndexFunc(t.Checks, func(x *core.CheckConstraint) bool { return x.Name == op.Name })
		if i < 0 {
			return nil, false, opErr(op, "no such check constraint")
		}
		inv.Kind, inv.Check = AddCheck, t.Checks[i]
		t.Checks = slices.Delete(t.Checks, i, i+1)
	case AddForeignKey:
		if op.ForeignKey == nil || hasName(t, op.ForeignKey.Name) || t.Column(op.ForeignKey.Column) == nil {
			return nil, false, opErr(op, "no foreign key, its name is taken, or its column is unknown")
		}
		fk := *op.ForeignKey
		t.ForeignKeys = append(t.ForeignKeys, &fk)
		inv.Kind, inv.Name = DropForeignKey, fk.Name
	case DropForeignKey:
		i := slices.IndexFunc(t.ForeignKeys, func(x *core.ForeignKeyDef) bool { return x.Name == op.Name })
		if i < 0 {
			return nil, false, opErr(op, "no such foreign key")
		}
		inv.Kind, inv.ForeignKey = AddForeignKey, t.ForeignKeys[i]
		t.ForeignKeys = slices.Delete(t.ForeignKeys, i, i+1)
	case RenameConstraint:
		if hasName(t, op.NewName) {
			return nil, false, opErr(op, "the new name is taken")
		}
		found := false
		if t.PrimaryKeyName == op.Name {
			t.PrimaryKeyName, found = op.NewName, true
		}
		for _, u := range t.Uniques {
			if u.Name == op.Name {
				u.Name, found = op.NewName, true
			}
		}
		for _, ck := range t.Checks {
			if ck.Name == op.Name {
				ck.Name, found = op.NewName, true
			}
		}
		for _, fk := range t.ForeignKeys {
			if fk.Name == op.Name {
				fk.Name, found = op.NewName, true
			}
		}
		if !found {
			return nil, false, opErr(op, "no such constraint")
		}
		inv.Kind, inv.Name, inv.NewName = RenameConstraint, op.NewName, op.Name
	default:
		return nil, false, opErr(op, "unknown operation")
	}
	return inv, lossy, nil
}

// uses reports whether an index or constraint of t uses column name.
func uses(t *core.TableDef, name string) bool {
	for _, u := range t.Uniques {
		if slices.Contains(u.Columns, name) {
			return true
		}
	}
	for _, ix := range t.Indexes {
		if slices.Contains(ix.Columns, name) {
			return true
		}
	}
	for _, fk := range t.ForeignKeys {
		if fk.Column == name {
			return true
		}
	}
	return false
}

// hasName reports whether t has an index or constraint called name.
func hasName(t *core.TableDef, name string) bool {
	if name == "" {
		return true
	}
	if t.PrimaryKeyName == name {
		return true
	}
	for _, u := range t.Uniques {
		if u.Name == name {
			return true
		}
	}
	for _, ix := range t.Indexes {
		if ix.Name == name {
			return true
		}
	}
	for _, ck := range t.Checks {
		if ck.Name == name {
			return true
		}
	}
	for _, fk := range t.ForeignKeys {
		if fk.Name == name {
			return true
		}
	}
	return false
}

// Replay applies ops to a copy of s and returns the result and the
// operations that undo them, last first; irreversible reports whether an
// undo would lose data (it undoes a drop).
func Replay(s *Schema, ops []*Operation) (after *Schema, undo []*Operation, irreversible bool, err error) {
	after = s.clone()
	for _, op := range ops {
		inv, lossy, err := op.apply(after)
		if err != nil {
			return nil, nil, false, err
		}
		undo = append([]*Operation{inv}, undo...)
		irreversible = irreversible || lossy
	}
	return after, undo, irreversible, nil
}
