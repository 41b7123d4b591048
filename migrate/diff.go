package migrate

import (
	"fmt"
	"slices"

	"github.com/atomdb/atomdb/core"
)

// DiffOptions tunes Diff.
type DiffOptions struct {
	// Ask is asked about each removed-and-added pair of columns (or
	// tables) whose definitions are identical: true means it is a rename.
	// Without Ask such a pair is an *AmbiguousRenameError listing them all.
	Ask func(c RenameCandidate) bool
}

// Diff returns the operations that turn schema from into schema to, in an
// order that runs: renames first, then drops of foreign keys, indexes and
// constraints, new tables (in foreign-key order), new and changed columns,
// dropped columns, new indexes and constraints, new foreign keys, dropped
// tables. Renames are never guessed: a table or column is renamed when to
// says what it was called (RenamedFrom), or when Ask says so of a pair with
// identical definitions. Indexes and constraints whose definitions match
// but whose names differ (as after a table rename) are renamed. Tables of
// from that to does not have are dropped.
func Diff(from, to *Schema, opts DiffOptions) ([]*Operation, error) {
	d := &differ{state: from.clone(), to: to, opts: opts}
	if err := d.run(); err != nil {
		return nil, err
	}
	return d.ops, nil
}

type differ struct {
	state *Schema // from, with the operations emitted so far applied
	to    *Schema
	opts  DiffOptions
	ops   []*Operation
	err   error
}

func (d *differ) emit(op *Operation) {
	if d.err != nil {
		return
	}
	if _, _, err := op.apply(d.state); err != nil {
		d.err = fmt.Errorf("migrate: diff: %w", err)
		return
	}
	d.ops = append(d.ops, op)
}

