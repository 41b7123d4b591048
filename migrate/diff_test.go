package migrate_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/migrate"
	"github.com/atomdb/atomdb/tests/harness"
)

// A new table whose foreign key refers to a column this same migration
// makes unique gets the key once the constraint exists.
func TestDiffOrdersKeysAfterTheirTarget(t *testing.T) {
	v1 := mustMeta(t, core.NewTable("albums",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
	))
	v2 := mustMeta(t,
		core.NewTable("albums",
			&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
			&core.Column{Name: "code", Type: core.String(10), Nullable: true, Unique: true},
		),
		core.NewTable("tags",
			&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
			&core.Column{Name: "album_code", Type: core.String(10), Nullable: true,
				ForeignKey: &core.ForeignKey{Table: "albums", Column: "code", OnDelete: core.Cascade}},
		))
	from, _ := migrate.FromMetaData(v1)
	to, _ := migrate.FromMetaData(v2)
	ops, err := migrate.Diff(from, to, migrate.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range ops {
		got = append(got, string(op.Kind))
	}
	want := "create_table add_column add_unique add_foreign_key"
	if strings.Join(got, " ") != want {
		t.Fatalf("operations %v, want %s", got, want)
	}
	if len(ops[0].Def.ForeignKeys) != 0 {
		t.Error("the new table declares the key before its target is unique")
	}
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		dir := t.TempDir()
		for i, md := range []*core.MetaData{v1, v2} {
			if _, err := migrate.Make(md, dir, "v"+string(rune('1'+i)), migrate.MakeOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		m := load(t, db, dir)
		if _, err := m.Up(ctx, 0); err != nil {
			t.Fatal(err)
		}
		noDrift(t, ctx, m, v2)
		if _, err := m.Down(ctx, 1); err != nil {
			t.Fatal(err)
		}
		noDrift(t, ctx, m, nil)
	})
}

// Foreign keys and indexes on the same column come and go in any order:
// MySQL's own index for a key neither lingers after the key nor blocks
// dropping the index that served it.
func TestForeignKeyIndexFlips(t *testing.T) {
	parent := core.NewTable("parent", &core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true})
	child := func(fk, index bool, fkName string) *core.Table {
		c := &core.Column{Name: "parent_id", Type: core.BigInt(), Nullable: true, Index: index}
		if fk {
			c.ForeignKey = &core.ForeignKey{Table: "parent", Column: "id", Name: fkName}
		}
		return core.NewTable("child", &core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true}, c)
	}
	versions := []*core.MetaData{
		mustMeta(t, parent, child(true, false, "")),
		mustMeta(t, parent, child(false, false, "")),
		mustMeta(t, parent, child(true, true, "")),
		mustMeta(t, parent, child(true, false, "")),
		mustMeta(t, parent, child(true, false, "fk_child_renamed")),
	}
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		dir := t.TempDir()
		for i, md := range versions {
			if _, err := migrate.Make(md, dir, "v"+string(rune('1'+i)), migrate.MakeOptions{}); err != nil {
				t.Fatal(err)
			}
			m := load(t, db, dir)
			if _, err := m.Up(ctx, 0); err != nil {
				t.Fatalf("v%d: %v", i+1, err)
			}
			noDrift(t, ctx, m, md)
		}
		m := load(t, db, dir)
		for i := len(versions) - 1; i > 0; i-- {
			if _, err := m.Down(ctx, 1); err != nil {
				t.Fatalf("down to v%d: %v", i, err)
			}
			noDrift(t, ctx, m, nil)
		}
	})
}

// A primary key moves to other columns and back, with its rows.
func TestPrimaryKeyChange(t *testing.T) {
	table := func(composite bool) *core.MetaData {
		return mustMeta(t, core.NewTable("pairs",
			&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
			&core.Column{Name: "code", Type: core.String(10), PrimaryKey: composite},
		))
	}
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		dir := t.TempDir()
		if _, err := migrate.Make(table(false), dir, "init", migrate.MakeOptions{}); err != nil {
			t.Fatal(err)
		}
		m := load(t, db, dir)
		if _, err := m.Up(ctx, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Execute(ctx, "INSERT INTO pairs (id, code) VALUES (1, 'a')"); err != nil {
			t.Fatal(err)
		}
		made, err := migrate.Make(table(true), dir, "composite", migrate.MakeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		allowAll(t, dir, made.Migration.Version, "data")
		m = load(t, db, dir)
		if _, err := m.Up(ctx, 0); err != nil {
			t.Fatal(err)
		}
		noDrift(t, ctx, m, table(true))
		if _, err := db.Execute(ctx, "INSERT INTO pairs (id, code) VALUES (1, 'b')"); err != nil {
			t.Fatalf("a row the composite key allows: %v", err)
		}
		if _, err := db.Execute(ctx, "DELETE FROM pairs WHERE code = 'b'"); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Down(ctx, 1); err != nil {
			t.Fatal(err)
		}
		noDrift(t, ctx, m, nil)
		if _, err := db.Execute(ctx, "INSERT INTO pairs (id, code) VALUES (1, 'c')"); !errors.Is(err, core.ErrUniqueViolation) {
			t.Fatalf("the old key is back: %v", err)
		}
	})
}

// A schema-qualified table is refused by name rather than migrated into the
// connection's own schema.
func TestSchemaQualifiedTableRefused(t *testing.T) {
	md := core.NewMetaData()
	if err := md.Add(core.NewTable("app.notes", &core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true})); err != nil {
		t.Fatal(err)
	}
	_, err := migrate.FromMetaData(md)
	if !errors.Is(err, migrate.ErrUnsupported) || !strings.Contains(err.Error(), `"app.notes"`) {
		t.Fatalf("got %v, want ErrUnsupported naming app.notes", err)
	}
}
