package tests

import (
	"context"
	"errors"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/tests/harness"
	"github.com/doug-martin/goqu/v9"
)

// A schema of reserved words, a self-referencing FK and a two-table FK cycle,
// created, used, dropped and created again on every backend.
func reservedSchema(t *testing.T) *core.MetaData {
	md := core.NewMetaData()
	order := core.NewTable("order",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "from", Type: core.String(40), Index: true},
		&core.Column{Name: "select", Type: core.Integer(), Default: 7},
		&core.Column{Name: "group", Type: core.String(20), Nullable: true, Unique: true},
		&core.Column{Name: "parent", Type: core.BigInt(), Nullable: true,
			ForeignKey: &core.ForeignKey{Table: "order", Column: "id", OnDelete: core.Cascade}},
	)
	order.Checks = []*core.CheckConstraint{{Name: "select_small", Expr: "1 = 1"}}
	order.Indexes = []*core.Index{{Columns: []string{"from", "select"}}}
	author := core.NewTable("author",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
		&core.Column{Name: "best_book", Type: core.BigInt(), Nullable: true,
			ForeignKey: &core.ForeignKey{Table: "book", Column: "id", OnDelete: core.SetNull}},
	)
	book := core.NewTable("book",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
		&core.Column{Name: "author", Type: core.BigInt(), Nullable: true,
			ForeignKey: &core.ForeignKey{Table: "author", Column: "id", OnDelete: core.SetNull}},
	)
	if err := md.Add(order, author, book); err != nil {
		t.Fatal(err)
	}
	return md
}

func TestDDLRoundTrip(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		md := reservedSchema(t)
		for round := range 2 {
			if err := md.CreateAll(ctx, db); err != nil {
				t.Fatalf("round %d: create: %v", round, err)
			}
			if err := md.CreateAll(ctx, db, core.IfNotExists()); err != nil {
				t.Fatalf("round %d: create if not exists: %v", round, err)
			}
			ins := goqu.Insert("order").Rows(goqu.Record{"from": "a", "group": "g1"})
			if db.Dialect() == core.Postgres {
				ins = ins.Returning("id") // how PostgreSQL reports the new key
			}
			res, err := db.Execute(ctx, ins)
			if err != nil {
				t.Fatalf("round %d: insert: %v", round, err)
			}
			if res.LastInsertID != 1 {
				t.Errorf("round %d: LastInsertID = %d, want 1", round, res.LastInsertID)
			}
			if _, err := db.Execute(ctx, goqu.Insert("order").Rows(goqu.Record{"from": "b", "parent": res.LastInsertID})); err != nil {
				t.Fatal(err)
			}
			row, err := db.FetchOne(ctx, goqu.From("order").Select("from", "select", "group").Where(goqu.C("from").Eq("b")))
			if err != nil {
				t.Fatal(err)
			}
			if row.Get("from") != "b" || row.Get("select") != int64(7) || row.Get("group") != nil {
				t.Errorf("row = %v, want from=b select=7 (the default) group=nil", row)
			}
			if _, err := db.Execute(ctx, goqu.Insert("order").Rows(goqu.Record{"from": "c", "group": "g1"})); !errors.Is(err, core.ErrUniqueViolation) {
				t.Errorf("duplicate group: %v", err)
			}
			// ON DELETE CASCADE through the self-reference.
			if _, err := db.Execute(ctx, goqu.Delete("order").Where(goqu.C("id").Eq(res.LastInsertID))); err != nil {
				t.Fatal(err)
			}
			if n, _ := db.FetchVal(ctx, goqu.From("order").Select(goqu.COUNT("*"))); n != int64(0) {
				t.Errorf("after cascade: %v rows", n)
			}
			// Rows pointing at each other across the cycle; ON DELETE SET NULL.
			if _, err := db.Execute(ctx, goqu.Insert("author").Rows(goqu.Record{"id": 1})); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Execute(ctx, goqu.Insert("book").Rows(goqu.Record{"id": 10, "author": 1})); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Execute(ctx, goqu.Update("author").Set(goqu.Record{"best_book": 10}).Where(goqu.C("id").Eq(1))); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Execute(ctx, goqu.Update("author").Set(goqu.Record{"best_book": 99})); !errors.Is(err, core.ErrForeignKeyViolation) {
				t.Errorf("dangling best_book: %v", err)
			}
			if _, err := db.Execute(ctx, goqu.Delete("book")); err != nil {
				t.Fatal(err)
			}
			if v, _ := db.FetchVal(ctx, goqu.From("author").Select("best_book")); v != nil {
				t.Errorf("best_book after delete = %v, want NULL", v)
			}
			if _, err := db.Execute(ctx, goqu.Insert("book").Rows(goqu.Record{"id": 11, "author": 1})); err != nil {
				t.Fatal(err)
			}
			if err := md.DropAll(ctx, db); err != nil {
				t.Fatalf("round %d: drop: %v", round, err)
			}
		}
		if err := md.DropAll(ctx, db, core.IfExists()); err != nil {
			t.Fatalf("drop if exists on nothing: %v", err)
		}
		if _, err := db.FetchAll(ctx, goqu.From("order")); err == nil {
			t.Error("table order survived DropAll")
		}
	})
}

func TestInvalidSchemaIsAnErrorNamingTableAndColumn(t *testing.T) {
	md := core.NewMetaData()
	err := md.Add(core.NewTable("t",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
		&core.Column{Name: "ref", Type: core.BigInt(), ForeignKey: &core.ForeignKey{Table: "missing", Column: "id"}},
	))
	if err == nil {
		err = md.Validate()
	}
	var se *core.SchemaError
	if !errors.As(err, &se) || se.Table != "t" || se.Column != "ref" || !errors.Is(err, core.ErrInvalidSchema) {
		t.Fatalf("err = %v, want a SchemaError naming t.ref", err)
	}
}
