package tests

import (
	"context"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
)

// The notes table of encode/databases' own tests, defined with core's schema
// metadata so that every test also exercises the DDL.
func notesTable() *core.Table {
	return core.NewTable("notes",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "text", Type: core.String(100)},
		&core.Column{Name: "completed", Type: core.Boolean()},
	)
}

func createNotes(t *testing.T, db *core.Database) {
	t.Helper()
	md := core.NewMetaData()
	if err := md.Add(notesTable()); err != nil {
		t.Fatal(err)
	}
	if err := md.CreateAll(context.Background(), db); err != nil {
		t.Fatalf("create notes: %v", err)
	}
}

var notes = goqu.T("notes")

func insertNote(t *testing.T, ctx context.Context, db *core.Database, text string, completed bool) {
	t.Helper()
	if _, err := db.Execute(ctx, goqu.Insert(notes).Rows(goqu.Record{"text": text, "completed": completed})); err != nil {
		t.Fatalf("insert %q: %v", text, err)
	}
}

func countNotes(t *testing.T, ctx context.Context, db *core.Database) int64 {
	t.Helper()
	n, err := db.FetchVal(ctx, goqu.From(notes).Select(goqu.COUNT("*")))
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	return n.(int64)
}

func noteTexts(t *testing.T, ctx context.Context, db *core.Database) []string {
	t.Helper()
	rows, err := db.FetchAll(ctx, goqu.From(notes).Select("text").Order(goqu.C("id").Asc()))
	if err != nil {
		t.Fatalf("fetch texts: %v", err)
	}
	texts := []string{}
	for _, r := range rows {
		texts = append(texts, r.At(0).(string))
	}
	return texts
}
