package tests

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/tests/harness"
	"github.com/doug-martin/goqu/v9"
)

// runtime.Goexit (what t.Fatal calls) inside a Transaction function rolls the
// transaction back: with one connection the next statement runs at once, and
// Close does not block.
func TestTransactionGoexitRollsBack(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		createNotes(t, db)
		ctx := context.Background()
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = db.Transaction(ctx, func(ctx context.Context) error {
				if _, err := db.Execute(ctx, goqu.Insert(notes).Rows(goqu.Record{"text": "lost", "completed": true})); err != nil {
					t.Error(err)
				}
				runtime.Goexit()
				return nil
			})
			t.Error("Goexit returned")
		}()
		<-done
		qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		n, err := db.FetchVal(qctx, goqu.From(notes).Select(goqu.COUNT("*")))
		if err != nil {
			t.Fatalf("the statement after Goexit: %v", err)
		}
		if n != int64(0) {
			t.Errorf("%v rows after Goexit, want 0 (rolled back)", n)
		}
	}, core.WithMaxConns(1))
}

// Execute of an INSERT ... RETURNING whose value is not an integer key
// writes the row once and reports no error, so a caller never retries a
// write that happened; FetchOne returns the values.
func TestExecuteReturning(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		createNotes(t, db)
		ctx := context.Background()
		res, err := db.Execute(ctx, "INSERT INTO notes(text, completed) VALUES (:t, :c) RETURNING text", core.Params{"t": "raw", "c": true})
		if err != nil {
			t.Fatalf("raw RETURNING text: %v", err)
		}
		want := 2
		if db.Dialect() == core.Postgres {
			if res.RowsAffected != 1 {
				t.Errorf("RowsAffected = %d, want 1", res.RowsAffected)
			}
			// goqu writes RETURNING for PostgreSQL only.
			if _, err := db.Execute(ctx, goqu.Insert(notes).Rows(goqu.Record{"text": "goqu", "completed": false}).Returning("text", "id")); err != nil {
				t.Fatalf("goqu Returning(text, id): %v", err)
			}
			res, err = db.Execute(ctx, goqu.Insert(notes).Rows(goqu.Record{"text": "key", "completed": false}).Returning("id"))
			if err != nil {
				t.Fatalf("goqu Returning(id): %v", err)
			}
			if res.LastInsertID != 3 {
				t.Errorf("LastInsertID = %d, want 3", res.LastInsertID)
			}
			want = 4
		}
		row, err := db.FetchOne(ctx, "INSERT INTO notes(text, completed) VALUES (:t, :c) RETURNING text, id", core.Params{"t": "fetched", "c": true})
		if err != nil {
			t.Fatalf("FetchOne of RETURNING: %v", err)
		}
		if row.Get("text") != "fetched" || row.Get("id") != int64(want) {
			t.Errorf("RETURNING row = %v, want text fetched, id %d", row, want)
		}
		if got := noteTexts(t, ctx, db); len(got) != want {
			t.Errorf("rows = %q, want each insert once", got)
		}
	})
}
