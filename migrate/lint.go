package migrate

import (
	"fmt"

	"github.com/atomdb/atomdb/core"
)

// The kinds of lint finding, as an operation's Allow names them.
const (
	// FindingDestructive: the operation loses data (drop table, drop
	// column, narrowing a type).
	FindingDestructive = "destructive"
	// FindingData: the operation fails or not depending on the rows (NOT
	// NULL without a default on a table with rows, a new UNIQUE on a table
	// with rows).
	FindingData = "data"
	// FindingLocking: the operation locks a table with rows for its
	// duration (a non-concurrent index on PostgreSQL).
	FindingLocking = "locking"
)

// Finding is one lint finding about an operation of a migration.
type Finding struct {
	Kind      string // FindingDestructive, FindingData or FindingLocking
	Operation int    // 1-based index in the migration
	Op        *Operation
	Detail    string
	Allowed   bool // the operation allows it
}

// String describes the finding and, unless allowed, how to allow it.
func (f Finding) String() string {
	s := fmt.Sprintf("operation %d (%s) is %s: %s", f.Operation, f.Op, f.Kind, f.Detail)
	if !f.Allowed {
		s += fmt.Sprintf("; to apply it anyway add \"allow\": [%q] to it", f.Kind)
	}
	return s
}

// rowChecker reports whether a table has rows; nil means unknown (make,
// without a database).
type rowChecker func(table string) (bool, error)

// lint finds what is destructive, data-dependent or table-locking in m's
// operations, run against state before. With rows nil, the data and
// locking findings are made for any table that existed before (it may
// have rows); with a database, only for tables that have rows.
func lint(d *core.Dialect, before *Schema, m *Migration, rows rowChecker) ([]Finding, error) {
	var out []Finding
	state := before.clone()
	created := map[string]bool{}
	noTx := false
	if d == core.Postgres && m.Up["postgres"] != nil {
		noTx = m.Up["postgres"].NoTransaction
	}
	hasRows := func(table string) (bool, error) {
		if created[table] {
			return false, nil
		}
		if rows == nil {
			return true, nil
		}
		return rows(table)
	}
	for i, op := range m.Operations {
		find := func(kind, format string, args ...any) {
			out = append(out, Finding{Kind: kind, Operation: i + 1, Op: op, Detail: fmt.Sprintf(format, args...), Allowed: op.allows(kind)})
		}
		t := state.Table(op.Table)
		switch op.Kind {
		case CreateTable:
			created[op.Table] = true
		case DropTable:
			find(FindingDestructive, "the table's rows are lost")
		case DropColumn:
			find(FindingDestructive, "the column's values are lost")
		case AlterColumn:
			if t == nil {
				break
			}
			old := t.Column(op.Column.Name)
			if old == nil {
				break
			}
			if narrowing(old.Type, op.Column.Type) {
				find(FindingDestructive, "%s to %s may lose or refuse values", old.Type, op.Column.Type)
			}
			if !old.PrimaryKey && op.Column.PrimaryKey {
				r, err := hasRows(op.Table)
				if err != nil {
					return nil, err
				}
				if r {
					find(FindingData, "the new primary key fails if existing rows repeat its values")
				}
			}
			if old.Nullable && !op.Column.Nullable {
				r, err := hasRows(op.Table)
				if err != nil {
					return nil, err
				}
				if r {
					find(FindingData, "NOT NULL fails if a row holds NULL")
				}
			}
		case AddColumn:
			c := op.Column
			if !c.Nullable && c.Default == nil && !c.AutoIncrement {
				r, err := hasRows(op.Table)
				if err != nil {
					return nil, err
				}
				if r {
					find(FindingData, "a NOT NULL column without a default cannot be added to a table with rows")
				}
			}
		case AddUnique, AddIndex:
			unique := op.Kind == AddUnique || op.Index.Unique
			r, err := hasRows(op.Table)
			if err != nil {
				return nil, err
			}
			if unique && r {
				find(FindingData, "fails if existing rows are not unique")
			}
			if d == core.Postgres && r && !noTx {
				find(FindingLocking, "builds the index while holding a lock that blocks writes (use CREATE INDEX CONCURRENTLY in a no-transaction file)")
			}
		}
		if _, _, err := op.apply(state); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// lintStatic lints a new migration without a database, for every dialect.
func lintStatic(before *Schema, m *Migration) []Finding {
	f, _ := lint(core.Postgres, before, m, nil)
	return f
}

// narrowing reports whether changing a column from a to b can lose or
// refuse values it holds.
func narrowing(a, b core.Type) bool {
	if a == b {
		return false
	}
	rank := map[core.TypeKind]int{core.KindSmallInt: 1, core.KindInteger: 2, core.KindBigInt: 3}
	switch {
	case a.Kind == b.Kind:
		switch a.Kind {
		case core.KindString:
			return b.Length < a.Length
		case core.KindDecimal:
			return b.Precision-b.Scale < a.Precision-a.Scale || b.Scale < a.Scale
		}
		return a.Unsigned != b.Unsigned || a.Kind == core.KindCustom
	case rank[a.Kind] > 0 && rank[b.Kind] > 0:
		return rank[b.Kind] < rank[a.Kind] || a.Unsigned != b.Unsigned
	case rank[a.Kind] > 0 && (b.Kind == core.KindDecimal || b.Kind == core.KindDouble):
		return false
	case a.Kind == core.KindFloat && b.Kind == core.KindDouble:
		return false
	case a.Kind == core.KindString && b.Kind == core.KindText:
		return false
	}
	return true
}
