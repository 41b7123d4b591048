package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/tests/harness"
	"github.com/doug-martin/goqu/v9"
)

// Every column type comes back as the same Go type on every backend, and
// NULL as nil.
func TestRowValueTypes(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		md := core.NewMetaData()
		typed := core.NewTable("typed",
			&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
			&core.Column{Name: "b", Type: core.Boolean(), Nullable: true},
			&core.Column{Name: "si", Type: core.SmallInt(), Nullable: true},
			&core.Column{Name: "i", Type: core.Integer(), Nullable: true},
			&core.Column{Name: "bi", Type: core.BigInt(), Nullable: true},
			&core.Column{Name: "f", Type: core.Float(), Nullable: true},
			&core.Column{Name: "d", Type: core.Double(), Nullable: true},
			&core.Column{Name: "dec", Type: core.Decimal(30, 20), Nullable: true},
			&core.Column{Name: "s", Type: core.String(50), Nullable: true},
			&core.Column{Name: "tx", Type: core.Text(), Nullable: true},
			&core.Column{Name: "by", Type: core.Bytes(), Nullable: true},
			&core.Column{Name: "dt", Type: core.Date(), Nullable: true},
			&core.Column{Name: "ts", Type: core.Timestamp(), Nullable: true},
			&core.Column{Name: "j", Type: core.JSON(), Nullable: true},
			&core.Column{Name: "u", Type: core.UUID(), Nullable: true},
		)
		if err := md.Add(typed); err != nil {
			t.Fatal(err)
		}
		if err := md.CreateAll(ctx, db); err != nil {
			t.Fatal(err)
		}
		paris := time.FixedZone("CET", 3600)
		ts := time.Date(2024, 2, 29, 23, 30, 15, 123456000, paris)
		_, err := db.Execute(ctx, goqu.Insert("typed").Rows(goqu.Record{
			"id": 1, "b": true, "si": 7, "i": int64(1) << 30, "bi": int64(1)<<53 + 1, "f": 0.5, "d": 0.1,
			"dec": "0.700000000000001", "s": "héllo wörld ✓", "tx": "line1\nline2", "by": []byte{0, 1, 2, 255},
			"dt": time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), "ts": ts, "j": `{"a": [1, 2], "b": null}`,
			"u": "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
		}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Execute(ctx, goqu.Insert("typed").Rows(goqu.Record{"id": 2, "b": false})); err != nil {
			t.Fatal(err)
		}
		rows, err := db.FetchAll(ctx, goqu.From("typed").Order(goqu.C("id").Asc()))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("%d rows", len(rows))
		}
		r := rows[0]
		for col, want := range map[string]any{
			"id": int64(1), "b": true, "si": int64(7), "i": int64(1) << 30, "bi": int64(1)<<53 + 1, "f": 0.5, "d": 0.1,
			"s": "héllo wörld ✓", "tx": "line1\nline2", "u": "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
		} {
			if got := r.Get(col); got != want {
				t.Errorf("%s = %#v (%T), want %#v (%T)", col, got, got, want, want)
			}
		}
		if got, ok := r.Get("by").([]byte); !ok || !bytes.Equal(got, []byte{0, 1, 2, 255}) {
			t.Errorf("by = %#v", r.Get("by"))
		}
		dec, ok := r.Get("dec").(string)
		if want, _ := new(big.Rat).SetString("0.700000000000001"); !ok || ratOf(dec).Cmp(want) != 0 {
			t.Errorf("dec = %#v, want the exact decimal 0.700000000000001", r.Get("dec"))
		}
		if got, ok := r.Get("ts").(time.Time); !ok || !got.Equal(ts) || got.Location() != time.UTC {
			t.Errorf("ts = %#v, want %v as UTC", r.Get("ts"), ts)
		}
		if got, ok := r.Get("dt").(time.Time); !ok || !got.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("dt = %#v", r.Get("dt"))
		}
		var gotJSON, wantJSON any
		js, _ := r.Get("j").(string)
		if json.Unmarshal([]byte(js), &gotJSON) != nil || json.Unmarshal([]byte(`{"a": [1, 2], "b": null}`), &wantJSON) != nil ||
			!reflect.DeepEqual(gotJSON, wantJSON) {
			t.Errorf("j = %#v", r.Get("j"))
		}
		// The second row: false, and NULL everywhere else.
		r = rows[1]
		if r.Get("b") != false {
			t.Errorf("b = %#v, want false", r.Get("b"))
		}
		for i, col := range r.Columns() {
			if col != "id" && col != "b" && r.At(i) != nil {
				t.Errorf("%s = %#v, want nil", col, r.At(i))
			}
		}
	})
}

