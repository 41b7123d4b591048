package migrate_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/migrate"
	"github.com/atomdb/atomdb/orm"
	"github.com/atomdb/atomdb/tests/harness"
)

// An SQLite rebuild keeps the table's triggers and its AUTOINCREMENT
// counter (an id once used is not given again).
func TestSQLiteRebuildKeepsTriggersAndSequence(t *testing.T) {
	ctx := context.Background()
	db := harness.Open(t, harness.SQLite)
	dir := t.TempDir()
	v1 := mustMeta(t, albums("name", "", 100), core.NewTable("log", &core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "what", Type: core.String(100)}))
	if _, err := migrate.Make(v1, dir, "init", migrate.MakeOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := load(t, db, dir).Up(ctx, 0); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TRIGGER albums_log AFTER INSERT ON albums BEGIN INSERT INTO log (what) VALUES (NEW.name); END`,
		"INSERT INTO albums (name) VALUES ('a')", "INSERT INTO albums (name) VALUES ('b')", "INSERT INTO albums (name) VALUES ('c')",
		"DELETE FROM albums WHERE name = 'c'",
	} {
		if _, err := db.Execute(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	v2 := mustMeta(t, albums("name", "", 150), v1.Table("log"))
	made, err := migrate.Make(v2, dir, "widen", migrate.MakeOptions{Dialects: []*core.Dialect{core.SQLite}})
	if err != nil {
		t.Fatal(err)
	}
	if sc := made.Migration.Up["sqlite"]; len(sc.Rebuilt) != 1 {
		t.Fatalf("no rebuild: %+v", sc)
	}
	if _, err := load(t, db, dir).Up(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Execute(ctx, "INSERT INTO albums (name) VALUES ('d')"); err != nil {
		t.Fatal(err)
	}
	id, err := db.FetchVal(ctx, "SELECT id FROM albums WHERE name = 'd'")
	if err != nil || id != int64(4) {
		t.Errorf("id after the rebuild = %v, %v; want 4 (3 was used)", id, err)
	}
	n, err := db.FetchVal(ctx, "SELECT COUNT(*) FROM log")
	if err != nil || n != int64(4) {
		t.Errorf("rows the trigger logged = %v, %v; want 4", n, err)
	}
}

// A PostgreSQL migration marked no-transaction runs CREATE INDEX
// CONCURRENTLY; the INVALID index a failed build leaves is named.
func TestPostgresConcurrentIndex(t *testing.T) {
	ctx := context.Background()
	db := harness.Open(t, harness.Postgres)
	dir := t.TempDir()
	v1 := counterMeta(t)
	if _, err := migrate.Make(v1, dir, "init", migrate.MakeOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := load(t, db, dir).Up(ctx, 0); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := db.Execute(ctx, "INSERT INTO counter (note) VALUES ('same')"); err != nil {
			t.Fatal(err)
		}
	}
	v2 := mustMeta(t, core.NewTable("counter",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "note", Type: core.String(20)},
	))
	v2.Table("counter").Indexes = []*core.Index{{Columns: []string{"note"}, Unique: true}}
	made, err := migrate.Make(v2, dir, "unique_note", migrate.MakeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Without allow: data-dependent (rows) and table-locking (PostgreSQL).
	_, err = load(t, db, dir).Up(ctx, 0)
	var le *migrate.LintError
	if !errors.As(err, &le) || len(le.Findings) != 2 {
		t.Fatalf("lint: %v", err)
	}
	allowAll(t, dir, made.Migration.Version, "data")
	up := filepath.Join(dir, "0002_unique_note.postgres.up.sql")
	if err := os.WriteFile(up, []byte("-- atomdb:no-transaction\n\nCREATE UNIQUE INDEX CONCURRENTLY \"ix_counter_note\" ON \"counter\" (\"note\");\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := migrate.Hash(dir); err != nil {
		t.Fatal(err)
	}
	_, err = load(t, db, dir).Up(ctx, 0)
	if !errors.Is(err, core.ErrUniqueViolation) || !strings.Contains(err.Error(), "INVALID") || !strings.Contains(err.Error(), "ix_counter_note") {
		t.Fatalf("failed concurrent build: %v", err)
	}
	for _, q := range []string{`DROP INDEX "ix_counter_note"`, "DELETE FROM counter WHERE id = 2"} {
		if _, err := db.Execute(ctx, core.Stmt{SQL: q}); err != nil {
			t.Fatal(err)
		}
	}
	m := load(t, db, dir)
	if _, err := m.Up(ctx, 0); err != nil {
		t.Fatal(err)
	}
	noDrift(t, ctx, m, v2)
	// WithTxLock (PgBouncer) refuses a no-transaction migration, and runs
	// the others.
	if _, err := load(t, db, dir, migrate.WithTxLock()).Down(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := load(t, db, dir, migrate.WithTxLock()).Up(ctx, 0); !errors.Is(err, migrate.ErrUnsupported) {
		t.Fatalf("no-transaction with WithTxLock: %v", err)
	}
}

// A Go data migration runs in the migration's transaction: its failure
// leaves nothing behind on PostgreSQL and SQLite.
func TestGoDataMigration(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		dir := t.TempDir()
		if _, err := migrate.Make(counterMeta(t), dir, "init", migrate.MakeOptions{}); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		failing := func(ctx context.Context, db *core.Database) error {
			if _, err := db.Execute(ctx, "INSERT INTO counter (note) VALUES ('go')"); err != nil {
				return err
			}
			return boom
		}
		_, err := load(t, db, dir, migrate.WithGo("0001", failing, nil)).Up(ctx, 0)
		if !errors.Is(err, boom) {
			t.Fatalf("failing Go migration: %v", err)
		}
		m := load(t, db, dir)
		if db.Dialect() != core.MySQL {
			if v, _ := m.Version(ctx); v != "" {
				t.Fatalf("version after a failed Go migration = %q", v)
			}
			if _, err := db.FetchVal(ctx, "SELECT COUNT(*) FROM counter"); err == nil {
				t.Fatal("the migration's table survived the rollback")
			}
		}
		ok := func(ctx context.Context, db *core.Database) error {
			_, err := db.Execute(ctx, "INSERT INTO counter (note) VALUES ('go')")
			return err
		}
		if _, err := load(t, db, dir, migrate.WithGo("0001", ok, nil)).Up(ctx, 0); err != nil {
			t.Fatal(err)
		}
		n, err := db.FetchVal(ctx, "SELECT COUNT(*) FROM counter WHERE note = 'go'")
		if err != nil || n != int64(1) {
			t.Fatalf("rows the Go migration wrote = %v, %v", n, err)
		}
		// The down function runs after the down SQL.
		ran := false
		down := func(ctx context.Context, db *core.Database) error {
			ran = true
			_, err := db.FetchVal(ctx, "SELECT COUNT(*) FROM counter")
			if err == nil {
				return errors.New("the table still exists when the down function runs")
			}
			return nil
		}
		if db.Dialect() == core.Postgres {
			// A failed statement aborts a PostgreSQL transaction: probe
			// the catalog instead.
			down = func(ctx context.Context, db *core.Database) error {
				ran = true
				v, err := db.FetchVal(ctx, "SELECT to_regclass('counter') IS NULL")
				if err != nil || v != true {
					return fmt.Errorf("the table still exists when the down function runs (%v, %v)", v, err)
				}
				return nil
			}
		}
		if _, err := load(t, db, dir, migrate.WithGo("0001", ok, down)).Down(ctx, 1); err != nil || !ran {
			t.Fatalf("down with a Go function: %v (ran %v)", err, ran)
		}
	})
}

// Two migrations with the same parent (two branches merged) are refused.
func TestSameParentRefused(t *testing.T) {
	base := t.TempDir()
	if _, err := migrate.Make(counterMeta(t), base, "init", migrate.MakeOptions{}); err != nil {
		t.Fatal(err)
	}
	branch := func(name string, col string) string {
		dir := t.TempDir()
		entries, _ := os.ReadDir(base)
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(base, e.Name()))
			os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644)
		}
		md := mustMeta(t, core.NewTable("counter",
			&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
			&core.Column{Name: "note", Type: core.String(20)},
			&core.Column{Name: col, Type: core.Integer(), Nullable: true},
		))
		if _, err := migrate.Make(md, dir, name, migrate.MakeOptions{}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	a, b := branch("add_a", "a"), branch("add_b", "b")
	entries, _ := os.ReadDir(b)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "0002_") {
			data, _ := os.ReadFile(filepath.Join(b, e.Name()))
			os.WriteFile(filepath.Join(a, e.Name()), data, 0o644)
		}
	}
	// The merged directory's sum is stale; after rehashing, the two
	// parents are.
	if _, err := migrate.Load(os.DirFS(a)); !errors.Is(err, migrate.ErrChecksum) {
		t.Fatalf("merged directory with a stale sum: %v", err)
	}
	if err := migrate.Hash(a); err != nil {
		t.Fatal(err)
	}
	if _, err := migrate.Load(os.DirFS(a)); !errors.Is(err, migrate.ErrHistory) || !strings.Contains(err.Error(), "same parent") {
		t.Fatalf("two migrations with the same parent: %v", err)
	}
}

type Musician struct {
	orm.Model
	ID   int64  `db:"id"`
	Name string `db:"name" orm:"size=100,unique"`
}

func (Musician) Meta() orm.Meta { return orm.Meta{Table: "musicians", RenamedFrom: "artists"} }

type Song struct {
	orm.Model `orm:"table=songs"`
	ID        int64     `db:"id"`
	By        *Musician `db:"artist_id" orm:"fk,on_delete=cascade"`
}

type SongV1 struct {
	orm.Model `orm:"table=songs"`
	ID        int64   `db:"id"`
	By        *Artist `db:"artist_id" orm:"fk,on_delete=cascade"`
}

// A table renamed with orm.Meta.RenamedFrom is renamed with the names
// derived from it, and the foreign keys that refer to it follow.
func TestTableRename(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		dir := t.TempDir()
		if _, err := migrate.Make(registry(t, Artist{}, SongV1{}), dir, "init", migrate.MakeOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := load(t, db, dir).Up(ctx, 0); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"INSERT INTO artists (name, active) VALUES ('x', " + boolSQL(db, true) + ")", "INSERT INTO songs (artist_id) VALUES (1)"} {
			if _, err := db.Execute(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		md := registry(t, Musician{}, Song{})
		made, err := migrate.Make(md, dir, "musicians", migrate.MakeOptions{Diff: migrate.DiffOptions{}})
		if err != nil {
			t.Fatal(err)
		}
		if made.Migration.Operations[0].Kind != migrate.RenameTable {
			t.Fatalf("operations: %v", made.Migration.Operations)
		}
		allowAll(t, dir, made.Migration.Version, "destructive") // Musician has no bio/active: dropped
		m := load(t, db, dir)
		if _, err := m.Up(ctx, 0); err != nil {
			t.Fatal(err)
		}
		noDrift(t, ctx, m, md)
		n, err := db.FetchVal(ctx, "SELECT COUNT(*) FROM musicians JOIN songs ON songs.artist_id = musicians.id")
		if err != nil || n != int64(1) {
			t.Fatalf("rows after the rename: %v, %v", n, err)
		}
	})
}

// Migrations load from any fs.FS (an embed.FS through fs.Sub): here a
// MapFS holding a directory's files under migrations/.
func TestLoadFromFS(t *testing.T) {
	dir := t.TempDir()
	if _, err := migrate.Make(counterMeta(t), dir, "init", migrate.MakeOptions{}); err != nil {
		t.Fatal(err)
	}
	mfs := fstest.MapFS{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		mfs["migrations/"+e.Name()] = &fstest.MapFile{Data: b}
	}
	sub, err := fs.Sub(mfs, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db := harness.Open(t, harness.SQLite)
	var out strings.Builder
	c := migrate.Command(counterMeta(t), db, migrate.FromFS(sub), migrate.InDir(filepath.Join(dir, "elsewhere")),
		migrate.WithIO(strings.NewReader(""), &out, &out))
	if err := c.Run(ctx, []string{"up"}); err != nil || !strings.Contains(out.String(), "applied 0001_init") {
		t.Fatalf("up from an fs.FS: %v\n%s", err, out.String())
	}
}
