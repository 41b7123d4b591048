package core

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/doug-martin/goqu/v9"
)

func TestQuoteIdentAndTable(t *testing.T) {
	for _, c := range []struct {
		name, pg, my string
		table        bool
	}{
		{name: "notes", pg: `"notes"`, my: "`notes`"},
		{name: "order", pg: `"order"`, my: "`order`"},
		{name: `we"ird`, pg: `"we""ird"`, my: "`we\"ird`"},
		{name: "we`ird", pg: "\"we`ird\"", my: "`we``ird`"},
		{name: `x", "y`, pg: `"x"", ""y"`, my: "`x\", \"y`"},
		{name: "app.notes", pg: `"app.notes"`, my: "`app.notes`"},
		{name: "app.notes", pg: `"app"."notes"`, my: "`app`.`notes`", table: true},
		{name: `a"b.c`, pg: `"a""b"."c"`, my: "`a\"b`.`c`", table: true},
	} {
		quote := (*Dialect).QuoteIdent
		if c.table {
			quote = (*Dialect).QuoteTable
		}
		for _, d := range []struct {
			d    *Dialect
			want string
		}{{Postgres, c.pg}, {SQLite, c.pg}, {MySQL, c.my}} {
			if got := quote(d.d, c.name); got != d.want {
				t.Errorf("%s: quote(%q, table=%v) = %s, want %s", d.d, c.name, c.table, got, d.want)
			}
		}
	}
}

func TestCheckIdent(t *testing.T) {
	for _, c := range []struct {
		name  string
		table bool
		ok    bool
	}{
		{name: "notes", ok: true},
		{name: "Ünïcode_名前", ok: true},
		{name: strings.Repeat("a", MaxIdentifierLength), ok: true},
		{name: strings.Repeat("a", MaxIdentifierLength+1)},
		{name: ""},
		{name: `we"ird`},
		{name: "we`ird"},
		{name: "nul\x00"},
		{name: "*"},
		{name: "bad\xff"},
		{name: "app.notes"},
		{name: "app.notes", table: true, ok: true},
		{name: "a.b.c", table: true},
		{name: ".notes", table: true},
		{name: "app.", table: true},
		{name: `app.no"tes`, table: true},
	} {
		check := func(n string) error { return CheckIdent("column", n) }
		if c.table {
			check = CheckTable
		}
		err := check(c.name)
		if (err == nil) != c.ok {
			t.Errorf("check(%q, table=%v) = %v, want ok=%v", c.name, c.table, err, c.ok)
		}
		if err != nil && !errors.Is(err, ErrBadIdentifier) {
			t.Errorf("check(%q): %v does not wrap ErrBadIdentifier", c.name, err)
		}
	}
}

// The goqu form of an identifier renders as the text form does, in every
// dialect, for every name CheckTable accepts.
func TestIdentExpressions(t *testing.T) {
	for _, d := range []*Dialect{Postgres, MySQL, SQLite} {
		for _, table := range []string{"notes", "order", "app.notes"} {
			sql, _, err := d.Goqu().From(TableIdent(table)).
				Select(ColumnIdent(table, "text").As(LabelIdent(Label(table, "text")))).ToSQL()
			if err != nil {
				t.Fatal(err)
			}
			want := "SELECT " + d.QuoteTable(table) + "." + d.QuoteIdent("text") + " AS " +
				d.QuoteIdent(table+"__text") + " FROM " + d.QuoteTable(table)
			if d == SQLite { // goqu quotes with ` there, as SQLite also allows
				want = strings.ReplaceAll(want, `"`, "`")
			}
			if sql != want {
				t.Errorf("%s: %s\nwant %s", d, sql, want)
			}
		}
	}
}

func TestLabel(t *testing.T) {
	if got := Label("tracks", "title"); got != "tracks__title" {
		t.Errorf("Label = %q", got)
	}
	long := strings.Repeat("t", 40)
	a, b := Label(long, strings.Repeat("c", 30)), Label(long, strings.Repeat("c", 29)+"d")
	if len(a) > MaxIdentifierLength || len(b) > MaxIdentifierLength {
		t.Errorf("labels of %d and %d bytes, want at most %d", len(a), len(b), MaxIdentifierLength)
	}
	if a == b {
		t.Errorf("two long labels both shortened to %q", a)
	}
	if a != Label(long, strings.Repeat("c", 30)) {
		t.Error("Label is not deterministic")
	}
	if !strings.HasPrefix(a, long+"__") {
		t.Errorf("label %q lost its readable prefix", a)
	}
}

