package tests

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
	"github.com/atomdb/atomdb/tests/harness"
	"github.com/doug-martin/goqu/v9"
)

// Identifiers: one way to write every table, column and label name.

// The schema the schema-qualified models live in: a PostgreSQL schema, a
// MySQL database. A model's tag is fixed, so the name is too.
const identSchema = "atomdb_ident_app"

type SchemaAuthor struct {
	orm.Model `orm:"table=atomdb_ident_app.authors"`
	ID        int64          `db:"id"`
	Name      string         `db:"name" orm:"size=40,unique"`
	Notes     []*SchemaNote  `orm:"reverse=Author"`
	Topics    []*SchemaTopic `orm:"m2m"`
}

type SchemaNote struct {
	orm.Model `orm:"table=atomdb_ident_app.notes"`
	ID        int64         `db:"id"`
	Text      string        `db:"text" orm:"size=40,index"`
	Author    *SchemaAuthor `db:"author_id" orm:"fk,on_delete=cascade"`
}

type SchemaTopic struct {
	orm.Model `orm:"table=atomdb_ident_app.topics"`
	ID        int64  `db:"id"`
	Title     string `db:"title" orm:"size=40"`
}

// createIdentSchema makes the schema (dropped at the end) where the backend
// has schemas, and reports whether it does.
func createIdentSchema(t *testing.T, db *core.Database) bool {
	t.Helper()
	ctx := context.Background()
	var create, drop string
	switch db.Dialect() {
	case core.Postgres:
		create, drop = "CREATE SCHEMA "+identSchema, "DROP SCHEMA IF EXISTS "+identSchema+" CASCADE"
	case core.MySQL:
		create, drop = "CREATE DATABASE "+identSchema+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", "DROP DATABASE IF EXISTS "+identSchema
	default:
		return false
	}
	if _, err := db.Execute(ctx, drop); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Execute(ctx, create); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.Execute(context.Background(), drop); err != nil {
			t.Errorf("%s: %v", drop, err)
		}
	})
	return true
}

// table=schema.name works in every statement the orm writes on PostgreSQL
// and MySQL, and is a clear error on SQLite, which has no such schema.
func TestSchemaQualifiedTable(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		if !createIdentSchema(t, db) {
			err := orm.CreateTables(ctx, db, SchemaAuthor{}, SchemaNote{}, SchemaTopic{})
			if err == nil || !strings.Contains(err.Error(), identSchema) {
				t.Fatalf("CreateTables on SQLite without the schema = %v, want an error naming %s", err, identSchema)
			}
			return
		}
		if err := orm.CreateTables(ctx, db, SchemaAuthor{}, SchemaNote{}, SchemaTopic{}); err != nil {
			t.Fatal(err)
		}
		authors, notes, topics := orm.Objects[SchemaAuthor](db), orm.Objects[SchemaNote](db), orm.Objects[SchemaTopic](db)
		ann, err := authors.Create(ctx, &SchemaAuthor{Name: "ann"})
		if err != nil {
			t.Fatal(err)
		}
		go1, err := topics.Create(ctx, &SchemaTopic{Title: "go"})
		if err != nil {
			t.Fatal(err)
		}
		ann.Topics = []*SchemaTopic{go1}
		ann.Notes = []*SchemaNote{{Text: "first"}}
		if err := authors.Save(ctx, ann); err != nil {
			t.Fatal(err)
		}
		if err := notes.BulkCreate(ctx, []*SchemaNote{{Text: "second", Author: ann}, {Text: "third", Author: ann}}); err != nil {
			t.Fatal(err)
		}
		// The rows are in the schema's tables, not in tables named "schema.name".
		n, err := db.FetchVal(ctx, goqu.From(goqu.S(identSchema).Table("notes")).Select(goqu.COUNT("*")))
		if err != nil || n != int64(3) {
			t.Fatalf("rows in %s.notes = %v, %v; want 3", identSchema, n, err)
		}
		got, err := notes.Filter(lookups.Q{"author__name": "ann", "text__startswith": "s"}).SelectRelated("author").All(ctx)
		if err != nil || len(got) != 1 || got[0].Author.Name != "ann" {
			t.Fatalf("Filter across the fk + SelectRelated = %v, %v", got, err)
		}
		a, err := authors.PrefetchRelated("notes", "topics").Get(ctx, lookups.Q{"name": "ann"})
		if err != nil || len(a.Notes) != 3 || len(a.Topics) != 1 {
			t.Fatalf("PrefetchRelated = %+v, %v", a, err)
		}
		if c, err := authors.Filter(lookups.Q{"topics__title": "go"}).Count(ctx); err != nil || c != 1 {
			t.Fatalf("Count across the m2m = %d, %v", c, err)
		}
		vals, err := authors.Values(ctx, "name", "notes__text")
		if err != nil || len(vals) != 3 {
			t.Fatalf("Values = %v, %v", vals, err)
		}
		agg, err := notes.OrderBy("id").Limit(2).Aggregate(ctx, orm.Count("*"), orm.Max("text"))
		if err != nil || agg["*__count"] != int64(2) {
			t.Fatalf("Aggregate of a slice = %v, %v", agg, err)
		}
		if k, err := notes.Filter(lookups.Q{"text": "third"}).Update(ctx, map[string]any{"text": "3rd"}); err != nil || k != 1 {
			t.Fatalf("Update = %d, %v", k, err)
		}
		third, err := notes.Get(orm.WithScope(ctx), lookups.Q{"pk": got[0].ID + 1})
		if err != nil || third.Text != "3rd" {
			t.Fatalf("Get by key = %v, %v", third, err)
		}
		rows, err := db.FetchAll(ctx, goqu.From(orm.Table[SchemaNote]()).
			Join(orm.Table[SchemaAuthor](), goqu.On(orm.Table[SchemaAuthor]().Col("id").Eq(orm.Table[SchemaNote]().Col("author_id")))).
			Select(orm.Columns[SchemaNote](), orm.Columns[SchemaAuthor]()).Order(orm.Table[SchemaNote]().Col("id").Asc()))
		if err != nil || len(rows) != 3 {
			t.Fatalf("a raw query on Table/Columns = %d rows, %v", len(rows), err)
		}
		rn, err := notes.Restore(ctx, rows[0])
		if err != nil || rn.Text != "first" {
			t.Fatalf("Restore = %+v, %v", rn, err)
		}
		if err := notes.Delete(ctx, rn); err != nil {
			t.Fatal(err)
		}
		if k, err := notes.Filter(lookups.Q{"author": ann}).Delete(ctx); err != nil || k != 2 {
			t.Fatalf("QuerySet.Delete = %d, %v", k, err)
		}
		if err := orm.DropTables(ctx, db, SchemaAuthor{}, SchemaNote{}, SchemaTopic{}); err != nil {
			t.Fatal(err)
		}
	})
}

