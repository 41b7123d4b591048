package migrate_test

import (
	"context"
	"testing"

	"github.com/atomdb/atomdb/migrate"
	"github.com/atomdb/atomdb/tests/harness"
)

// An SQLite rebuild of a table that a view reads keeps the view.
func TestSQLiteRebuildKeepsViews(t *testing.T) {
	ctx := context.Background()
	db := harness.Open(t, harness.SQLite)
	dir := t.TempDir()
	if _, err := migrate.Make(mustMeta(t, albums("name", "", 100)), dir, "init", migrate.MakeOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := load(t, db, dir).Up(ctx, 0); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"CREATE VIEW album_names AS SELECT name FROM albums", "INSERT INTO albums (name) VALUES ('a')"} {
		if _, err := db.Execute(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := migrate.Make(mustMeta(t, albums("name", "", 150)), dir, "widen", migrate.MakeOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := load(t, db, dir).Up(ctx, 0); err != nil {
		t.Fatal(err)
	}
	n, err := db.FetchVal(ctx, "SELECT COUNT(*) FROM album_names")
	if err != nil || n != int64(1) {
		t.Fatalf("view after the rebuild: %v, %v", n, err)
	}
}
