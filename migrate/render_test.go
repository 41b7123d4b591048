package migrate

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file:\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

// baseSchema is the state every operation of TestRenderEveryOperation
// starts from.
func baseSchema(t *testing.T) *Schema {
	t.Helper()
	md := core.NewMetaData()
	albums := core.NewTable("albums",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "name", Type: core.String(100), Unique: true},
		&core.Column{Name: "year", Type: core.Integer(), Nullable: true},
	)
	albums.Checks = []*core.CheckConstraint{{Name: "year_positive", Expr: "year > 0"}}
	tracks := core.NewTable("tracks",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "album_id", Type: core.BigInt(), ForeignKey: &core.ForeignKey{Table: "albums", Column: "id", OnDelete: core.Cascade}},
		&core.Column{Name: "title", Type: core.String(100), Index: true},
		&core.Column{Name: "position", Type: core.Integer(), Default: 0},
	)
	if err := md.Add(albums, tracks); err != nil {
		t.Fatal(err)
	}
	s, err := FromMetaData(md)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// everyOperation is one operation of each kind (and the SQLite variants
// that rebuild), each valid on baseSchema.
func everyOperation() []*Operation {
	notes := &core.TableDef{Name: "notes", PrimaryKeyName: "pk_notes",
		Columns: []*core.Column{
			{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
			{Name: "album_id", Type: core.BigInt(), Nullable: true},
			{Name: "text", Type: core.Text(), Default: "it's"},
		},
		Indexes:     []*core.Index{{Name: "ix_notes_album_id", Columns: []string{"album_id"}}},
		ForeignKeys: []*core.ForeignKeyDef{{Name: "fk_notes_album_id_albums", Column: "album_id", RefTable: "albums", RefColumn: "id", OnDelete: core.SetNull}},
	}
	return []*Operation{
		{Kind: CreateTable, Table: "notes", Def: notes},
		{Kind: DropTable, Table: "notes"},
		{Kind: AddColumn, Table: "albums", Column: &core.Column{Name: "rating", Type: core.SmallInt(), Nullable: true}},
		{Kind: AddColumn, Table: "albums", Column: &core.Column{Name: "added", Type: core.Timestamp(), Default: core.CurrentTimestamp}},
		{Kind: AddColumn, Table: "albums", Column: &core.Column{Name: "label", Type: core.String(50)}},
		{Kind: DropColumn, Table: "albums", Name: "rating"},
		{Kind: DropColumn, Table: "albums", Name: "label"},
		{Kind: AlterColumn, Table: "tracks", Column: &core.Column{Name: "position", Type: core.BigInt(), Nullable: true, Default: 1}},
		{Kind: AlterColumn, Table: "tracks", Column: &core.Column{Name: "position", Type: core.BigInt()}},
		{Kind: RenameColumn, Table: "tracks", Name: "position", NewName: "number"},
		{Kind: AddIndex, Table: "tracks", Index: &core.Index{Name: "ix_tracks_album_id_number", Columns: []string{"album_id", "number"}}},
		{Kind: RenameIndex, Table: "tracks", Name: "ix_tracks_album_id_number", NewName: "ix_tracks_album_number"},
		{Kind: DropIndex, Table: "tracks", Name: "ix_tracks_album_number"},
		{Kind: AddUnique, Table: "tracks", Unique: &core.UniqueConstraint{Name: "uq_tracks_album_id_title", Columns: []string{"album_id", "title"}}},
		{Kind: DropUnique, Table: "tracks", Name: "uq_tracks_album_id_title"},
		{Kind: AddCheck, Table: "tracks", Check: &core.CheckConstraint{Name: "ck_tracks_number", Expr: "number >= 0"}},
		{Kind: RenameConstraint, Table: "tracks", Name: "ck_tracks_number", NewName: "ck_tracks_number_positive"},
		{Kind: DropCheck, Table: "tracks", Name: "ck_tracks_number_positive"},
		{Kind: DropForeignKey, Table: "tracks", Name: "fk_tracks_album_id_albums"},
		{Kind: AddForeignKey, Table: "tracks", ForeignKey: &core.ForeignKeyDef{Name: "fk_tracks_album_id_albums", Column: "album_id", RefTable: "albums", RefColumn: "id", OnDelete: core.Cascade, OnUpdate: core.Cascade}},
		{Kind: RenameConstraint, Table: "tracks", Name: "fk_tracks_album_id_albums", NewName: "fk_tracks_album"},
		{Kind: RenameTable, Table: "tracks", NewName: "songs"},
	}
}

// The SQL of every operation on every dialect, against golden files.
func TestRenderEveryOperation(t *testing.T) {
	for _, d := range []*core.Dialect{core.Postgres, core.MySQL, core.SQLite} {
		state := baseSchema(t)
		var b strings.Builder
		for _, op := range everyOperation() {
			sc, err := Render(d, state, []*Operation{op})
			if err != nil {
				t.Fatalf("%s: %v", d, err)
			}
			b.WriteString("-- " + op.String() + "\n")
			b.WriteString(sc.text())
			if state, _, _, err = Replay(state, []*Operation{op}); err != nil {
				t.Fatalf("%s: %v", op, err)
			}
		}
		golden(t, "ops."+dialectKey(d)+".sql", b.String())
	}
}

func TestSplitStatements(t *testing.T) {
	text := "-- atomdb:rebuild \"x\"\n\nCREATE TABLE \"a;b\" (c TEXT DEFAULT 'x;y', d TEXT DEFAULT E'\\';');\n\n" +
		"/* c; */ SELECT $tag$ ; $tag$;\n-- only a comment;\nSELECT `q;`;\n"
	got, err := splitStatements(text)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"CREATE TABLE \"a;b\" (c TEXT DEFAULT 'x;y', d TEXT DEFAULT E'\\';')", "/* c; */ SELECT $tag$ ; $tag$", "SELECT `q;`"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if _, err := splitStatements("SELECT 'x"); err == nil {
		t.Error("an unterminated quote is not an error")
	}
}
