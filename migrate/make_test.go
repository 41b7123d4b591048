package migrate

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/atomdb/atomdb/core"
)

// The files make writes, for a first migration and a change, against
// golden files: the serialized operations, each dialect's up and down SQL
// and the directory sum.
func TestMakeFiles(t *testing.T) {
	dir := t.TempDir()
	v1 := core.NewMetaData()
	albums := core.NewTable("albums",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "name", Type: core.String(100), Unique: true},
		&core.Column{Name: "price", Type: core.Decimal(10, 2), Default: "9.99"},
		&core.Column{Name: "cover", Type: core.Bytes(), Nullable: true, Default: []byte{0xde, 0xad}},
		&core.Column{Name: "added", Type: core.Timestamp(), Default: core.CurrentTimestamp},
	)
	if err := v1.Add(albums); err != nil {
		t.Fatal(err)
	}
	if _, err := Make(v1, dir, "init", MakeOptions{}); err != nil {
		t.Fatal(err)
	}
	v2 := core.NewMetaData()
	albums2 := core.NewTable("albums",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "title", Type: core.String(200), Unique: true, RenamedFrom: "name"},
		&core.Column{Name: "price", Type: core.Decimal(12, 2), Default: "9.99"},
		&core.Column{Name: "added", Type: core.Timestamp(), Default: core.CurrentTimestamp},
		&core.Column{Name: "rating", Type: core.SmallInt(), Nullable: true, Index: true},
	)
	if err := v2.Add(albums2); err != nil {
		t.Fatal(err)
	}
	made, err := Make(v2, dir, "retitle", MakeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !made.Migration.Irreversible {
		t.Error("dropping cover is not irreversible")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("make", n), string(b))
	}
	// What was written loads back to the same state and SQL.
	h, err := Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	state, err := h.State()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := FromMetaData(v2)
	if ops, err := Diff(state, want, DiffOptions{}); err != nil || len(ops) != 0 {
		t.Errorf("the history's state differs from the models: %v %v", ops, err)
	}
	before, _ := h.StateAt("0001")
	for _, d := range []*core.Dialect{core.Postgres, core.MySQL, core.SQLite} {
		sc, err := Render(d, before, h.Migrations[1].Operations)
		if err != nil {
			t.Fatal(err)
		}
		if sc.text() != h.Migrations[1].Up[dialectKey(d)].text() {
			t.Errorf("%s: the loaded operations render other SQL than was written", d)
		}
	}
}