func ratOf(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return new(big.Rat).SetInt64(-1 << 62)
	}
	return r
}

// sqlite://:memory: is one database for the whole *Database, however many
// goroutines use it.
func TestSQLiteMemoryIsOneDatabase(t *testing.T) {
	ctx := context.Background()
	db, err := core.Open(ctx, "sqlite://:memory:", core.WithMaxConns(8))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	createNotes(t, db)
	done := make(chan error, 8)
	for range 8 {
		go func() {
			done <- db.Transaction(ctx, func(ctx context.Context) error {
				_, err := db.Execute(ctx, goqu.Insert(notes).Rows(goqu.Record{"text": "x", "completed": true}))
				return err
			})
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if c := countNotes(t, ctx, db); c != 8 {
		t.Errorf("count = %d, want 8", c)
	}
	// A second in-memory database is a different one.
	other, err := core.Open(ctx, "sqlite://:memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.FetchAll(ctx, goqu.From(notes)); err == nil {
		t.Error("a second :memory: database sees the first one's table")
	}
}

func TestNamedDatabases(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbs, err := core.OpenAll(ctx, map[string]string{
		"default": "sqlite:///" + dir + "/default.db",
		"other":   "sqlite:///" + dir + "/other.db",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer dbs.Close()
	def, err := dbs.Using("")
	if err != nil || def != dbs.Default() {
		t.Fatalf("Using(\"\") = %v, %v", def, err)
	}
	other, err := dbs.Using("other")
	if err != nil || other == def {
		t.Fatalf("Using(other) = %v, %v", other, err)
	}
	createNotes(t, other)
	if _, err := def.FetchAll(ctx, goqu.From(notes)); err == nil {
		t.Error("default sees other's table")
	}
	if _, err := dbs.Using("missing"); err == nil {
		t.Error("Using(missing) succeeded")
	}
	if _, err := core.OpenAll(ctx, map[string]string{"other": "sqlite://:memory:"}); err == nil {
		t.Error("OpenAll without a default succeeded")
	}
	if _, err := core.OpenAll(ctx, map[string]string{"default": "sqlite://:memory:", "bad": "nope://x"}); err == nil {
		t.Error("OpenAll with a bad URL succeeded")
	}
	if got, err := def.Using("default"); err != nil || got != def {
		t.Errorf("Database.Using(default) = %v, %v", got, err)
	}
}

// Instants written from different time zones compare in time order on every
// backend (SQLite compares its text form, so core writes them all in UTC).
func TestTimestampsCompareAsInstants(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		md := core.NewMetaData()
		_ = md.Add(core.NewTable("events",
			&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
			&core.Column{Name: "at", Type: core.Timestamp()},
		))
		if err := md.CreateAll(ctx, db); err != nil {
			t.Fatal(err)
		}
		base := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
		// 11:00 UTC written as Tokyo time (20:00+09:00) and 13:00 UTC as New
		// York time (08:00-05:00): as text they sort the wrong way round.
		early := base.Add(-time.Hour).In(time.FixedZone("JST", 9*3600))
		late := base.Add(time.Hour).In(time.FixedZone("EST", -5*3600))
		for i, at := range []time.Time{early, late} {
			if _, err := db.Execute(ctx, goqu.Insert("events").Rows(goqu.Record{"id": i + 1, "at": at})); err != nil {
				t.Fatal(err)
			}
		}
		ids, err := db.FetchAll(ctx, goqu.From("events").Select("id").Where(goqu.C("at").Gt(base)).Order(goqu.C("at").Asc()))
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != 1 || ids[0].At(0) != int64(2) {
			t.Errorf("rows after 12:00 UTC = %v, want only the New York one", ids)
		}
		first, _ := db.FetchVal(ctx, goqu.From("events").Select("id").Order(goqu.C("at").Asc()).Limit(1))
		if first != int64(1) {
			t.Errorf("earliest = %v, want 1", first)
		}
	})
}
