package migrate_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/migrate"
	"github.com/atomdb/atomdb/tests/harness"
)

// backendName is the harness's name for db's backend.
func backendName(db *core.Database) string {
	switch db.Dialect() {
	case core.Postgres:
		return harness.Postgres
	case core.MySQL:
		return harness.MySQL
	}
	return harness.SQLite
}

func mustMeta(t *testing.T, tables ...*core.Table) *core.MetaData {
	t.Helper()
	md := core.NewMetaData()
	if err := md.Add(tables...); err != nil {
		t.Fatal(err)
	}
	return md
}

// step is one version of the models of the sequence test.
type step struct {
	name  string
	build func() *core.MetaData
	allow string // an allow the migration's operations get before up
}

func albums(title string, renamed string, size int) *core.Table {
	return core.NewTable("albums",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: title, Type: core.String(size), Unique: true, RenamedFrom: renamed},
	)
}

type trackOpts struct {
	rating     *core.Type
	index      bool
	nullPos    bool
	previousFK bool
}

func tracks(o trackOpts) *core.Table {
	cols := []*core.Column{
		{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		{Name: "album_id", Type: core.BigInt(), ForeignKey: &core.ForeignKey{Table: "albums", Column: "id", OnDelete: core.Cascade}},
		{Name: "title", Type: core.String(100), Index: o.index},
		{Name: "position", Type: core.Integer(), Nullable: o.nullPos},
	}
	if o.rating != nil {
		cols = append(cols, &core.Column{Name: "rating", Type: *o.rating, Nullable: true})
	}
	if o.previousFK {
		cols = append(cols, &core.Column{Name: "previous_id", Type: core.BigInt(), Nullable: true,
			ForeignKey: &core.ForeignKey{Table: "tracks", Column: "id", OnDelete: core.SetNull}})
	}
	return core.NewTable("tracks", cols...)
}

func sequence(t *testing.T) []step {
	integer, bigint := core.Integer(), core.BigInt()
	return []step{
		{"init", func() *core.MetaData { return mustMeta(t, albums("name", "", 100), tracks(trackOpts{})) }, ""},
		{"add_rating", func() *core.MetaData {
			return mustMeta(t, albums("name", "", 100), tracks(trackOpts{rating: &integer}))
		}, ""},
		{"index_title", func() *core.MetaData {
			return mustMeta(t, albums("name", "", 100), tracks(trackOpts{rating: &integer, index: true}))
		}, "locking"},
		{"nullable_position", func() *core.MetaData {
			return mustMeta(t, albums("name", "", 100), tracks(trackOpts{rating: &integer, index: true, nullPos: true}))
		}, ""},
		{"rename_name", func() *core.MetaData {
			return mustMeta(t, albums("title", "name", 100), tracks(trackOpts{rating: &integer, index: true, nullPos: true}))
		}, ""},
		{"previous_track", func() *core.MetaData {
			return mustMeta(t, albums("title", "", 100), tracks(trackOpts{rating: &integer, index: true, nullPos: true, previousFK: true}))
		}, ""},
		{"widen", func() *core.MetaData {
			return mustMeta(t, albums("title", "", 200), tracks(trackOpts{rating: &bigint, index: true, nullPos: true, previousFK: true}))
		}, ""},
		{"drop_rating", func() *core.MetaData {
			return mustMeta(t, albums("title", "", 200), tracks(trackOpts{index: true, nullPos: true, previousFK: true}))
		}, "destructive"},
	}
}

// allowAll adds allow to every operation of the migration file of version
// in dir and rewrites the sum.
func allowAll(t *testing.T, dir, version, allow string) {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(dir, version+"_*.json"))
	if len(matches) != 1 {
		t.Fatalf("no operations file for %s", version)
	}
	b, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), `"op": `, `"allow": ["`+allow+`"], "op": `)
	if err := os.WriteFile(matches[0], []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := migrate.Hash(dir); err != nil {
		t.Fatal(err)
	}
}