func (d *differ) run() error {
	if err := d.renames(); err != nil {
		return err
	}
	var kept []*core.TableDef // tables of to that exist in the state
	var created []*core.TableDef
	for _, t := range d.to.Tables {
		if d.state.Table(t.Name) != nil {
			kept = append(kept, t)
		} else {
			created = append(created, t)
		}
	}
	var dropped []*core.TableDef
	for _, t := range d.state.Tables {
		if d.to.Table(t.Name) == nil {
			dropped = append(dropped, t)
		}
	}
	// Renames of indexes and constraints whose definitions did not change.
	for _, want := range kept {
		d.renameMatching(d.state.Table(want.Name), want)
	}
	// Drop what goes or changes: foreign keys first (so that columns and
	// tables they involve can go), then indexes and constraints.
	for _, want := range kept {
		have := d.state.Table(want.Name)
		for _, fk := range slices.Clone(have.ForeignKeys) {
			if w := findFK(want, fk.Name); w == nil || *w != *fk || changedColumn(have, want, fk.Column) {
				d.emit(&Operation{Kind: DropForeignKey, Table: have.Name, Name: fk.Name})
			}
		}
	}
	// Dropped tables that refer to each other in a cycle lose those keys
	// first; the others are dropped each before the tables it refers to.
	dorder, dcyclic := createOrder(dropped)
	for _, t := range dropped {
		for _, fk := range slices.Clone(t.ForeignKeys) {
			if dcyclic[fk.Name] {
				d.emit(&Operation{Kind: DropForeignKey, Table: t.Name, Name: fk.Name})
			}
		}
	}
	for _, t := range d.state.Tables {
		if d.to.Table(t.Name) == nil {
			continue
		}
		for _, fk := range slices.Clone(t.ForeignKeys) {
			if d.to.Table(fk.RefTable) == nil {
				d.emit(&Operation{Kind: DropForeignKey, Table: t.Name, Name: fk.Name})
			}
		}
	}
	for _, want := range kept {
		have := d.state.Table(want.Name)
		for _, ix := range slices.Clone(have.Indexes) {
			if w := findIndex(want, ix.Name); w == nil || !sameIndex(w, ix) {
				d.emit(&Operation{Kind: DropIndex, Table: have.Name, Name: ix.Name})
			}
		}
		for _, u := range slices.Clone(have.Uniques) {
			if w := findUnique(want, u.Name); w == nil || !slices.Equal(w.Columns, u.Columns) {
				d.emit(&Operation{Kind: DropUnique, Table: have.Name, Name: u.Name})
			}
		}
		for _, ck := range slices.Clone(have.Checks) {
			if w := findCheck(want, ck.Name); w == nil || w.Expr != ck.Expr {
				d.emit(&Operation{Kind: DropCheck, Table: have.Name, Name: ck.Name})
			}
		}
	}
	// New tables, each after the new tables it refers to; foreign keys
	// that close a cycle are added once all exist.
	order, cyclic := createOrder(created)
	isNew := map[string]bool{}
	for _, t := range created {
		isNew[t.Name] = true
	}
	for _, t := range created {
		for _, fk := range t.ForeignKeys {
			// A key to an existing table whose column or unique
			// constraint this migration adds later waits for it.
			if rt := d.state.Table(fk.RefTable); !isNew[fk.RefTable] && (rt == nil || !isKey(rt, fk.RefColumn)) {
				cyclic[fk.Name] = true
			}
		}
	}
	for _, t := range order {
		def := cloneTable(t)
		def.RenamedFrom = ""
		def.ForeignKeys = slices.DeleteFunc(def.ForeignKeys, func(fk *core.ForeignKeyDef) bool { return cyclic[fk.Name] })
		d.emit(&Operation{Kind: CreateTable, Table: t.Name, Def: def})
	}
	// Columns.
	for _, want := range kept {
		have := d.state.Table(want.Name)
		for _, c := range want.Columns {
			old := have.Column(c.Name)
			cc := *c
			cc.RenamedFrom = ""
			switch {
			case old == nil:
				d.emit(&Operation{Kind: AddColumn, Table: want.Name, Column: &cc})
			case !sameColumn(old, c):
				d.emit(&Operation{Kind: AlterColumn, Table: want.Name, Name: c.Name, Column: &cc})
			}
		}
		for _, c := range slices.Clone(have.Columns) {
			if want.Column(c.Name) == nil {
				d.emit(&Operation{Kind: DropColumn, Table: want.Name, Name: c.Name})
			}
		}
	}
	// New indexes and constraints, then foreign keys.
	for _, want := range kept {
		have := d.state.Table(want.Name)
		for _, u := range want.Uniques {
			if findUnique(have, u.Name) == nil {
				d.emit(&Operation{Kind: AddUnique, Table: want.Name, Unique: u})
			}
		}
		for _, ix := range want.Indexes {
			if findIndex(have, ix.Name) == nil {
				d.emit(&Operation{Kind: AddIndex, Table: want.Name, Index: ix})
			}
		}
		for _, ck := range want.Checks {
			if findCheck(have, ck.Name) == nil {
				d.emit(&Operation{Kind: AddCheck, Table: want.Name, Check: ck})
			}
		}
	}
	for _, want := range d.to.Tables {
		have := d.state.Table(want.Name)
		for _, fk := range want.ForeignKeys {
			if findFK(have, fk.Name) == nil {
				d.emit(&Operation{Kind: AddForeignKey, Table: want.Name, ForeignKey: fk})
			}
		}
	}
	for i := len(dorder) - 1; i >= 0; i-- {
		d.emit(&Operation{Kind: DropTable, Table: dorder[i].Name})
	}
	return d.err
}

