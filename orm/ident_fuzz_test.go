package orm

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
)

// FuzzModelNames defines a model whose table (orm:"table=...") and column
// (db:"...") names are fuzzed, then creates its table, inserts a row and
// reads it back on SQLite. A name is either refused when the model is
// defined (ErrInvalidModel) or works in every statement; nothing else in
// the database changes either way.
func FuzzModelNames(f *testing.F) {
	for _, s := range [][2]string{
		{"notes", "text"},
		{"order", "from"},
		{"main.notes", "text"},
		{`notes"; DROP TABLE canary; --`, "text"},
		{"notes", `text" TEXT); DROP TABLE canary; --`},
		{"notes", "text`) VALUES (1); DROP TABLE canary; --"},
		{"a.b.c", "text"},
		{"notes", "a.b"},
		{"notes", "nul\x00"},
		{"Ünïcode", "名前"},
		{strings.Repeat("t", 40), strings.Repeat("c", 40)},
	} {
		f.Add(s[0], s[1])
	}
	ctx := context.Background()
	db, err := core.Open(ctx, "sqlite://:memory:")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	for _, s := range []string{"CREATE TABLE canary (x INTEGER)", "INSERT INTO canary VALUES (1)"} {
		if _, err := db.Execute(ctx, s); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, table, column string) {
		if strings.ContainsAny(table, ",=") || strings.EqualFold(column, "id") {
			t.Skip() // tag syntax (table=a,b) and the key's own column, not names
		}
		typ := reflect.StructOf([]reflect.StructField{
			{Name: "Model", Type: modelType, Anonymous: true, Tag: reflect.StructTag(`orm:` + strconv.Quote("table="+table))},
			{Name: "ID", Type: reflect.TypeFor[int64](), Tag: `db:"id"`},
			{Name: "V", Type: reflect.TypeFor[string](), Tag: reflect.StructTag(`db:` + strconv.Quote(column))},
		})
		info, err := buildInfo(typ)
		if err != nil {
			if !errors.Is(err, ErrInvalidModel) {
				t.Fatalf("table %q column %q: %v, want ErrInvalidModel", table, column, err)
			}
			return
		}
		table, column = info.table, info.byKey["V"].column // column "" is v
		if core.CheckTable(table) != nil || core.CheckIdent("column", column) != nil {
			t.Fatalf("table %q column %q accepted", table, column)
		}
		defer checkSchema(t, db, table, column)
		if err := info.ready(); err != nil {
			t.Fatal(err)
		}
		md, err := metaDataOf([]*modelInfo{info}, core.NamingConvention{})
		if err != nil {
			return // refused by the schema's own checks (a reserved sqlite_ name, ...)
		}
		if err := md.CreateAll(ctx, db); err != nil {
			return // SQLite said no (an unknown schema): cleanly, before any write
		}
		defer func() {
			if err := md.DropAll(ctx, db); err != nil {
				t.Fatalf("table %q: drop: %v", table, err)
			}
		}()
		w := &writer{info: info, db: db}
		obj := reflect.New(typ)
		obj.Elem().Field(2).SetString("value")
		if err := w.insert(ctx, obj.Elem()); err != nil {
			t.Fatalf("table %q column %q: insert: %v", table, column, err)
		}
		row, err := db.FetchOne(ctx, info.selectByKey(db.Dialect()), core.Params{"pk": obj.Elem().Field(1).Int()})
		if err != nil || row == nil || row.Get(column) != "value" {
			t.Fatalf("table %q column %q: read back %v, %v", table, column, row, err)
		}
	})
}

// checkSchema asserts that the canary is intact and that the only other
// tables are those of the fuzzed model (and SQLite's sequence table).
func checkSchema(t *testing.T, db *core.Database, table, column string) {
	t.Helper()
	ctx := context.Background()
	if n, err := db.FetchVal(ctx, "SELECT COUNT(*) FROM canary WHERE x = 1"); err != nil || n != int64(1) {
		t.Fatalf("table %q column %q: canary = %v, %v", table, column, n, err)
	}
	rows, err := db.FetchAll(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('canary', 'sqlite_sequence')")
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, r := range rows {
		left = append(left, r.At(0).(string))
	}
	sort.Strings(left)
	if len(left) > 0 {
		t.Fatalf("table %q column %q: tables left: %q", table, column, left)
	}
}