// Names longer than a label can be: the table and column of this model make
// "table__column" labels over PostgreSQL's 63 bytes.
type LongNamedModel struct {
	orm.Model `orm:"table=a_table_name_of_forty_bytes_for_labels_xx"`
	ID        int64  `db:"id"`
	Value     string `db:"a_column_name_of_thirty_bytes_x" orm:"size=20"`
	Other     string `db:"a_column_name_of_thirty_bytes_y" orm:"size=20"`
}

// Columns labels fit every dialect and Restore reads them back; a row
// holding none of a model's columns but its key is an error, never an
// object of zero values.
func TestLongLabelsAndRestore(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		if err := orm.CreateTables(ctx, db, LongNamedModel{}); err != nil {
			t.Fatal(err)
		}
		m := orm.Objects[LongNamedModel](db)
		if _, err := m.Create(ctx, &LongNamedModel{Value: "x", Other: "y"}); err != nil {
			t.Fatal(err)
		}
		row, err := db.FetchOne(ctx, goqu.From(orm.Table[LongNamedModel]()).Select(orm.Columns[LongNamedModel]()))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range row.Columns() {
			if len(c) > core.MaxIdentifierLength {
				t.Errorf("label %q is %d bytes", c, len(c))
			}
		}
		got, err := m.Restore(orm.WithScope(ctx), row)
		if err != nil || got.Value != "x" || got.Other != "y" {
			t.Fatalf("Restore of Columns = %+v, %v; want x, y", got, err)
		}
		row, err = db.FetchOne(ctx, goqu.From(orm.Table[LongNamedModel]()).Select(goqu.C("id"), goqu.L("1").As("unrelated")))
		if err != nil {
			t.Fatal(err)
		}
		_, err = m.Restore(orm.WithScope(ctx), row)
		if !errors.Is(err, orm.ErrBadValue) || !strings.Contains(err.Error(), "LongNamedModel") {
			t.Fatalf("Restore of a row with only the key = %v, want ErrBadValue naming the model", err)
		}
	})
}

// Names that goqu would write unescaped are refused when the model is
// defined, before anything reaches the database.
type QuoteInColumn struct {
	ID   int64  `db:"id"`
	Name string `db:"na\"me"`
}