// renames emits the declared (or confirmed) renames of tables and columns.
func (d *differ) renames() error {
	var ambiguous []RenameCandidate
	ask := func(c RenameCandidate) bool {
		if d.opts.Ask != nil {
			return d.opts.Ask(c)
		}
		ambiguous = append(ambiguous, c)
		return false
	}
	// Tables.
	for _, t := range d.to.Tables {
		if t.RenamedFrom != "" && d.state.Table(t.Name) == nil && d.state.Table(t.RenamedFrom) != nil && d.to.Table(t.RenamedFrom) == nil {
			d.emit(&Operation{Kind: RenameTable, Table: t.RenamedFrom, NewName: t.Name})
		}
	}
	var gone, added []*core.TableDef
	for _, t := range d.state.Tables {
		if d.to.Table(t.Name) == nil {
			gone = append(gone, t)
		}
	}
	for _, t := range d.to.Tables {
		if d.state.Table(t.Name) == nil {
			added = append(added, t)
		}
	}
	taken := map[string]bool{}
	for _, a := range added {
		for _, g := range gone {
			if taken[g.Name] || !sameColumns(g, a) {
				continue
			}
			if ask(RenameCandidate{Old: g.Name, New: a.Name}) {
				taken[g.Name] = true
				d.emit(&Operation{Kind: RenameTable, Table: g.Name, NewName: a.Name})
				break
			}
		}
	}
	// Columns of the tables that exist on both sides.
	for _, want := range d.to.Tables {
		have := d.state.Table(want.Name)
		if have == nil {
			continue
		}
		for _, c := range want.Columns {
			if c.RenamedFrom != "" && have.Column(c.Name) == nil && have.Column(c.RenamedFrom) != nil && want.Column(c.RenamedFrom) == nil {
				d.emit(&Operation{Kind: RenameColumn, Table: want.Name, Name: c.RenamedFrom, NewName: c.Name})
			}
		}
		taken := map[string]bool{}
		for _, c := range want.Columns {
			if have.Column(c.Name) != nil {
				continue
			}
			for _, old := range have.Columns {
				if taken[old.Name] || want.Column(old.Name) != nil || !sameColumn(old, c) {
					continue
				}
				if ask(RenameCandidate{Table: want.Name, Old: old.Name, New: c.Name}) {
					taken[old.Name] = true
					d.emit(&Operation{Kind: RenameColumn, Table: want.Name, Name: old.Name, NewName: c.Name})
					break
				}
			}
		}
	}
	if len(ambiguous) > 0 {
		return &AmbiguousRenameError{Candidates: ambiguous}
	}
	return d.err
}

// renameMatching renames the indexes and constraints of have whose
// definition want has under another name.
func (d *differ) renameMatching(have, want *core.TableDef) {
	if have.PrimaryKeyName != want.PrimaryKeyName && have.PrimaryKeyName != "" && want.PrimaryKeyName != "" && !hasName(have, want.PrimaryKeyName) {
		d.emit(&Operation{Kind: RenameConstraint, Table: have.Name, Name: have.PrimaryKeyName, NewName: want.PrimaryKeyName})
	}
	for _, ix := range slices.Clone(have.Indexes) {
		if findIndex(want, ix.Name) != nil {
			continue
		}
		for _, w := range want.Indexes {
			if sameIndex(w, ix) && !hasName(have, w.Name) {
				d.emit(&Operation{Kind: RenameIndex, Table: have.Name, Name: ix.Name, NewName: w.Name})
				break
			}
		}
	}
	for _, u := range slices.Clone(have.Uniques) {
		if findUnique(want, u.Name) != nil {
			continue
		}
		for _, w := range want.Uniques {
			if slices.Equal(w.Columns, u.Columns) && !hasName(have, w.Name) {
				d.emit(&Operation{Kind: RenameConstraint, Table: have.Name, Name: u.Name, NewName: w.Name})
				break
			}
		}
	}
	for _, ck := range slices.Clone(have.Checks) {
		if findCheck(want, ck.Name) != nil {
			continue
		}
		for _, w := range want.Checks {
			if w.Expr == ck.Expr && !hasName(have, w.Name) {
				d.emit(&Operation{Kind: RenameConstraint, Table: have.Name, Name: ck.Name, NewName: w.Name})
				break
			}
		}
	}
	for _, fk := range slices.Clone(have.ForeignKeys) {
		if findFK(want, fk.Name) != nil {
			continue
		}
		for _, w := range want.ForeignKeys {
			same := *w
			same.Name = fk.Name
			if same == *fk && !hasName(have, w.Name) {
				d.emit(&Operation{Kind: RenameConstraint, Table: have.Name, Name: fk.Name, NewName: w.Name})
				break
			}
		}
	}
}

