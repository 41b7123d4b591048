package migrate_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/migrate"
	"github.com/atomdb/atomdb/orm"
	"github.com/atomdb/atomdb/tests/harness"
)

type Artist struct {
	orm.Model `orm:"table=artists"`
	ID        int64   `db:"id"`
	Name      string  `db:"name" orm:"size=100,unique"`
	Bio       *string `db:"bio" orm:"type=text"`
	Active    bool    `db:"active" orm:"default=true"`
}

type Record struct {
	orm.Model `orm:"table=records"`
	ID        int64   `db:"id"`
	Artist    *Artist `db:"artist_id" orm:"fk,on_delete=cascade"`
	Title     string  `db:"title" orm:"size=200,index"`
	Year      int32   `db:"year" orm:"default=2000"`
	Price     float64 `db:"price"`
}

func (Record) Meta() orm.Meta {
	return orm.Meta{UniqueTogether: [][]string{{"artist", "title"}}}
}

// RecordV2 is Record after a rename declared with renamed_from.
type RecordV2 struct {
	orm.Model `orm:"table=records"`
	ID        int64   `db:"id"`
	Artist    *Artist `db:"artist_id" orm:"fk,on_delete=cascade"`
	Name      string  `db:"name" orm:"size=200,index,renamed_from=title"`
	Year      int32   `db:"year" orm:"default=2000"`
	Price     float64 `db:"price"`
}

func (RecordV2) Meta() orm.Meta {
	return orm.Meta{UniqueTogether: [][]string{{"artist", "name"}}}
}

func registry(t *testing.T, models ...any) *core.MetaData {
	t.Helper()
	r := orm.NewRegistry()
	if err := r.Register(models...); err != nil {
		t.Fatal(err)
	}
	md, err := r.MetaData()
	if err != nil {
		t.Fatal(err)
	}
	return md
}

