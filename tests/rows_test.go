package tests

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/tests/harness"
	"github.com/doug-martin/goqu/v9"
)

func TestQueryScansIntoTypedDestinations(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		createNotes(t, db)
		insertNote(t, ctx, db, "first", true)
		insertNote(t, ctx, db, "second", false)
		rows, err := db.Query(ctx, goqu.From(notes).Select("id", goqu.L("NULLIF(text, 'second')").As("text")).Order(goqu.C("id").Asc()))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if cols := rows.Columns(); len(cols) != 2 || cols[1] != "text" {
			t.Errorf("columns = %v", cols)
		}
		var got []sql.NullString
		var ids []int64
		for rows.Next() {
			var id int64
			var text *string
			if err := rows.Scan(&id, &text); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
			ns := sql.NullString{}
			if text != nil {
				ns = sql.NullString{String: *text, Valid: true}
			}
			got = append(got, ns)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].String != "first" || got[1].Valid || ids[0] != 1 || ids[1] != 2 {
			t.Errorf("scanned %v %v", ids, got)
		}
		if rows.Next() {
			t.Error("Next after the end")
		}
		if err := rows.Scan(new(int64), new(string)); !errors.Is(err, core.ErrBadQuery) {
			t.Errorf("Scan after close: %v", err)
		}
		// The connection went back: further statements work, in a
		// transaction too.
		err = db.Transaction(ctx, func(ctx context.Context) error {
			rows, err := db.Query(ctx, goqu.From(notes).Select(goqu.COUNT("*")))
			if err != nil {
				return err
			}
			defer rows.Close()
			var n int64
			for rows.Next() {
				if err := rows.Scan(&n); err != nil {
					return err
				}
			}
			if n != 2 {
				t.Errorf("count = %d", n)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