// isKey reports whether column name of t is its single-column primary key
// or has a single-column unique constraint or index.
func isKey(t *core.TableDef, name string) bool {
	var pk []string
	for _, c := range t.Columns {
		if c.PrimaryKey {
			pk = append(pk, c.Name)
		}
	}
	if len(pk) == 1 && pk[0] == name {
		return true
	}
	for _, u := range t.Uniques {
		if len(u.Columns) == 1 && u.Columns[0] == name {
			return true
		}
	}
	for _, ix := range t.Indexes {
		if ix.Unique && len(ix.Columns) == 1 && ix.Columns[0] == name {
			return true
		}
	}
	return false
}

// changedColumn reports whether column name changes definition between
// have and want (so constraints on it are dropped and made again).
func changedColumn(have, want *core.TableDef, name string) bool {
	a, b := have.Column(name), want.Column(name)
	return a == nil || b == nil || a.Type != b.Type
}

func sameColumns(a, b *core.TableDef) bool {
	if len(a.Columns) != len(b.Columns) {
		return false
	}
	for i, c := range a.Columns {
		if c.Name != b.Columns[i].Name || !sameColumn(c, b.Columns[i]) {
			return false
		}
	}
	return true
}

func sameIndex(a, b *core.Index) bool {
	return a.Unique == b.Unique && slices.Equal(a.Columns, b.Columns)
}

func findIndex(t *core.TableDef, name string) *core.Index {
	if t == nil {
		return nil
	}
	for _, ix := range t.Indexes {
		if ix.Name == name {
			return ix
		}
	}
	return nil
}

func findUnique(t *core.TableDef, name string) *core.UniqueConstraint {
	if t == nil {
		return nil
	}
	for _, u := range t.Uniques {
		if u.Name == name {
			return u
		}
	}
	return nil
}

func findCheck(t *core.TableDef, name string) *core.CheckConstraint {
	if t == nil {
		return nil
	}
	for _, c := range t.Checks {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func findFK(t *core.TableDef, name string) *core.ForeignKeyDef {
	if t == nil {
		return nil
	}
	for _, fk := range t.ForeignKeys {
		if fk.Name == name {
			return fk
		}
	}
	return nil
}

// createOrder orders tables so that each comes after the tables of the set
// it refers to, keeping the given order where it can; the foreign keys that
// close a cycle (named in cyclic) are the ones that could not be honoured.
func createOrder(tables []*core.TableDef) (order []*core.TableDef, cyclic map[string]bool) {
	cyclic = map[string]bool{}
	in := map[string]bool{}
	for _, t := range tables {
		in[t.Name] = true
	}
	done := map[string]bool{}
	for len(order) < len(tables) {
		progress := false
		for _, t := range tables {
			if done[t.Name] {
				continue
			}
			ready := true
			for _, fk := range t.ForeignKeys {
				if fk.RefTable != t.Name && in[fk.RefTable] && !done[fk.RefTable] {
					ready = false
				}
			}
			if ready {
				done[t.Name] = true
				order = append(order, t)
				progress = true
			}
		}
		if !progress {
			// A cycle: take the first remaining table and defer its keys
			// to tables not yet created.
			for _, t := range tables {
				if done[t.Name] {
					continue
				}
				for _, fk := range t.ForeignKeys {
					if fk.RefTable != t.Name && in[fk.RefTable] && !done[fk.RefTable] {
						cyclic[fk.Name] = true
					}
				}
				done[t.Name] = true
				order = append(order, t)
				break
			}
		}
	}
	return order, cyclic
}
