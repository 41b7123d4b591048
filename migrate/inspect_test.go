package migrate_test

import (
	"context"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/migrate"
	"github.com/atomdb/atomdb/tests/harness"
)

// allKinds is a schema with every type, defaults of every kind, reserved
// words and quote characters in names, every kind of key and a foreign key
// cycle.
func allKinds(t *testing.T) *core.MetaData {
	t.Helper()
	md := core.NewMetaData()
	unsigned := core.BigInt()
	unsigned.Unsigned = true
	order := core.NewTable("order",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "from", Type: core.String(40), Index: true, Default: "it's"},
		&core.Column{Name: "select", Type: core.Integer(), Default: -7},
		&core.Column{Name: "small", Type: core.SmallInt(), Default: 3},
		&core.Column{Name: "big", Type: unsigned, Nullable: true},
		&core.Column{Name: `we"ird`, Type: core.String(20), Nullable: true, Unique: true},
		&core.Column{Name: "flag", Type: core.Boolean(), Default: true},
		&core.Column{Name: "ratio", Type: core.Float(), Nullable: true},
		&core.Column{Name: "amount", Type: core.Decimal(10, 2), Default: "12.50"},
		&core.Column{Name: "body", Type: core.Text(), Nullable: true},
		&core.Column{Name: "blob", Type: core.Bytes(), Nullable: true},
		&core.Column{Name: "day", Type: core.Date(), Nullable: true},
		&core.Column{Name: "at", Type: core.Timestamp(), Default: core.CurrentTimestamp},
		&core.Column{Name: "doc", Type: core.JSON(), Nullable: true},
		&core.Column{Name: "uid", Type: core.UUID(), Nullable: true},
		&core.Column{Name: "clock", Type: core.Time(), Nullable: true},
		&core.Column{Name: "opens", Type: core.Time(), Default: "09:30:00"},
		&core.Column{Name: "dbl", Type: core.Double(), Default: 1.5},
		&core.Column{Name: "since", Type: core.Timestamp(), Default: "2020-01-02 03:04:05.5"},
		&core.Column{Name: "day2", Type: core.Date(), Default: "2020-01-02"},
		&core.Column{Name: "raw", Type: core.Bytes(), Nullable: true, Default: []byte("\x00'\\")},
		&core.Column{Name: "note", Type: core.Text(), Nullable: true, Default: "multi\nline 'q' \\"},
		&core.Column{Name: "parent", Type: core.BigInt(), Nullable: true,
			ForeignKey: &core.ForeignKey{Table: "order", Column: "id", OnDelete: core.Cascade}},
	)
	order.Checks = []*core.CheckConstraint{{Name: "select_small", Expr: `"select" < 1000`}}
	order.Indexes = []*core.Index{{Columns: []string{"from", "select"}}, {Columns: []string{"small"}, Unique: true}}
	order.Uniques = []*core.UniqueConstraint{{Columns: []string{"from", "small"}}}
	author := core.NewTable("author",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
		&core.Column{Name: "best_book", Type: core.BigInt(), Nullable: true,
			ForeignKey: &core.ForeignKey{Table: "book", Column: "id", OnDelete: core.SetNull}},
	)
	book := core.NewTable("book",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
		&core.Column{Name: "author", Type: core.BigInt(), Nullable: true,
			ForeignKey: &core.ForeignKey{Table: "author", Column: "id", OnDelete: core.SetNull, OnUpdate: core.Restrict}},
	)
	if err := md.Add(order, author, book); err != nil {
		t.Fatal(err)
	}
	return md
}

// What CreateAll makes, Inspect reads back as the same schema in every
// dialect's terms.
func TestInspectMatchesCreateAll(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		md := allKinds(t)
		if err := md.CreateAll(ctx, db); err != nil {
			t.Fatal(err)
		}
		want, err := migrate.FromMetaData(md)
		if err != nil {
			t.Fatal(err)
		}
		have, err := migrate.Inspect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range migrate.Compare(db.Dialect(), want, have) {
			t.Errorf("difference: %s", d)
		}
		// A change is seen.
		if _, err := db.Execute(ctx, core.Stmt{SQL: "ALTER TABLE " + db.Dialect().QuoteIdent("book") + " ADD COLUMN extra INTEGER"}); err != nil {
			t.Fatal(err)
		}
		have, err = migrate.Inspect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		diffs := migrate.Compare(db.Dialect(), want, have)
		if len(diffs) != 1 || diffs[0].Object != `column "extra"` {
			t.Errorf("after adding a column: %v", diffs)
		}
	})
}

// A check the models have and the database lacks is drift on every
// backend (SQLite keeps checks only in the table's text).
func TestCompareMissingCheck(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		plain := core.NewTable("p", &core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
			&core.Column{Name: "n", Type: core.Integer()})
		md := core.NewMetaData()
		if err := md.Add(plain); err != nil {
			t.Fatal(err)
		}
		if err := md.CreateAll(ctx, db); err != nil {
			t.Fatal(err)
		}
		checked := *plain
		checked.Checks = []*core.CheckConstraint{{Name: "n_positive", Expr: "n > 0"}}
		want := core.NewMetaData()
		if err := want.Add(&checked); err != nil {
			t.Fatal(err)
		}
		ws, _ := migrate.FromMetaData(want)
		have, err := migrate.Inspect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		diffs := migrate.Compare(db.Dialect(), ws, have)
		if len(diffs) != 1 || diffs[0].Object != `check "ck_p_n_positive"` {
			t.Errorf("differences: %v", diffs)
		}
	})
}
