package tests

import (
	"context"
	"database/sql"
	"math"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/tests/harness"
	"github.com/doug-martin/goqu/v9"
)

// Rows.Scan fills *sql.NullInt64 destinations (the orm's integer foreign
// keys) the same way on every backend, PostgreSQL's pgtype.Int8 path
// included: NULL, both ends of every integer width, next to other
// destinations, and from a column that is not an integer.
func TestScanNullInt64(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		md := core.NewMetaData()
		if err := md.Add(core.NewTable("nullints",
			&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
			&core.Column{Name: "small", Type: core.SmallInt(), Nullable: true},
			&core.Column{Name: "mid", Type: core.Integer(), Nullable: true},
			&core.Column{Name: "big", Type: core.BigInt(), Nullable: true},
			&core.Column{Name: "txt", Type: core.String(20), Nullable: true},
		)); err != nil {
			t.Fatal(err)
		}
		if err := md.CreateAll(ctx, db); err != nil {
			t.Fatal(err)
		}
		rows := []goqu.Record{
			{"id": 1, "small": math.MaxInt16, "mid": math.MaxInt32, "big": int64(math.MaxInt64), "txt": "42"},
			{"id": 2, "small": nil, "mid": nil, "big": nil, "txt": nil},
			{"id": 3, "small": math.MinInt16, "mid": math.MinInt32, "big": int64(math.MinInt64), "txt": "-7"},
		}
		if _, err := db.Execute(ctx, goqu.Insert("nullints").Rows(rows)); err != nil {
			t.Fatal(err)
		}
		want := [][4]sql.NullInt64{
			{{Int64: math.MaxInt16, Valid: true}, {Int64: math.MaxInt32, Valid: true}, {Int64: math.MaxInt64, Valid: true}, {Int64: 42, Valid: true}},
			{},
			{{Int64: math.MinInt16, Valid: true}, {Int64: math.MinInt32, Valid: true}, {Int64: math.MinInt64, Valid: true}, {Int64: -7, Valid: true}},
		}
		res, err := db.Query(ctx, goqu.From("nullints").Select("id", "small", "mid", "big", "txt").Order(goqu.C("id").Asc()))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Close()
		// The same destinations for every row, as the orm reuses them: a
		// NULL must reset what the row before left.
		var id int64
		var got [4]sql.NullInt64
		for i := 0; res.Next(); i++ {
			if i >= len(want) {
				t.Fatalf("more than %d rows", len(want))
			}
			if err := res.Scan(&id, &got[0], &got[1], &got[2], &got[3]); err != nil {
				t.Fatalf("row %d: %v", i+1, err)
			}
			if id != int64(i+1) || got != want[i] {
				t.Errorf("row %d: id %d, got %+v, want %+v", i+1, id, got, want[i])
			}
		}
		if err := res.Err(); err != nil {
			t.Fatal(err)
		}
	})
}