// ExecuteMany writes a goqu insert's keys with QuoteIdent: a quote character
// in a key stays inside the column name.
func TestInsertParamsSQL(t *testing.T) {
	evil := "code`, `name`, `n`) VALUES (?, 'x', 1); DROP TABLE canary; -- "
	for _, c := range []struct {
		d       *Dialect
		p       Params
		want    string
		args    []any
		wantErr bool
	}{
		{d: Postgres, p: Params{"text": "a", "done": true}, want: `INSERT INTO "notes" ("done", "text") VALUES ($1, $2)`, args: []any{true, "a"}},
		{d: MySQL, p: Params{"text": "a"}, want: "INSERT INTO `notes` (`text`) VALUES (?)", args: []any{"a"}},
		{d: MySQL, p: Params{evil: 1}, want: "INSERT INTO `notes` (`code``, ``name``, ``n``) VALUES (?, 'x', 1); DROP TABLE canary; -- `) VALUES (?)", args: []any{int64(1)}},
		{d: Postgres, p: Params{`a", "b`: 1}, want: `INSERT INTO "notes" ("a"", ""b") VALUES ($1)`, args: []any{int64(1)}},
		{d: SQLite, p: Params{"a?b": 1}, want: "INSERT INTO `notes` (\"a?b\") VALUES (?)", args: []any{int64(1)}},
		{d: SQLite, p: Params{"": 1}, wantErr: true},
		{d: SQLite, p: Params{"a\x00": 1}, wantErr: true},
		{d: Postgres, p: Params{strings.Repeat("a", 64): 1}, wantErr: true},
	} {
		ins, err := insertParams(c.d, goqu.Insert("notes"), c.p)
		var st statement
		if err == nil {
			st, err = render(c.d, ins, nil)
		}
		if c.wantErr {
			if !errors.Is(err, ErrBadIdentifier) {
				t.Errorf("%s %q: err = %v, want ErrBadIdentifier", c.d, c.p, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q: %v", c.d, c.p, err)
			continue
		}
		if st.sql != c.want || !reflect.DeepEqual(st.args, c.args) {
			t.Errorf("%s: %s %v\nwant %s %v", c.d, st.sql, st.args, c.want, c.args)
		}
	}
}

// A goqu dataset whose record keys or columns hold the dialect's quote
// character is refused before it is sent.
func TestRenderRefusesQuotedKeys(t *testing.T) {
	type tagged struct {
		V int `db:"v\", \"w"`
	}
	for _, c := range []struct {
		d     *Dialect
		query any
		ok    bool
	}{
		{Postgres, goqu.Insert("t").Rows(goqu.Record{`a", "b`: 1}), false},
		{Postgres, goqu.Insert("t").Rows(goqu.Record{"a`b": 1}), true},
		{SQLite, goqu.Insert("t").Rows(goqu.Record{"a`b": 1}), false},
		{MySQL, goqu.Insert("t").Rows(goqu.Record{"a`b": 1}), false},
		{Postgres, goqu.Insert("t").Rows(map[string]any{`x"`: 1}), false},
		{Postgres, goqu.Insert("t").Rows(tagged{V: 1}), false},
		{MySQL, goqu.Insert("t").Cols("c`").Vals([]any{1}), false},
		{Postgres, goqu.Insert(goqu.T(`t"`)).Rows(goqu.Record{"a": 1}), false},
		{Postgres, goqu.Update("t").Set(goqu.Record{`a" = 1, "b`: 2}), false},
		{Postgres, goqu.Update("t").Set(goqu.Record{"a": 2}), true},
		{SQLite, goqu.Insert("t").Rows(goqu.Record{"a\x00": 1}), false},
	} {
		_, err := render(c.d, c.query, nil)
		if (err == nil) != c.ok {
			t.Errorf("%s %T: err = %v, want ok=%v", c.d, c.query, err, c.ok)
		}
		if err != nil && !(errors.Is(err, ErrBadQuery) && errors.Is(err, ErrBadIdentifier)) {
			t.Errorf("%s: %v should wrap ErrBadQuery and ErrBadIdentifier", c.d, err)
		}
	}
}

// A schema-qualified table is written schema.name in every DDL statement,
// and its constraints are named without the dot.
func TestSchemaQualifiedDDL(t *testing.T) {
	md := NewMetaData()
	if err := md.Add(NewTable("app.authors", &Column{Name: "id", Type: BigInt(), PrimaryKey: true})); err != nil {
		t.Fatal(err)
	}
	if err := md.Add(NewTable("app.notes",
		&Column{Name: "id", Type: BigInt(), PrimaryKey: true},
		&Column{Name: "text", Type: String(10), Index: true},
		&Column{Name: "author_id", Type: BigInt(), ForeignKey: &ForeignKey{Table: "app.authors", Column: "id"}},
	)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		d    *Dialect
		want []string
	}{
		{Postgres, []string{`CREATE TABLE "app"."notes"`, `REFERENCES "app"."authors" ("id")`,
			`CREATE INDEX "ix_app_notes_text" ON "app"."notes" ("text")`, `CONSTRAINT "fk_app_notes_author_id_app_authors"`}},
		{MySQL, []string{"CREATE TABLE `app`.`notes`", "REFERENCES `app`.`authors` (`id`)", "CREATE INDEX `ix_app_notes_text` ON `app`.`notes` (`text`)"}},
		{SQLite, []string{`CREATE TABLE "app"."notes"`, `CREATE INDEX "app"."ix_app_notes_text" ON "notes" ("text")`}},
	} {
		stmts, err := md.CreateSQL(c.d)
		if err != nil {
			t.Fatal(err)
		}
		all := strings.Join(stmts, ";\n")
		for _, w := range c.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: no %s in\n%s", c.d, w, all)
			}
		}
		if drop := md.Tables()[0].DropSQL(c.d); !strings.Contains(drop, c.d.QuoteTable("app.authors")) {
			t.Errorf("%s: %s", c.d, drop)
		}
	}
	bad := NewMetaData()
	err := bad.Add(NewTable("a.b.c", &Column{Name: "id", Type: BigInt(), PrimaryKey: true}))
	if err == nil {
		_, err = bad.CreateSQL(Postgres)
	}
	if !errors.Is(err, ErrInvalidSchema) {
		t.Errorf("table a.b.c: %v, want ErrInvalidSchema", err)
	}
}