func load(t *testing.T, db *core.Database, dir string, opts ...migrate.Option) *migrate.Migrator {
	t.Helper()
	m, err := migrate.New(db, os.DirFS(dir), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// noDrift fails the test when the live database differs from the state
// the applied migrations build.
func noDrift(t *testing.T, ctx context.Context, m *migrate.Migrator, md *core.MetaData) {
	t.Helper()
	if err := m.Check(ctx, md); err != nil {
		t.Fatalf("check: %v", err)
	}
}

func trackTitles(t *testing.T, ctx context.Context, db *core.Database) string {
	t.Helper()
	rows, err := db.FetchAll(ctx, core.Stmt{SQL: "SELECT title, album_id FROM tracks ORDER BY id"})
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, r := range rows {
		parts = append(parts, r.Get("title").(string))
	}
	return strings.Join(parts, ",")
}

// A sequence of model changes goes through make and up, then down and up
// again, on every backend: each state matches the database, the rows of
// untouched columns survive, an SQLite rebuild of the parent table keeps
// its ON DELETE CASCADE children, an unchanged model makes no migration.
func TestSequenceRoundTrip(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		dir := t.TempDir()
		steps := sequence(t)
		for i, st := range steps {
			md := st.build()
			made, err := migrate.Make(md, dir, st.name, migrate.MakeOptions{})
			if err != nil {
				t.Fatalf("%s: make: %v", st.name, err)
			}
			if made == nil {
				t.Fatalf("%s: make wrote nothing", st.name)
			}
			if again, err := migrate.Make(md, dir, "again", migrate.MakeOptions{}); err != nil || again != nil {
				t.Fatalf("%s: make of an unchanged model: %v, %v", st.name, again, err)
			}
			if st.allow == "destructive" {
				// Refused until allowed.
				_, err := load(t, db, dir).Up(ctx, 0)
				if !errors.Is(err, migrate.ErrLint) {
					t.Fatalf("%s: up of a destructive migration: %v, want ErrLint", st.name, err)
				}
			}
			if st.allow != "" {
				allowAll(t, dir, made.Migration.Version, st.allow)
			}
			m := load(t, db, dir)
			if _, err := m.Up(ctx, 0); err != nil {
				t.Fatalf("%s: up: %v", st.name, err)
			}
			noDrift(t, ctx, m, md)
			if i == 0 {
				for _, q := range []string{
					"INSERT INTO albums (name) VALUES ('Malibu')",
					"INSERT INTO tracks (album_id, title, position) VALUES (1, 'The Bird', 1)",
					"INSERT INTO tracks (album_id, title, position) VALUES (1, 'Tahiti', 2)",
				} {
					if _, err := db.Execute(ctx, core.Stmt{SQL: q}); err != nil {
						t.Fatal(err)
					}
				}
			}
			if got := trackTitles(t, ctx, db); got != "The Bird,Tahiti" {
				t.Fatalf("%s: tracks = %q", st.name, got)
			}
		}
		m := load(t, db, dir)
		// The last migration dropped a column: down refuses it.
		if _, err := m.Down(ctx, 1); !errors.Is(err, migrate.ErrIrreversible) {
			t.Fatalf("down of a drop: %v, want ErrIrreversible", err)
		}
		// The author accepts losing the values: remove the directive.
		downs, _ := filepath.Glob(filepath.Join(dir, "0008_*.down.sql"))
		for _, f := range downs {
			b, _ := os.ReadFile(f)
			os.WriteFile(f, []byte(strings.Replace(string(b), "-- atomdb:irreversible\n", "", 1)), 0o644)
		}
		if err := migrate.Hash(dir); err != nil {
			t.Fatal(err)
		}
		m = load(t, db, dir)
		undone, err := m.Down(ctx, len(steps)-1)
		if err != nil {
			t.Fatalf("down: %v", err)
		}
		if len(undone) != len(steps)-1 {
			t.Fatalf("down undid %v", undone)
		}
		if v, _ := m.Version(ctx); v != "0001" {
			t.Fatalf("version after down = %q", v)
		}
		noDrift(t, ctx, m, nil)
		if got := trackTitles(t, ctx, db); got != "The Bird,Tahiti" {
			t.Fatalf("after down: tracks = %q", got)
		}
		if _, err := m.Up(ctx, 0); err != nil {
			t.Fatalf("up again: %v", err)
		}
		noDrift(t, ctx, m, steps[len(steps)-1].build())
		if got := trackTitles(t, ctx, db); got != "The Bird,Tahiti" {
			t.Fatalf("after up again: tracks = %q", got)
		}
		// The cascade from albums still works after its rebuilds.
		if _, err := db.Execute(ctx, core.Stmt{SQL: "DELETE FROM albums"}); err != nil {
			t.Fatal(err)
		}
		if got := trackTitles(t, ctx, db); got != "" {
			t.Fatalf("after deleting the album: tracks = %q", got)
		}
	})
}