// From an empty database, make and up give exactly the schema
// orm.CreateTables gives; a field renamed with renamed_from= is renamed,
// keeping its values and the names derived from it.
func TestMakeUpEqualsCreateTables(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		md := registry(t, Artist{}, Record{})
		dir := t.TempDir()
		if _, err := migrate.Make(md, dir, "init", migrate.MakeOptions{}); err != nil {
			t.Fatal(err)
		}
		m := load(t, db, dir)
		if _, err := m.Up(ctx, 0); err != nil {
			t.Fatal(err)
		}
		other := harness.Open(t, backendName(db))
		if err := orm.CreateTables(ctx, other, Artist{}, Record{}); err != nil {
			t.Fatal(err)
		}
		migrated, err := migrate.Inspect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		created, err := migrate.Inspect(ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range migrate.Compare(db.Dialect(), created, migrated) {
			t.Errorf("migrated differs from CreateTables: %s", d)
		}
		if len(created.Tables) != 2 || len(migrated.Tables) != 3 {
			t.Errorf("tables: created %d, migrated %d (with the migrations table)", len(created.Tables), len(migrated.Tables))
		}
		// Baseline adopts the CreateTables database.
		if err := load(t, other, dir).Baseline(ctx, ""); err != nil {
			t.Fatalf("baseline: %v", err)
		}
		if v, _ := load(t, other, dir).Version(ctx); v != "0001" {
			t.Errorf("version after baseline = %q", v)
		}
		// The rename.
		if _, err := db.Execute(ctx, core.Stmt{SQL: "INSERT INTO artists (name, active) VALUES ('Wye Oak', " + boolSQL(db, true) + ")"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Execute(ctx, core.Stmt{SQL: "INSERT INTO records (artist_id, title, year, price) VALUES (1, 'Civilian', 2011, 9.5)"}); err != nil {
			t.Fatal(err)
		}
		md2 := registry(t, Artist{}, RecordV2{})
		made, err := migrate.Make(md2, dir, "rename_title", migrate.MakeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var kinds []migrate.OpKind
		for _, op := range made.Migration.Operations {
			kinds = append(kinds, op.Kind)
		}
		want := []migrate.OpKind{migrate.RenameColumn, migrate.RenameIndex, migrate.RenameConstraint}
		if len(kinds) != len(want) || kinds[0] != want[0] || kinds[1] != want[1] || kinds[2] != want[2] {
			t.Fatalf("operations = %v, want %v", kinds, want)
		}
		m = load(t, db, dir)
		if _, err := m.Up(ctx, 0); err != nil {
			t.Fatal(err)
		}
		noDrift(t, ctx, m, md2)
		name, err := db.FetchVal(ctx, core.Stmt{SQL: "SELECT name FROM records"})
		if err != nil || name != "Civilian" {
			t.Fatalf("renamed column = %v, %v", name, err)
		}
		// The baselined database matches the migrations it has applied.
		if err := load(t, other, dir).Check(ctx, md2); err != nil {
			t.Errorf("check of the baselined database before up: %v", err)
		}
	})
}

func boolSQL(db *core.Database, b bool) string {
	switch {
	case db.Dialect() == core.SQLite && b:
		return "1"
	case db.Dialect() == core.SQLite:
		return "0"
	case b:
		return "TRUE"
	}
	return "FALSE"
}

// Renames are never guessed: a column removed and another added with the
// same definition is refused without a question, and renamed when the
// question is answered yes.
func TestAmbiguousRename(t *testing.T) {
	v1 := mustMeta(t, core.NewTable("t",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
		&core.Column{Name: "a", Type: core.String(10)},
	))
	v2 := mustMeta(t, core.NewTable("t",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
		&core.Column{Name: "b", Type: core.String(10)},
	))
	dir := t.TempDir()
	if _, err := migrate.Make(v1, dir, "init", migrate.MakeOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := migrate.Make(v2, dir, "rename", migrate.MakeOptions{})
	var amb *migrate.AmbiguousRenameError
	if !errors.As(err, &amb) || !errors.Is(err, migrate.ErrAmbiguousRename) || len(amb.Candidates) != 1 ||
		amb.Candidates[0] != (migrate.RenameCandidate{Table: "t", Old: "a", New: "b"}) {
		t.Fatalf("make with an undeclared rename: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 8 {
		t.Errorf("a refused make wrote files: %d entries", len(entries))
	}
	// No: a drop and an add.
	made, err := migrate.Make(v2, dir, "replace", migrate.MakeOptions{Diff: migrate.DiffOptions{Ask: func(migrate.RenameCandidate) bool { return false }}})
	if err != nil || len(made.Migration.Operations) != 2 || made.Migration.Operations[0].Kind != migrate.AddColumn {
		t.Fatalf("answer no: %v %v", made, err)
	}
	if !made.Migration.Irreversible {
		t.Error("a migration that drops a column is not marked irreversible")
	}
	found := false
	for _, f := range made.Findings {
		found = found || (f.Kind == migrate.FindingDestructive && !f.Allowed)
	}
	if !found {
		t.Errorf("no destructive finding for the drop: %v", made.Findings)
	}
}

// Tables whose foreign keys form a cycle are created and dropped.
func TestForeignKeyCycle(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		md := allKinds(t)
		dir := t.TempDir()
		if _, err := migrate.Make(md, dir, "init", migrate.MakeOptions{}); err != nil {
			t.Fatal(err)
		}
		m := load(t, db, dir)
		if _, err := m.Up(ctx, 0); err != nil {
			t.Fatal(err)
		}
		noDrift(t, ctx, m, md)
		other := harness.Open(t, backendName(db))
		if err := md.CreateAll(ctx, other); err != nil {
			t.Fatal(err)
		}
		created, _ := migrate.Inspect(ctx, other)
		migrated, _ := migrate.Inspect(ctx, db)
		for _, d := range migrate.Compare(db.Dialect(), created, migrated) {
			t.Errorf("migrated differs from CreateAll: %s", d)
		}
		// Drop the cycle.
		order := md.Table("order")
		if _, err := migrate.Make(mustMeta(t, order), dir, "drop_books", migrate.MakeOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := load(t, db, dir).Up(ctx, 0); !errors.Is(err, migrate.ErrLint) {
			t.Fatalf("dropping tables without allow: %v", err)
		}
		allowAll(t, dir, "0002", "destructive")
		m = load(t, db, dir)
		if _, err := m.Up(ctx, 0); err != nil {
			t.Fatal(err)
		}
		noDrift(t, ctx, m, mustMeta(t, order))
		if _, err := m.Down(ctx, 1); !errors.Is(err, migrate.ErrIrreversible) {
			t.Fatalf("down of a table drop: %v", err)
		}
	})
}

// A model may not take the migrations table's name.
func TestMakeRefusesOwnTableName(t *testing.T) {
	md := mustMeta(t, core.NewTable(migrate.DefaultTable, &core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true}))
	if _, err := migrate.Make(md, t.TempDir(), "init", migrate.MakeOptions{}); !errors.Is(err, migrate.ErrBadMigration) {
		t.Fatalf("make with a table called %s: %v", migrate.DefaultTable, err)
	}
	if _, err := migrate.Make(counterMeta(t), t.TempDir(), "Bad Name", migrate.MakeOptions{}); !errors.Is(err, migrate.ErrBadMigration) {
		t.Fatalf("make with a bad name: %v", err)
	}
	if _, err := migrate.Make(nil, t.TempDir(), "init", migrate.MakeOptions{}); !errors.Is(err, core.ErrInvalidSchema) {
		t.Fatalf("make without models: %v", err)
	}
}