type BacktickInColumn struct {
	ID   int64  `db:"id"`
	Name string "db:\"na`me\""
}

type QuoteInTable struct {
	orm.Model `orm:"table=bad\"table"`
	ID        int64 `db:"id"`
}

type DotInColumn struct {
	ID   int64  `db:"id"`
	Name string `db:"a.b"`
}

type TwoDotsInTable struct {
	orm.Model `orm:"table=a.b.c"`
	ID        int64 `db:"id"`
}

func TestModelNamesRefused(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		for _, model := range []any{QuoteInColumn{}, BacktickInColumn{}, QuoteInTable{}, DotInColumn{}, TwoDotsInTable{}} {
			err := orm.CreateTables(ctx, db, model)
			if !errors.Is(err, orm.ErrInvalidModel) || !errors.Is(err, core.ErrBadIdentifier) {
				t.Errorf("%T: CreateTables = %v, want ErrInvalidModel and core.ErrBadIdentifier", model, err)
			}
		}
		if _, err := orm.Objects[QuoteInColumn](db).Create(ctx, &QuoteInColumn{Name: "x"}); !errors.Is(err, orm.ErrInvalidModel) {
			t.Errorf("Create = %v, want ErrInvalidModel", err)
		}
		rows, err := db.FetchAll(ctx, tablesQuery(db))
		if err != nil || len(rows) != 0 {
			t.Errorf("tables after refused models: %v, %v", rows, err)
		}
	})
}

// tablesQuery lists the tables of the test's database.
func tablesQuery(db *core.Database) string {
	switch db.Dialect() {
	case core.Postgres:
		return "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
	case core.MySQL:
		return "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
	}
	return "SELECT name FROM sqlite_master WHERE type = 'table'"
}

// The injections of issue 9 through ExecuteMany's keys and goqu.Record keys:
// each fails or writes a column of that very name, and the canary table
// stays.
func TestIdentifierInjection(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		for _, s := range []string{
			"CREATE TABLE target (code VARCHAR(200), name VARCHAR(200), n INTEGER)",
			"CREATE TABLE canary (x INTEGER)",
			"INSERT INTO canary (x) VALUES (1)",
		} {
			if _, err := db.Execute(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		keys := []string{
			"code`, `name`, `n`) VALUES (?, 'x', 1); DROP TABLE canary; -- ",
			`code", "name", "n") VALUES ($1, 'x', 1); DROP TABLE canary; -- `,
			`code", "name", "n") VALUES (?, 'x', 1); DROP TABLE canary; -- `,
			"code`, `name`) VALUES (?, 'attacker'); -- ",
			`code", "name") VALUES ($1, 'attacker'); -- `,
			`code", "name") VALUES (?, 'attacker'); -- `,
		}
		for _, k := range keys {
			if _, err := db.ExecuteMany(ctx, goqu.Insert("target"), []core.Params{{k: "v"}}); err == nil {
				t.Errorf("ExecuteMany key %q: no error", k)
			}
			if _, err := db.Execute(ctx, goqu.Insert("target").Rows(goqu.Record{k: "v"})); err == nil {
				t.Errorf("Execute with goqu.Record key %q: no error", k)
			}
		}
		if n, err := db.FetchVal(ctx, "SELECT COUNT(*) FROM canary"); err != nil || n != int64(1) {
			t.Fatalf("canary: %v, %v", n, err)
		}
		if n, err := db.FetchVal(ctx, "SELECT COUNT(*) FROM target"); err != nil || n != int64(0) {
			t.Fatalf("target holds %v rows (%v), want none", n, err)
		}
		// A column whose name holds a quote character works through ExecuteMany.
		odd := map[*core.Dialect]string{core.Postgres: `we"ird`, core.SQLite: `we"ird`, core.MySQL: "we`ird"}[db.Dialect()]
		if _, err := db.Execute(ctx, "CREATE TABLE odd ("+db.Dialect().QuoteIdent(odd)+" INTEGER)"); err != nil {
			t.Fatal(err)
		}
		if n, err := db.ExecuteMany(ctx, goqu.Insert("odd"), []core.Params{{odd: 7}}); err != nil || n != 1 {
			t.Fatalf("ExecuteMany into column %q = %d, %v", odd, n, err)
		}
		if v, err := db.FetchVal(ctx, "SELECT "+db.Dialect().QuoteIdent(odd)+" FROM odd"); err != nil || v != int64(7) {
			t.Fatalf("column %q holds %v, %v", odd, v, err)
		}
	})
}
