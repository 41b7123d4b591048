package core_test

import (
	"context"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
)

// identSeeds are names that try to leave the identifier they are written in.
var identSeeds = []string{
	"v",
	"V",
	"code`, `name`, `n`) VALUES (?, 'x', 1); DROP TABLE canary; -- ",
	`v", "v") VALUES (1, 1); DROP TABLE canary; --`,
	"v`) VALUES (1); DROP TABLE canary; --",
	`v"`,
	"v`",
	"",
	"v\x00",
	"v\x00`); DROP TABLE canary; --",
	"app.v",
	"v?",
	"$1",
	"\xff",
}

// fuzzDB is an in-memory SQLite database with a target table (one column v)
// and a canary table holding one row, which no statement may touch.
func fuzzDB(f *testing.F) *core.Database {
	ctx := context.Background()
	db, err := core.Open(ctx, "sqlite://:memory:")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	for _, s := range []string{"CREATE TABLE target (v INTEGER)", "CREATE TABLE canary (x INTEGER)", "INSERT INTO canary VALUES (1)"} {
		if _, err := db.Execute(ctx, s); err != nil {
			f.Fatal(err)
		}
	}
	return db
}

// checkOnlyTarget asserts that a statement writing one row to target with
// column name key either failed or wrote exactly that row, and that nothing
// else changed; it empties target for the next run.
func checkOnlyTarget(t *testing.T, db *core.Database, key string, err error) {
	t.Helper()
	ctx := context.Background()
	rows, qerr := db.FetchAll(ctx, "SELECT name FROM sqlite_master ORDER BY name")
	if qerr != nil {
		t.Fatal(qerr)
	}
	var names []string
	for _, r := range rows {
		names = append(names, r.At(0).(string))
	}
	if strings.Join(names, ",") != "canary,target" {
		t.Fatalf("key %q: the schema is now %q", key, names)
	}
	if n, _ := db.FetchVal(ctx, "SELECT COUNT(*) FROM canary WHERE x = 1"); n != int64(1) {
		t.Fatalf("key %q: canary holds %v rows", key, n)
	}
	n, qerr := db.FetchVal(ctx, "SELECT COUNT(*) FROM target WHERE v = 1")
	if qerr != nil {
		t.Fatal(qerr)
	}
	want := int64(0)
	if err == nil {
		want = 1
		if !strings.EqualFold(key, "v") {
			t.Errorf("key %q was accepted: only column v exists", key)
		}
	}
	if all, _ := db.FetchVal(ctx, "SELECT COUNT(*) FROM target"); n != want || all != want {
		t.Fatalf("key %q (err %v): target holds %v rows (%v with v = 1), want %d", key, err, all, n, want)
	}
	if _, err := db.Execute(ctx, "DELETE FROM target"); err != nil {
		t.Fatal(err)
	}
}

// Params keys given to ExecuteMany with a goqu insert are column names only.
func FuzzExecuteManyKeys(f *testing.F) {
	for _, s := range identSeeds {
		f.Add(s)
	}
	db := fuzzDB(f)
	f.Fuzz(func(t *testing.T, key string) {
		_, err := db.ExecuteMany(context.Background(), goqu.Insert("target"), []core.Params{{key: 1}})
		checkOnlyTarget(t, db, key, err)
	})
}

// goqu.Record keys of a dataset given to Execute are column names only.
func FuzzRecordKeys(f *testing.F) {
	for _, s := range identSeeds {
		f.Add(s)
	}
	db := fuzzDB(f)
	f.Fuzz(func(t *testing.T, key string) {
		_, err := db.Execute(context.Background(), goqu.Insert("target").Rows(goqu.Record{key: 1}))
		checkOnlyTarget(t, db, key, err)
	})
}
