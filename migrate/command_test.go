package migrate_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/migrate"
)

// The command's sub-commands, end to end on SQLite, with their output.
func TestCommand(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "migrations")
	db, err := core.Open(ctx, "sqlite:///"+filepath.Join(t.TempDir(), "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out bytes.Buffer
	run := func(md *core.MetaData, stdin string, args ...string) error {
		out.Reset()
		c := migrate.Command(md, db, migrate.InDir(dir), migrate.ForDialects(core.SQLite, core.Postgres),
			migrate.WithIO(strings.NewReader(stdin), &out, &out))
		return c.Run(ctx, args)
	}
	v1 := counterMeta(t)
	expect := func(err error, want ...string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		for _, w := range want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("output lacks %q:\n%s", w, out.String())
			}
		}
	}
	expect(run(v1, "", "make", "init"), "migration 0001_init:", `create table "counter"`, "0001_init.sqlite.up.sql", "0001_init.postgres.down.sql")
	expect(run(v1, "", "make", "again"), "no changes")
	expect(run(v1, "", "sql"), "-- 0001_init", `CREATE TABLE "counter"`)
	expect(run(v1, "", "status"), "0001     init  pending")
	expect(run(v1, "", "check"))
	noDB := func(md *core.MetaData) error {
		out.Reset()
		return migrate.Command(md, nil, migrate.InDir(dir), migrate.WithIO(strings.NewReader(""), &out, &out)).Run(ctx, []string{"check"})
	}
	expect(noDB(v1), "ok: the models match the migration history (no database given)")
	if err := noDB(counterMeta2(t)); !errors.Is(err, migrate.ErrDrift) {
		t.Fatalf("check without a database, changed models: %v", err)
	}
	expect(run(v1, "", "up"), "applied 0001_init")
	expect(run(v1, "", "version"), "0001")
	expect(run(v1, "", "check"), "ok:")
	// A rename answered interactively.
	v2 := mustMeta(t, core.NewTable("counter",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "label", Type: core.String(20)},
	))
	if err := run(v2, "", "check"); !errors.Is(err, migrate.ErrDrift) || !strings.Contains(err.Error(), "run make") {
		t.Fatalf("check with changed models: %v", err)
	}
	if err := run(v2, "", "make", "rename"); !errors.Is(err, migrate.ErrAmbiguousRename) {
		t.Fatalf("make with an undeclared rename: %v", err)
	}
	expect(run(v2, "y\n", "make", "rename", "-i"), `Was column "counter"."note" -> "label" a rename`, `rename column "counter"."note" to "label"`)
	expect(run(v2, "", "up", "1"), "applied 0002_rename")
	expect(run(v2, "", "down", "1"), "undid 0002_rename")
	expect(run(v2, "", "status"), "0002     rename  pending")
	if err := run(v2, "", "down"); err == nil {
		t.Error("down without a count succeeded")
	}
	if err := run(v2, "", "frobnicate"); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("unknown command: %v", err)
	}
	// The database drifts: check lists it.
	if _, err := db.Execute(ctx, "ALTER TABLE counter ADD COLUMN extra INTEGER"); err != nil {
		t.Fatal(err)
	}
	if err := run(v1, "", "check"); !errors.Is(err, migrate.ErrDrift) || !strings.Contains(err.Error(), `column "extra": not in the history`) {
		t.Fatalf("check of a drifted database: %v", err)
	}
}

func counterMeta2(t *testing.T) *core.MetaData {
	return mustMeta(t, core.NewTable("counter",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "note", Type: core.String(20)},
		&core.Column{Name: "extra", Type: core.Integer(), Nullable: true},
	))
}
