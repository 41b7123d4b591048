package migrate_test

import (
	"context"
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
