package core_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/atomdb/atomdb/core"
)

// A TableDef writes the same DDL as the Table it was made from, and names
// every constraint and index as the convention does.
func TestTableDefCreateSQL(t *testing.T) {
	tbl := core.NewTable("order",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "from", Type: core.String(40), Index: true, Default: "x"},
		&core.Column{Name: "code", Type: core.String(10), Unique: true},
		&core.Column{Name: "parent", Type: core.BigInt(), Nullable: true,
			ForeignKey: &core.ForeignKey{Table: "order", Column: "id", OnDelete: core.Cascade}},
	)
	tbl.Checks = []*core.CheckConstraint{{Name: "small", Expr: "id < 10"}}
	tbl.Indexes = []*core.Index{{Columns: []string{"from", "code"}, Unique: true}}
	def, err := tbl.Def(core.DefaultNaming)
	if err != nil {
		t.Fatal(err)
	}
	if def.PrimaryKeyName != "pk_order" || def.Checks[0].Name != "ck_order_small" || def.ForeignKeys[0].Name != "fk_order_parent_order" ||
		def.Uniques[0].Name != "uq_order_code" || def.Indexes[0].Name != "ix_order_from" || def.Indexes[1].Name != "ix_order_from_code" {
		t.Errorf("names: %+v", def)
	}
	for _, c := range def.Columns {
		if c.Unique || c.Index || c.ForeignKey != nil {
			t.Errorf("column %q keeps its flags in the TableDef", c.Name)
		}
	}
	if tbl.Column("code").Unique == false {
		t.Error("Def changed the Table's columns")
	}
	for _, d := range dialects {
		want, err := tbl.CreateSQL(d, core.DefaultNaming)
		if err != nil {
			t.Fatal(err)
		}
		table, idx, err := def.CreateSQL(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := append([]string{table}, idx...); !slices.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", d, got, want)
		}
		// A foreign key left out.
		table, _, err = def.CreateSQL(d, "fk_order_parent_order")
		if err != nil || table == want[0] {
			t.Errorf("%s: skipping the foreign key changed nothing (%v)", d, err)
		}
	}
	bad := *def
	bad.Indexes = []*core.Index{{Columns: []string{"from"}}}
	if _, _, err := bad.CreateSQL(core.Postgres); !errors.Is(err, core.ErrInvalidSchema) {
		t.Errorf("unnamed index: %v", err)
	}
	bad = *def
	bad.Indexes = []*core.Index{{Name: "ix", Columns: []string{"nope"}}}
	if _, _, err := bad.CreateSQL(core.Postgres); !errors.Is(err, core.ErrInvalidSchema) {
		t.Errorf("index on an unknown column: %v", err)
	}
	if s, err := core.ColumnSQL(core.MySQL, def.Column("from")); err != nil || s != "`from` VARCHAR(40) NOT NULL DEFAULT 'x'" {
		t.Errorf("ColumnSQL = %q, %v", s, err)
	}
	if s, err := core.DefaultSQL(core.Postgres, &core.Column{Name: "b", Type: core.Boolean(), Default: true}); err != nil || s != "TRUE" {
		t.Errorf("DefaultSQL = %q, %v", s, err)
	}
	if _, err := core.ColumnSQL(core.Postgres, nil); !errors.Is(err, core.ErrInvalidSchema) {
		t.Errorf("nil column: %v", err)
	}
}
