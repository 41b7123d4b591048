package core_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
)

var dialects = []*core.Dialect{core.Postgres, core.MySQL, core.SQLite}

func TestTypeSQL(t *testing.T) {
	unsignedBig := core.BigInt()
	unsignedBig.Unsigned = true
	tests := []struct {
		name string
		typ  core.Type
		want [3]string // Postgres, MySQL, SQLite
	}{
		{"boolean", core.Boolean(), [3]string{"BOOLEAN", "BIT(1)", "BOOLEAN"}},
		{"smallint", core.SmallInt(), [3]string{"SMALLINT", "SMALLINT", "SMALLINT"}},
		{"integer", core.Integer(), [3]string{"INTEGER", "INTEGER", "INTEGER"}},
		{"bigint", core.BigInt(), [3]string{"BIGINT", "BIGINT", "BIGINT"}},
		{"unsigned bigint", unsignedBig, [3]string{"BIGINT", "BIGINT UNSIGNED", "BIGINT"}},
		{"float", core.Float(), [3]string{"REAL", "FLOAT", "REAL"}},
		{"double", core.Double(), [3]string{"DOUBLE PRECISION", "DOUBLE", "REAL"}},
		{"decimal", core.Decimal(10, 2), [3]string{"NUMERIC(10,2)", "DECIMAL(10,2)", "TEXT COLLATE atomdb_decimal"}},
		{"decimal scale 0", core.Decimal(5, 0), [3]string{"NUMERIC(5,0)", "DECIMAL(5,0)", "TEXT COLLATE atomdb_decimal"}},
		{"string", core.String(100), [3]string{"VARCHAR(100)", "VARCHAR(100)", "VARCHAR(100)"}},
		{"text", core.Text(), [3]string{"TEXT", "LONGTEXT", "TEXT"}},
		{"bytes", core.Bytes(), [3]string{"BYTEA", "LONGBLOB", "BLOB"}},
		{"date", core.Date(), [3]string{"DATE", "DATE", "DATE"}},
		{"timestamp", core.Timestamp(), [3]string{"TIMESTAMPTZ", "DATETIME(6)", "TIMESTAMP"}},
		{"json", core.JSON(), [3]string{"JSONB", "JSON", "TEXT"}},
		{"uuid", core.UUID(), [3]string{"UUID", "CHAR(36)", "CHAR(36)"}},
		{"custom", core.Custom("CITEXT"), [3]string{"CITEXT", "CITEXT", "CITEXT"}},
	}
	for _, tt := range tests {
		for i, d := range dialects {
			got, err := tt.typ.SQL(d)
			if err != nil {
				t.Errorf("%s/%s: %v", tt.name, d, err)
				continue
			}
			if got != tt.want[i] {
				t.Errorf("%s/%s: got %q, want %q", tt.name, d, got, tt.want[i])
			}
		}
	}
}

func TestTypeSQLErrors(t *testing.T) {
	tests := []struct {
		name    string
		typ     core.Type
		dialect *core.Dialect
		want    string
	}{
		{"zero type", core.Type{}, core.Postgres, "unknown type kind 0"},
		{"unknown kind", core.Type{Kind: 99}, core.Postgres, "unknown type kind 99"},
		{"zero length", core.String(0), core.SQLite, "length must be greater than 0"},
		{"negative length", core.String(-3), core.MySQL, "length must be greater than 0"},
		{"precision < scale", core.Decimal(2, 3), core.Postgres, "scale must be between 0 and the precision"},
		{"zero precision", core.Decimal(0, 0), core.Postgres, "precision must be between 1 and 1000"},
		{"negative scale", core.Decimal(5, -1), core.Postgres, "scale must be between 0 and the precision"},
		{"mysql precision", core.Decimal(66, 2), core.MySQL, "MySQL allows a precision of at most 65"},
		{"mysql scale", core.Decimal(40, 31), core.MySQL, "scale of at most 30"},
		{"empty custom", core.Custom(""), core.SQLite, "needs its SQL type"},
		{"unsigned text", core.Type{Kind: core.KindText, Unsigned: true}, core.MySQL, "only integer types can be Unsigned"},
		{"length on integer", core.Type{Kind: core.KindInteger, Length: 11}, core.MySQL, "Length applies only to String"},
		{"precision on float", core.Type{Kind: core.KindFloat, Precision: 5}, core.MySQL, "Precision and Scale apply only to Decimal"},
		{"raw on text", core.Type{Kind: core.KindText, Raw: "x"}, core.MySQL, "Raw applies only to Custom"},
		{"nil dialect", core.Text(), nil, "unsupported dialect"},
	}
	for _, tt := range tests {
		_, err := tt.typ.SQL(tt.dialect)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got error %v, want one containing %q", tt.name, err, tt.want)
		}
		if tt.dialect != nil && !errors.Is(err, core.ErrInvalidSchema) {
			t.Errorf("%s: error %v does not wrap ErrInvalidSchema", tt.name, err)
		}
	}
	if got, want := core.Decimal(65, 30).String(), "Decimal(65,30)"; got != want {
		t.Errorf("Type.String: got %q, want %q", got, want)
	}
}

// col is a shorthand for the tests.
func col(name string, typ core.Type) *core.Column { return &core.Column{Name: name, Type: typ} }

func TestColumnDefaults(t *testing.T) {
	type bag []byte
	type status string
	tests := []struct {
		name string
		col  *core.Column
		want [3]string // the column definition on Postgres, MySQL, SQLite
	}{
		{"bool true", &core.Column{Name: "b", Type: core.Boolean(), Default: true},
			[3]string{`"b" BOOLEAN NOT NULL DEFAULT TRUE`, "`b` BIT(1) NOT NULL DEFAULT b'1'", `"b" BOOLEAN NOT NULL DEFAULT 1`}},
		{"bool false", &core.Column{Name: "b", Type: core.Boolean(), Default: false},
			[3]string{`"b" BOOLEAN NOT NULL DEFAULT FALSE`, "`b` BIT(1) NOT NULL DEFAULT b'0'", `"b" BOOLEAN NOT NULL DEFAULT 0`}},
		{"negative int", &core.Column{Name: "n", Type: core.Integer(), Default: -7},
			[3]string{`"n" INTEGER NOT NULL DEFAULT -7`, "`n` INTEGER NOT NULL DEFAULT -7", `"n" INTEGER NOT NULL DEFAULT -7`}},
		{"uint64", &core.Column{Name: "n", Type: core.BigInt(), Default: uint64(18446744073709551615)},
			[3]string{`"n" BIGINT NOT NULL DEFAULT 18446744073709551615`, "`n` BIGINT NOT NULL DEFAULT 18446744073709551615", `"n" BIGINT NOT NULL DEFAULT 18446744073709551615`}},
		{"float", &core.Column{Name: "f", Type: core.Double(), Default: 0.1},
			[3]string{`"f" DOUBLE PRECISION NOT NULL DEFAULT 0.1`, "`f` DOUBLE NOT NULL DEFAULT 0.1", `"f" REAL NOT NULL DEFAULT 0.1`}},
		{"float32", &core.Column{Name: "f", Type: core.Float(), Default: float32(0.1)},
			[3]string{`"f" REAL NOT NULL DEFAULT 0.1`, "`f` FLOAT NOT NULL DEFAULT 0.1", `"f" REAL NOT NULL DEFAULT 0.1`}},
		{"decimal string", &core.Column{Name: "p", Type: core.Decimal(10, 2), Default: "12.50"},
			[3]string{`"p" NUMERIC(10,2) NOT NULL DEFAULT '12.50'`, "`p` DECIMAL(10,2) NOT NULL DEFAULT '12.50'", `"p" TEXT COLLATE atomdb_decimal NOT NULL DEFAULT '12.50'`}},
		{"string with quote", &core.Column{Name: "s", Type: core.String(20), Default: "it's"},
			[3]string{`"s" VARCHAR(20) NOT NULL DEFAULT 'it''s'`, "`s` VARCHAR(20) NOT NULL DEFAULT 'it''s'", `"s" VARCHAR(20) NOT NULL DEFAULT 'it''s'`}},
		{"string with backslash", &core.Column{Name: "s", Type: core.String(20), Default: `a\'b`},
			[3]string{`"s" VARCHAR(20) NOT NULL DEFAULT E'a\\''b'`, "`s` VARCHAR(20) NOT NULL DEFAULT _utf8mb4 X'615C2762'", `"s" VARCHAR(20) NOT NULL DEFAULT 'a\''b'`}},
		{"named string type", &core.Column{Name: "s", Type: core.String(20), Default: status("new")},
			[3]string{`"s" VARCHAR(20) NOT NULL DEFAULT 'new'`, "`s` VARCHAR(20) NOT NULL DEFAULT 'new'", `"s" VARCHAR(20) NOT NULL DEFAULT 'new'`}},
		{"text literal", &core.Column{Name: "t", Type: core.Text(), Default: "x"},
			[3]string{`"t" TEXT NOT NULL DEFAULT 'x'`, "`t` LONGTEXT NOT NULL DEFAULT ('x')", `"t" TEXT NOT NULL DEFAULT 'x'`}},
		{"text with backslash", &core.Column{Name: "t", Type: core.Text(), Default: `a\b`},
			[3]string{`"t" TEXT NOT NULL DEFAULT E'a\\b'`, "`t` LONGTEXT NOT NULL DEFAULT (CONVERT(X'615C62' USING utf8mb4))", `"t" TEXT NOT NULL DEFAULT 'a\b'`}},
		{"json", &core.Column{Name: "j", Type: core.JSON(), Default: `{"a": [1]}`},
			[3]string{`"j" JSONB NOT NULL DEFAULT '{"a": [1]}'`, "`j` JSON NOT NULL DEFAULT ('{\"a\": [1]}')", `"j" TEXT NOT NULL DEFAULT '{"a": [1]}'`}},
		{"bytes", &core.Column{Name: "b", Type: core.Bytes(), Nullable: true, Default: []byte{0xca, 0xfe}},
			[3]string{`"b" BYTEA DEFAULT decode('CAFE', 'hex')`, "`b` LONGBLOB DEFAULT (X'CAFE')", `"b" BLOB DEFAULT X'CAFE'`}},
		{"named bytes type", &core.Column{Name: "b", Type: core.Bytes(), Default: bag{}},
			[3]string{`"b" BYTEA NOT NULL DEFAULT decode('', 'hex')`, "`b` LONGBLOB NOT NULL DEFAULT (X'')", `"b" BLOB NOT NULL DEFAULT X''`}},
		{"date", &core.Column{Name: "d", Type: core.Date(), Default: "2024-02-29"},
			[3]string{`"d" DATE NOT NULL DEFAULT '2024-02-29'`, "`d` DATE NOT NULL DEFAULT '2024-02-29'", `"d" DATE NOT NULL DEFAULT '2024-02-29'`}},
		{"current timestamp", &core.Column{Name: "at", Type: core.Timestamp(), Default: core.CurrentTimestamp},
			[3]string{`"at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP`, "`at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)", `"at" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP`}},
		{"expr verbatim", &core.Column{Name: "d", Type: core.Date(), Default: core.Expr("(CURRENT_DATE)")},
			[3]string{`"d" DATE NOT NULL DEFAULT (CURRENT_DATE)`, "`d` DATE NOT NULL DEFAULT (CURRENT_DATE)", `"d" DATE NOT NULL DEFAULT (CURRENT_DATE)`}},
		{"uuid", &core.Column{Name: "u", Type: core.UUID(), Default: "123e4567-e89b-12d3-a456-426614174000"},
			[3]string{`"u" UUID NOT NULL DEFAULT '123e4567-e89b-12d3-a456-426614174000'`, "`u` CHAR(36) NOT NULL DEFAULT '123e4567-e89b-12d3-a456-426614174000'", `"u" CHAR(36) NOT NULL DEFAULT '123e4567-e89b-12d3-a456-426614174000'`}},
		{"custom bool", &core.Column{Name: "c", Type: core.Custom("TINYINT(1)"), Default: true},
			[3]string{`"c" TINYINT(1) NOT NULL DEFAULT TRUE`, "`c` TINYINT(1) NOT NULL DEFAULT TRUE", `"c" TINYINT(1) NOT NULL DEFAULT 1`}},
		{"nullable no default", &core.Column{Name: "n", Type: core.Text(), Nullable: true},
			[3]string{`"n" TEXT`, "`n` LONGTEXT", `"n" TEXT`}},
		{"reserved word", col("select", core.Integer()),
			[3]string{`"select" INTEGER NOT NULL`, "`select` INTEGER NOT NULL", `"select" INTEGER NOT NULL`}},
		{"quote in name", col(`we"ird`+"`", core.Integer()),
			[3]string{`"we""ird` + "`" + `" INTEGER NOT NULL`, "`we\"ird``` INTEGER NOT NULL", `"we""ird` + "`" + `" INTEGER NOT NULL`}},
	}
	for _, tt := range tests {
		for i, d := range dialects {
			stmts, err := core.NewTable("t", tt.col).CreateSQL(d, core.NamingConvention{})
			if err != nil {
				t.Errorf("%s/%s: %v", tt.name, d, err)
				continue
			}
			want := "CREATE TABLE " + d.QuoteIdent("t") + " (\n  " + tt.want[i] + "\n)"
			if d == core.MySQL {
				want += " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
			}
			if len(stmts) != 1 || stmts[0] != want {
				t.Errorf("%s/%s:\n got %q\nwant %q", tt.name, d, stmts, want)
			}
		}
	}
}

func TestTableCreateSQL(t *testing.T) {
	orders := func() *core.Table {
		tb := core.NewTable("order",
			&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
			&core.Column{Name: "from", Type: core.String(50), Unique: true},
			&core.Column{Name: "select", Type: core.Integer(), Default: 0, Index: true},
			&core.Column{Name: "parent_id", Type: core.BigInt(), Nullable: true,
				ForeignKey: &core.ForeignKey{Table: "order", Column: "id", OnDelete: core.SetNull, OnUpdate: core.Cascade}},
		)
		tb.Indexes = []*core.Index{{Columns: []string{"from", "select"}}, {Name: "by_parent", Columns: []string{"parent_id"}, Unique: true}}
		tb.Checks = []*core.CheckConstraint{{Name: "select_positive", Expr: `"select" >= 0`}}
		return tb
	}
	composite := func() *core.Table {
		tb := core.NewTable("line",
			&core.Column{Name: "order_id", Type: core.BigInt(), PrimaryKey: true},
			&core.Column{Name: "n", Type: core.SmallInt(), PrimaryKey: true},
			&core.Column{Name: "sku", Type: core.String(20)},
		)
		tb.Uniques = []*core.UniqueConstraint{{Columns: []string{"order_id", "sku"}}, {Name: "line_sku_n", Columns: []string{"sku", "n"}}}
		return tb
	}
	tests := []struct {
		name    string
		table   *core.Table
		dialect *core.Dialect
		opts    []core.DDLOption
		want    []string
	}{
		{"postgres", orders(), core.Postgres, nil, []string{
			`CREATE TABLE "order" (
  "id" BIGINT GENERATED BY DEFAULT AS IDENTITY NOT NULL,
  "from" VARCHAR(50) NOT NULL,
  "select" INTEGER NOT NULL DEFAULT 0,
  "parent_id" BIGINT,
  CONSTRAINT "pk_order" PRIMARY KEY ("id"),
  CONSTRAINT "uq_order_from" UNIQUE ("from"),
  CONSTRAINT "ck_order_select_positive" CHECK ("select" >= 0),
  CONSTRAINT "fk_order_parent_id_order" FOREIGN KEY ("parent_id") REFERENCES "order" ("id") ON DELETE SET NULL ON UPDATE CASCADE
)`,
			`CREATE INDEX "ix_order_select" ON "order" ("select")`,
			`CREATE INDEX "ix_order_from_select" ON "order" ("from", "select")`,
			`CREATE UNIQUE INDEX "by_parent" ON "order" ("parent_id")`,
		}},
		{"mysql", orders(), core.MySQL, nil, []string{
			"CREATE TABLE `order` (\n" +
				"  `id` BIGINT NOT NULL AUTO_INCREMENT,\n" +
				"  `from` VARCHAR(50) NOT NULL,\n" +
				"  `select` INTEGER NOT NULL DEFAULT 0,\n" +
				"  `parent_id` BIGINT,\n" +
				"  CONSTRAINT `pk_order` PRIMARY KEY (`id`),\n" +
				"  CONSTRAINT `uq_order_from` UNIQUE (`from`),\n" +
				"  CONSTRAINT `ck_order_select_positive` CHECK (\"select\" >= 0),\n" +
				"  CONSTRAINT `fk_order_parent_id_order` FOREIGN KEY (`parent_id`) REFERENCES `order` (`id`) ON DELETE SET NULL ON UPDATE CASCADE\n" +
				") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
			"CREATE INDEX `ix_order_select` ON `order` (`select`)",
			"CREATE INDEX `ix_order_from_select` ON `order` (`from`, `select`)",
			"CREATE UNIQUE INDEX `by_parent` ON `order` (`parent_id`)",
		}},
		{"sqlite", orders(), core.SQLite, nil, []string{
			`CREATE TABLE "order" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "from" VARCHAR(50) NOT NULL,
  "select" INTEGER NOT NULL DEFAULT 0,
  "parent_id" BIGINT,
  CONSTRAINT "uq_order_from" UNIQUE ("from"),
  CONSTRAINT "ck_order_select_positive" CHECK ("select" >= 0),
  CONSTRAINT "fk_order_parent_id_order" FOREIGN KEY ("parent_id") REFERENCES "order" ("id") ON DELETE SET NULL ON UPDATE CASCADE
)`,
			`CREATE INDEX "ix_order_select" ON "order" ("select")`,
			`CREATE INDEX "ix_order_from_select" ON "order" ("from", "select")`,
			`CREATE UNIQUE INDEX "by_parent" ON "order" ("parent_id")`,
		}},
		{"postgres if not exists", orders(), core.Postgres, []core.DDLOption{core.IfNotExists()}, nil},
		{"mysql if not exists inlines indexes", orders(), core.MySQL, []core.DDLOption{core.IfNotExists()}, []string{
			"CREATE TABLE IF NOT EXISTS `order` (\n" +
				"  `id` BIGINT NOT NULL AUTO_INCREMENT,\n" +
				"  `from` VARCHAR(50) NOT NULL,\n" +
				"  `select` INTEGER NOT NULL DEFAULT 0,\n" +
				"  `parent_id` BIGINT,\n" +
				"  CONSTRAINT `pk_order` PRIMARY KEY (`id`),\n" +
				"  CONSTRAINT `uq_order_from` UNIQUE (`from`),\n" +
				"  CONSTRAINT `ck_order_select_positive` CHECK (\"select\" >= 0),\n" +
				"  CONSTRAINT `fk_order_parent_id_order` FOREIGN KEY (`parent_id`) REFERENCES `order` (`id`) ON DELETE SET NULL ON UPDATE CASCADE,\n" +
				"  INDEX `ix_order_select` (`select`),\n" +
				"  INDEX `ix_order_from_select` (`from`, `select`),\n" +
				"  UNIQUE INDEX `by_parent` (`parent_id`)\n" +
				") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
		}},
		{"composite pk postgres", composite(), core.Postgres, nil, []string{
			`CREATE TABLE "line" (
  "order_id" BIGINT NOT NULL,
  "n" SMALLINT NOT NULL,
  "sku" VARCHAR(20) NOT NULL,
  CONSTRAINT "pk_line" PRIMARY KEY ("order_id", "n"),
  CONSTRAINT "uq_line_order_id_sku" UNIQUE ("order_id", "sku"),
  CONSTRAINT "line_sku_n" UNIQUE ("sku", "n")
)`}},
		{"composite pk sqlite", composite(), core.SQLite, nil, []string{
			`CREATE TABLE "line" (
  "order_id" BIGINT NOT NULL,
  "n" SMALLINT NOT NULL,
  "sku" VARCHAR(20) NOT NULL,
  CONSTRAINT "pk_line" PRIMARY KEY ("order_id", "n"),
  CONSTRAINT "uq_line_order_id_sku" UNIQUE ("order_id", "sku"),
  CONSTRAINT "line_sku_n" UNIQUE ("sku", "n")
)`}},
		{"smallint identity", core.NewTable("s", &core.Column{Name: "id", Type: core.SmallInt(), PrimaryKey: true, AutoIncrement: true}),
			core.Postgres, nil, []string{"CREATE TABLE \"s\" (\n  \"id\" SMALLINT GENERATED BY DEFAULT AS IDENTITY NOT NULL,\n  CONSTRAINT \"pk_s\" PRIMARY KEY (\"id\")\n)"}},
		{"unsigned auto increment", core.NewTable("s", &core.Column{Name: "id", Type: core.Type{Kind: core.KindInteger, Unsigned: true}, PrimaryKey: true, AutoIncrement: true}),
			core.MySQL, nil, []string{"CREATE TABLE `s` (\n  `id` INTEGER UNSIGNED NOT NULL AUTO_INCREMENT,\n  CONSTRAINT `pk_s` PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"}},
		{"no primary key", core.NewTable("log", col("msg", core.Text())), core.SQLite, nil,
			[]string{"CREATE TABLE \"log\" (\n  \"msg\" TEXT NOT NULL\n)"}},
	}
	for _, tt := range tests {
		got, err := tt.table.CreateSQL(tt.dialect, core.DefaultNaming, tt.opts...)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if tt.want == nil { // only check the IF NOT EXISTS forms
			for _, s := range got {
				if !strings.Contains(s, "IF NOT EXISTS") {
					t.Errorf("%s: %q lacks IF NOT EXISTS", tt.name, s)
				}
			}
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, strings.Join(got, ";\n"), strings.Join(tt.want, ";\n"))
		}
	}
}

func TestTableDropSQL(t *testing.T) {
	tb := core.NewTable("from", col("x", core.Integer()))
	tests := []struct {
		dialect *core.Dialect
		opts    []core.DDLOption
		want    string
	}{
		{core.Postgres, nil, `DROP TABLE "from"`},
		{core.MySQL, []core.DDLOption{core.IfExists()}, "DROP TABLE IF EXISTS `from`"},
		{core.SQLite, []core.DDLOption{core.IfExists()}, `DROP TABLE IF EXISTS "from"`},
	}
	for _, tt := range tests {
		if got := tb.DropSQL(tt.dialect, tt.opts...); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.dialect, got, tt.want)
		}
	}
}

func TestTableCreateSQLDialectErrors(t *testing.T) {
	tests := []struct {
		name    string
		table   *core.Table
		dialect *core.Dialect
		want    string
	}{
		{"sqlite composite autoincrement", core.NewTable("t",
			&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
			&core.Column{Name: "k", Type: core.BigInt(), PrimaryKey: true}),
			core.SQLite, `table "t" column "id" - SQLite cannot AutoIncrement a column of a composite primary key`},
		{"mysql autoincrement not first", core.NewTable("t",
			&core.Column{Name: "k", Type: core.BigInt(), PrimaryKey: true},
			&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true}),
			core.MySQL, `table "t" column "id" - MySQL needs the AutoIncrement column first`},
		{"mysql text unique", core.NewTable("t", &core.Column{Name: "body", Type: core.Text(), Unique: true}),
			core.MySQL, `table "t" column "body" - MySQL cannot use a Text column in unique constraint "uq_t_body"`},
		{"mysql set default", core.NewTable("t",
			&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
			&core.Column{Name: "p", Type: core.BigInt(), Default: 0, ForeignKey: &core.ForeignKey{Table: "t", Column: "id", OnDelete: core.SetDefault}}),
			core.MySQL, `table "t" column "p" - MySQL (InnoDB) does not support the foreign key action SET DEFAULT`},
		{"unsupported dialect", core.NewTable("t", col("a", core.Text())), &core.Dialect{}, "unsupported dialect"},
	}
	for _, tt := range tests {
		_, err := tt.table.CreateSQL(tt.dialect, core.DefaultNaming)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
	// The same tables are fine on the other dialects.
	ok := core.NewTable("t", &core.Column{Name: "body", Type: core.Text(), Unique: true})
	for _, d := range []*core.Dialect{core.Postgres, core.SQLite} {
		if _, err := ok.CreateSQL(d, core.DefaultNaming); err != nil {
			t.Errorf("text unique on %s: %v", d, err)
		}
	}
}

// cyclic returns a schema with a two-table cycle (a <-> b), a three-table
// cycle (x -> y -> z -> x), a self-reference and a plain reference, added in
// an order that is not the dependency order.
func cyclic(t *testing.T) *core.MetaData {
	t.Helper()
	ref := func(name, table string, action core.Action) *core.Column {
		return &core.Column{Name: name, Type: core.BigInt(), Nullable: true,
			ForeignKey: &core.ForeignKey{Table: table, Column: "id", OnDelete: action}}
	}
	id := func() *core.Column { return &core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true} }
	m := core.NewMetaData()
	err := m.Add(
		core.NewTable("child", id(), ref("parent_id", "parent", core.Cascade)),
		core.NewTable("parent", id(), ref("up_id", "parent", core.SetNull)),
		core.NewTable("a", id(), ref("b_id", "b", core.SetNull)),
		core.NewTable("b", id(), ref("a_id", "a", core.NoAction)),
		core.NewTable("x", id(), ref("y_id", "y", core.NoAction)),
		core.NewTable("y", id(), ref("z_id", "z", core.NoAction)),
		core.NewTable("z", id(), ref("x_id", "x", core.NoAction)),
	)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// heads shortens each statement to its first line, which is enough to
// compare orders.
func heads(stmts []string) []string {
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i], _, _ = strings.Cut(s, "\n")
	}
	return out
}

func TestMetaDataCreateSQLOrderAndCycles(t *testing.T) {
	m := cyclic(t)
	tests := []struct {
		name    string
		dialect *core.Dialect
		opts    []core.DDLOption
		want    []string
	}{
		{"postgres", core.Postgres, nil, []string{
			`CREATE TABLE "parent" (`,
			`CREATE TABLE "child" (`,
			`CREATE TABLE "a" (`,
			`CREATE TABLE "b" (`,
			`CREATE TABLE "x" (`,
			`CREATE TABLE "y" (`,
			`CREATE TABLE "z" (`,
			`ALTER TABLE "a" ADD CONSTRAINT "fk_a_b_id_b" FOREIGN KEY ("b_id") REFERENCES "b" ("id") ON DELETE SET NULL`,
			`ALTER TABLE "b" ADD CONSTRAINT "fk_b_a_id_a" FOREIGN KEY ("a_id") REFERENCES "a" ("id")`,
			`ALTER TABLE "x" ADD CONSTRAINT "fk_x_y_id_y" FOREIGN KEY ("y_id") REFERENCES "y" ("id")`,
			`ALTER TABLE "y" ADD CONSTRAINT "fk_y_z_id_z" FOREIGN KEY ("z_id") REFERENCES "z" ("id")`,
			`ALTER TABLE "z" ADD CONSTRAINT "fk_z_x_id_x" FOREIGN KEY ("x_id") REFERENCES "x" ("id")`,
		}},
		{"postgres if not exists", core.Postgres, []core.DDLOption{core.IfNotExists()}, []string{
			`CREATE TABLE IF NOT EXISTS "parent" (`,
			`CREATE TABLE IF NOT EXISTS "child" (`,
			`CREATE TABLE IF NOT EXISTS "a" (`,
			`CREATE TABLE IF NOT EXISTS "b" (`,
			`CREATE TABLE IF NOT EXISTS "x" (`,
			`CREATE TABLE IF NOT EXISTS "y" (`,
			`CREATE TABLE IF NOT EXISTS "z" (`,
			`DO $atomdb$ BEGIN ALTER TABLE "a" ADD CONSTRAINT "fk_a_b_id_b" FOREIGN KEY ("b_id") REFERENCES "b" ("id") ON DELETE SET NULL; EXCEPTION WHEN duplicate_object THEN NULL; END $atomdb$`,
			`DO $atomdb$ BEGIN ALTER TABLE "b" ADD CONSTRAINT "fk_b_a_id_a" FOREIGN KEY ("a_id") REFERENCES "a" ("id"); EXCEPTION WHEN duplicate_object THEN NULL; END $atomdb$`,
			`DO $atomdb$ BEGIN ALTER TABLE "x" ADD CONSTRAINT "fk_x_y_id_y" FOREIGN KEY ("y_id") REFERENCES "y" ("id"); EXCEPTION WHEN duplicate_object THEN NULL; END $atomdb$`,
			`DO $atomdb$ BEGIN ALTER TABLE "y" ADD CONSTRAINT "fk_y_z_id_z" FOREIGN KEY ("z_id") REFERENCES "z" ("id"); EXCEPTION WHEN duplicate_object THEN NULL; END $atomdb$`,
			`DO $atomdb$ BEGIN ALTER TABLE "z" ADD CONSTRAINT "fk_z_x_id_x" FOREIGN KEY ("x_id") REFERENCES "x" ("id"); EXCEPTION WHEN duplicate_object THEN NULL; END $atomdb$`,
		}},
		{"mysql", core.MySQL, nil, []string{
			"CREATE TABLE `parent` (",
			"CREATE TABLE `child` (",
			"CREATE TABLE `a` (",
			"CREATE TABLE `b` (",
			"CREATE TABLE `x` (",
			"CREATE TABLE `y` (",
			"CREATE TABLE `z` (",
			"ALTER TABLE `a` ADD CONSTRAINT `fk_a_b_id_b` FOREIGN KEY (`b_id`) REFERENCES `b` (`id`) ON DELETE SET NULL",
			"ALTER TABLE `b` ADD CONSTRAINT `fk_b_a_id_a` FOREIGN KEY (`a_id`) REFERENCES `a` (`id`)",
			"ALTER TABLE `x` ADD CONSTRAINT `fk_x_y_id_y` FOREIGN KEY (`y_id`) REFERENCES `y` (`id`)",
			"ALTER TABLE `y` ADD CONSTRAINT `fk_y_z_id_z` FOREIGN KEY (`z_id`) REFERENCES `z` (`id`)",
			"ALTER TABLE `z` ADD CONSTRAINT `fk_z_x_id_x` FOREIGN KEY (`x_id`) REFERENCES `x` (`id`)",
		}},
		{"mysql if not exists", core.MySQL, []core.DDLOption{core.IfNotExists()}, []string{
			"SET @atomdb_foreign_key_checks = @@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS = 0",
			"CREATE TABLE IF NOT EXISTS `parent` (",
			"CREATE TABLE IF NOT EXISTS `child` (",
			"CREATE TABLE IF NOT EXISTS `a` (",
			"CREATE TABLE IF NOT EXISTS `b` (",
			"CREATE TABLE IF NOT EXISTS `x` (",
			"CREATE TABLE IF NOT EXISTS `y` (",
			"CREATE TABLE IF NOT EXISTS `z` (",
			"SET FOREIGN_KEY_CHECKS = @atomdb_foreign_key_checks",
		}},
		{"sqlite", core.SQLite, nil, []string{
			`CREATE TABLE "parent" (`,
			`CREATE TABLE "child" (`,
			`CREATE TABLE "a" (`,
			`CREATE TABLE "b" (`,
			`CREATE TABLE "x" (`,
			`CREATE TABLE "y" (`,
			`CREATE TABLE "z" (`,
		}},
	}
	for _, tt := range tests {
		got, err := m.CreateSQL(tt.dialect, tt.opts...)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if h := heads(got); !reflect.DeepEqual(h, tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, h, tt.want)
		}
		// Where the cyclic keys are declared: inline on SQLite and in MySQL's
		// unchecked IF NOT EXISTS form, else only in the ALTERs.
		inline := tt.dialect == core.SQLite || (tt.dialect == core.MySQL && len(tt.opts) > 0)
		for _, s := range got {
			if !strings.HasPrefix(s, "CREATE TABLE") {
				continue
			}
			for _, fk := range []string{"fk_a_b_id_b", "fk_b_a_id_a", "fk_x_y_id_y", "fk_y_z_id_z", "fk_z_x_id_x"} {
				head, _, _ := strings.Cut(s, "\n")
				owner := strings.HasSuffix(head, " "+tt.dialect.QuoteIdent(fk[3:4])+" (")
				if strings.Contains(s, fk) != (inline && owner) {
					t.Errorf("%s: %s declared inline = %v in %q", tt.name, fk, !(inline && owner), s)
				}
			}
		}
		// The self-reference and the plain reference are always inline.
		all := strings.Join(got, "\n")
		for _, fk := range []string{"fk_parent_up_id_parent", "fk_child_parent_id_parent"} {
			if !strings.Contains(all, "CONSTRAINT "+tt.dialect.QuoteIdent(fk)+" FOREIGN KEY") || strings.Contains(all, "ADD CONSTRAINT "+tt.dialect.QuoteIdent(fk)) {
				t.Errorf("%s: %s is not inline", tt.name, fk)
			}
		}
	}
}

func TestMetaDataDropSQL(t *testing.T) {
	m := cyclic(t)
	tables := func(q func(string) string, ifExists bool) []string {
		var out []string
		for _, n := range []string{"z", "y", "x", "b", "a", "child", "parent"} {
			s := "DROP TABLE "
			if ifExists {
				s += "IF EXISTS "
			}
			out = append(out, s+q(n))
		}
		return out
	}
	pq, mq, sq := core.Postgres.QuoteIdent, core.MySQL.QuoteIdent, core.SQLite.QuoteIdent
	tests := []struct {
		name    string
		dialect *core.Dialect
		opts    []core.DDLOption
		want    []string
	}{
		{"postgres", core.Postgres, nil, append([]string{
			`ALTER TABLE "a" DROP CONSTRAINT "fk_a_b_id_b"`,
			`ALTER TABLE "b" DROP CONSTRAINT "fk_b_a_id_a"`,
			`ALTER TABLE "x" DROP CONSTRAINT "fk_x_y_id_y"`,
			`ALTER TABLE "y" DROP CONSTRAINT "fk_y_z_id_z"`,
			`ALTER TABLE "z" DROP CONSTRAINT "fk_z_x_id_x"`,
		}, tables(pq, false)...)},
		{"postgres if exists", core.Postgres, []core.DDLOption{core.IfExists()}, append([]string{
			`ALTER TABLE IF EXISTS "a" DROP CONSTRAINT IF EXISTS "fk_a_b_id_b"`,
			`ALTER TABLE IF EXISTS "b" DROP CONSTRAINT IF EXISTS "fk_b_a_id_a"`,
			`ALTER TABLE IF EXISTS "x" DROP CONSTRAINT IF EXISTS "fk_x_y_id_y"`,
			`ALTER TABLE IF EXISTS "y" DROP CONSTRAINT IF EXISTS "fk_y_z_id_z"`,
			`ALTER TABLE IF EXISTS "z" DROP CONSTRAINT IF EXISTS "fk_z_x_id_x"`,
		}, tables(pq, true)...)},
		{"mysql", core.MySQL, nil, append([]string{
			"ALTER TABLE `a` DROP FOREIGN KEY `fk_a_b_id_b`",
			"ALTER TABLE `b` DROP FOREIGN KEY `fk_b_a_id_a`",
			"ALTER TABLE `x` DROP FOREIGN KEY `fk_x_y_id_y`",
			"ALTER TABLE `y` DROP FOREIGN KEY `fk_y_z_id_z`",
			"ALTER TABLE `z` DROP FOREIGN KEY `fk_z_x_id_x`",
		}, tables(mq, false)...)},
		{"mysql if exists", core.MySQL, []core.DDLOption{core.IfExists()}, append(append(
			[]string{"SET @atomdb_foreign_key_checks = @@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS = 0"},
			tables(mq, true)...), "SET FOREIGN_KEY_CHECKS = @atomdb_foreign_key_checks")},
		{"sqlite", core.SQLite, nil, append([]string{"PRAGMA defer_foreign_keys = ON"}, tables(sq, false)...)},
	}
	for _, tt := range tests {
		got, err := m.DropSQL(tt.dialect, tt.opts...)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}

	// Without cycles there is nothing before the drops.
	acyclic := core.NewMetaData()
	if err := acyclic.Add(
		core.NewTable("p", &core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true}),
		core.NewTable("c", &core.Column{Name: "p_id", Type: core.BigInt(), ForeignKey: &core.ForeignKey{Table: "p", Column: "id"}}),
	); err != nil {
		t.Fatal(err)
	}
	for _, d := range dialects {
		got, err := acyclic.DropSQL(d, core.IfExists())
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"DROP TABLE IF EXISTS " + d.QuoteIdent("c"), "DROP TABLE IF EXISTS " + d.QuoteIdent("p")}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("acyclic %s: got %q, want %q", d, got, want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	for _, d := range dialects {
		first, err := cyclic(t).CreateSQL(d)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 20; i++ {
			again, err := cyclic(t).CreateSQL(d)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(first, again) {
				t.Fatalf("%s: run %d differs:\n%q\n%q", d, i, first, again)
			}
		}
	}
}

func TestNamingConvention(t *testing.T) {
	long := strings.Repeat("a_very_long_table_name_", 3) // 69 bytes
	tests := []struct {
		name string
		got  func() (string, error)
		want string
	}{
		{"default index", func() (string, error) { return core.DefaultNaming.IndexName("t", []string{"a", "b"}) }, "ix_t_a_b"},
		{"default unique", func() (string, error) { return core.DefaultNaming.UniqueName("t", []string{"a"}) }, "uq_t_a"},
		{"default check", func() (string, error) { return core.DefaultNaming.CheckName("t", "positive") }, "ck_t_positive"},
		{"default fk", func() (string, error) { return core.DefaultNaming.ForeignKeyName("t", []string{"u_id"}, "u") }, "fk_t_u_id_u"},
		{"default pk", func() (string, error) { return core.DefaultNaming.PrimaryKeyName("t", []string{"id"}) }, "pk_t"},
		{"zero value is default", func() (string, error) { return core.NamingConvention{}.IndexName("t", []string{"a"}) }, "ix_t_a"},
		{"custom column_0", func() (string, error) {
			return core.NamingConvention{Index: "{table}_{column_0}_idx"}.IndexName("t", []string{"a", "b"})
		}, "t_a_idx"},
		{"custom column_1", func() (string, error) {
			return core.NamingConvention{Unique: "{table}__{column_1}"}.UniqueName("t", []string{"a", "b"})
		}, "t__b"},
		{"custom fk", func() (string, error) {
			return core.NamingConvention{ForeignKey: "{table}_{column_0}_fkey"}.ForeignKeyName("t", []string{"u_id"}, "u")
		}, "t_u_id_fkey"},
		{"exactly 63 kept", func() (string, error) {
			return core.DefaultNaming.PrimaryKeyName(strings.Repeat("x", 60), nil)
		}, "pk_" + strings.Repeat("x", 60)},
		{"shortened", func() (string, error) { return core.DefaultNaming.IndexName(long, []string{"col"}) },
			("ix_" + long + "_col")[:54] + "_3cbb35ee"},
	}
	for _, tt := range tests {
		got, err := tt.got()
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
		if len(got) > core.MaxIdentifierLength {
			t.Errorf("%s: %q is %d bytes long", tt.name, got, len(got))
		}
	}
	// Shortening keeps distinct names distinct and never splits a rune.
	a, _ := core.DefaultNaming.IndexName(long, []string{"col_one"})
	b, _ := core.DefaultNaming.IndexName(long, []string{"col_two"})
	if a == b {
		t.Errorf("shortened names collide: %q", a)
	}
	u, _ := core.DefaultNaming.IndexName(strings.Repeat("é", 40), nil)
	if len(u) > core.MaxIdentifierLength || !strings.HasPrefix(u, "ix_é") || strings.ContainsRune(u, '\uFFFD') {
		t.Errorf("multibyte shortening: %q", u)
	}

	bad := []struct {
		name string
		n    core.NamingConvention
		want string
	}{
		{"unknown placeholder", core.NamingConvention{Index: "ix_{tabel}"}, "placeholder {tabel} is not available here"},
		{"referred_table outside fk", core.NamingConvention{Unique: "uq_{referred_table}"}, "placeholder {referred_table} is not available here"},
		{"columns in check", core.NamingConvention{Check: "ck_{table}_{columns}"}, "placeholder {columns} is not available here"},
		{"unmatched brace", core.NamingConvention{PrimaryKey: "pk_{table"}, "unmatched {"},
		{"unmatched close", core.NamingConvention{PrimaryKey: "pk_table}"}, "unmatched }"},
		{"column out of range", core.NamingConvention{ForeignKey: "fk_{column_5}"}, "{column_5} but only"},
	}
	for _, tt := range bad {
		err := tt.n.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, core.ErrInvalidSchema) {
			t.Errorf("%s: got %v, want an ErrInvalidSchema containing %q", tt.name, err, tt.want)
		}
	}
}

func TestMetaDataNamingAndLookup(t *testing.T) {
	m := core.NewMetaData(core.WithNaming(core.NamingConvention{Index: "{table}_{columns}_idx"}))
	users := core.NewTable("users",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
		&core.Column{Name: "email", Type: core.String(200), Index: true, Unique: true},
	)
	if err := m.Add(users); err != nil {
		t.Fatal(err)
	}
	if m.Table("users") != users || m.Table("nope") != nil || len(m.Tables()) != 1 {
		t.Error("Table/Tables lookup")
	}
	if users.Column("email") == nil || users.Column("Email") != nil {
		t.Error("Column lookup is exact")
	}
	if pk := users.PrimaryKey(); len(pk) != 1 || pk[0].Name != "id" {
		t.Errorf("PrimaryKey: %v", pk)
	}
	if got := m.Naming().Index; got != "{table}_{columns}_idx" {
		t.Errorf("Naming: %q", got)
	}
	got, err := m.CreateSQL(core.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"CREATE TABLE \"users\" (\n  \"id\" BIGINT NOT NULL,\n  \"email\" VARCHAR(200) NOT NULL,\n" +
			"  CONSTRAINT \"pk_users\" PRIMARY KEY (\"id\"),\n  CONSTRAINT \"uq_users_email\" UNIQUE (\"email\")\n)",
		`CREATE INDEX "users_email_idx" ON "users" ("email")`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// Duplicate names, exact or differing in case, are refused and nothing is added.
	err = m.Add(core.NewTable("orders", col("a", core.Text())), core.NewTable("USERS", col("a", core.Text())))
	if err == nil || !strings.Contains(err.Error(), `table "USERS" - duplicate table name (already have "users")`) {
		t.Errorf("duplicate Add: %v", err)
	}
	if len(m.Tables()) != 1 {
		t.Errorf("a failed Add added tables: %d", len(m.Tables()))
	}
	if err := m.Add(nil); err == nil {
		t.Error("Add(nil) succeeded")
	}
}

func TestValidate(t *testing.T) {
	id := func() *core.Column { return &core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true} }
	tests := []struct {
		name   string
		tables []*core.Table
		naming *core.NamingConvention
		want   []string // substrings of the joined error
	}{
		{"fk to unknown table", []*core.Table{core.NewTable("t", id(),
			&core.Column{Name: "u_id", Type: core.BigInt(), ForeignKey: &core.ForeignKey{Table: "users", Column: "id"}})},
			nil, []string{`table "t" column "u_id" - foreign key to unknown table "users"`}},
		{"fk to unknown column", []*core.Table{core.NewTable("u", id()), core.NewTable("t", id(),
			&core.Column{Name: "u_id", Type: core.BigInt(), ForeignKey: &core.ForeignKey{Table: "u", Column: "uid"}})},
			nil, []string{`table "t" column "u_id" - foreign key to unknown column "uid" of table "u"`}},
		{"fk type mismatch", []*core.Table{core.NewTable("u", id()), core.NewTable("t", id(),
			&core.Column{Name: "u_id", Type: core.Integer(), ForeignKey: &core.ForeignKey{Table: "u", Column: "id"}})},
			nil, []string{`table "t" column "u_id" - type Integer does not match BigInt of the referenced column u.id`}},
		{"fk to non-unique column", []*core.Table{core.NewTable("u", id(), col("name", core.String(10))), core.NewTable("t", id(),
			&core.Column{Name: "u_name", Type: core.String(10), ForeignKey: &core.ForeignKey{Table: "u", Column: "name"}})},
			nil, []string{`table "t" column "u_name" - foreign key to u.name, which is neither the primary key nor unique`}},
		{"fk set null on not null", []*core.Table{core.NewTable("t", id(),
			&core.Column{Name: "p", Type: core.BigInt(), ForeignKey: &core.ForeignKey{Table: "t", Column: "id", OnDelete: core.SetNull}})},
			nil, []string{`table "t" column "p" - foreign key action SET NULL needs a Nullable column`}},
		{"fk bad action and missing column", []*core.Table{core.NewTable("t", id(),
			&core.Column{Name: "p", Type: core.BigInt(), ForeignKey: &core.ForeignKey{Table: "t", OnUpdate: "PROTECT"}})},
			nil, []string{`table "t" column "p" - foreign key has no Column`, `table "t" column "p" - unknown foreign key action "PROTECT"`}},
		{"index on unknown column", []*core.Table{{Name: "t", Columns: []*core.Column{id()},
			Indexes: []*core.Index{{Columns: []string{"id", "nope"}}}}},
			nil, []string{`table "t" column "nope" - index 0 names an unknown column`}},
		{"unique on unknown column", []*core.Table{{Name: "t", Columns: []*core.Column{id()},
			Uniques: []*core.UniqueConstraint{{Name: "u1", Columns: []string{"nope"}}}}},
			nil, []string{`table "t" column "nope" - unique constraint "u1" names an unknown column`}},
		{"index without columns", []*core.Table{{Name: "t", Columns: []*core.Column{id()}, Indexes: []*core.Index{{Name: "i"}}}},
			nil, []string{`table "t" - index "i" has no columns`}},
		{"duplicate column", []*core.Table{core.NewTable("t", id(), col("ID", core.Text()))},
			nil, []string{`table "t" column "ID" - duplicate column name (already have "id")`}},
		{"empty names", []*core.Table{core.NewTable("", col("a", core.Text())), core.NewTable("t", col("", core.Text()))},
			nil, []string{`table has no name`, `table "t" - column 0 has no name`}},
		{"no columns", []*core.Table{core.NewTable("t")}, nil, []string{`table "t" - table has no columns`}},
		{"nil column", []*core.Table{core.NewTable("t", nil)}, nil, []string{`table "t" - column 0 is nil`}},
		{"autoincrement on text", []*core.Table{core.NewTable("t", &core.Column{Name: "id", Type: core.String(10), PrimaryKey: true, AutoIncrement: true})},
			nil, []string{`table "t" column "id" - AutoIncrement needs an integer type, not String(10)`}},
		{"autoincrement not pk", []*core.Table{core.NewTable("t", id(), &core.Column{Name: "n", Type: core.BigInt(), AutoIncrement: true})},
			nil, []string{`table "t" column "n" - AutoIncrement needs a primary key column`}},
		{"two autoincrements", []*core.Table{core.NewTable("t",
			&core.Column{Name: "a", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
			&core.Column{Name: "b", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true})},
			nil, []string{`table "t" column "b" - a table can have only one AutoIncrement column (already "a")`}},
		{"nullable pk", []*core.Table{core.NewTable("t", &core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, Nullable: true})},
			nil, []string{`table "t" column "id" - a primary key column cannot be Nullable`}},
		{"bad type", []*core.Table{core.NewTable("t", col("name", core.String(0)))},
			nil, []string{`table "t" column "name" - type String(0): length must be greater than 0`}},
		{"zero type", []*core.Table{core.NewTable("t", &core.Column{Name: "x"})},
			nil, []string{`table "t" column "x" - type Invalid: unknown type kind 0`}},
		{"default mismatch", []*core.Table{core.NewTable("t", &core.Column{Name: "b", Type: core.Boolean(), Default: 1})},
			nil, []string{`table "t" column "b" - default 1 (int) does not suit type Boolean`}},
		{"default bad json", []*core.Table{core.NewTable("t", &core.Column{Name: "j", Type: core.JSON(), Default: "{"})},
			nil, []string{`table "t" column "j" - default "{" is not a JSON document`}},
		{"default bad decimal", []*core.Table{core.NewTable("t", &core.Column{Name: "d", Type: core.Decimal(5, 2), Default: "1e5"})},
			nil, []string{`table "t" column "d" - default "1e5" is not a decimal number`}},
		{"default NaN", []*core.Table{core.NewTable("t", &core.Column{Name: "f", Type: core.Double(), Default: nan()})},
			nil, []string{`table "t" column "f" - default NaN is not a finite number`}},
		{"default NUL", []*core.Table{core.NewTable("t", &core.Column{Name: "s", Type: core.Text(), Default: "a\x00b"})},
			nil, []string{`table "t" column "s" - default string contains a NUL byte`}},
		{"default unsupported", []*core.Table{core.NewTable("t", &core.Column{Name: "s", Type: core.Text(), Default: struct{}{}})},
			nil, []string{`table "t" column "s" - unsupported default`}},
		{"default on autoincrement", []*core.Table{core.NewTable("t", &core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true, Default: 1})},
			nil, []string{`table "t" column "id" - an AutoIncrement column cannot have a Default`}},
		{"check without name", []*core.Table{{Name: "t", Columns: []*core.Column{id()}, Checks: []*core.CheckConstraint{{Expr: "id > 0"}}}},
			nil, []string{`table "t" - check constraint 0 has no Name`}},
		{"check without expr", []*core.Table{{Name: "t", Columns: []*core.Column{id()}, Checks: []*core.CheckConstraint{{Name: "c"}}}},
			nil, []string{`table "t" - check constraint "c" has no Expr`}},
		{"name too long", []*core.Table{core.NewTable(strings.Repeat("t", 64), id())},
			nil, []string{`is longer than 63 bytes`}},
		{"same index name in two tables", []*core.Table{
			{Name: "a", Columns: []*core.Column{id()}, Indexes: []*core.Index{{Name: "ix", Columns: []string{"id"}}}},
			{Name: "b", Columns: []*core.Column{id()}, Indexes: []*core.Index{{Name: "IX", Columns: []string{"id"}}}}},
			nil, []string{`table "b" - constraint or index name "IX" is already used by a constraint or index of table "a"`}},
		{"same name twice in a table", []*core.Table{
			{Name: "a", Columns: []*core.Column{id()}, Indexes: []*core.Index{{Columns: []string{"id"}}, {Columns: []string{"id"}}}}},
			nil, []string{`table "a" - constraint or index name "ix_a_id" is used twice`}},
		{"index named like a table", []*core.Table{core.NewTable("u", id()),
			{Name: "t", Columns: []*core.Column{id()}, Indexes: []*core.Index{{Name: "U", Columns: []string{"id"}}}}},
			nil, []string{`table "t" - constraint or index name "U" is already used by table "u"`}},
		{"local and cross-table errors together", []*core.Table{
			core.NewTable("a", id(), col("bad", core.Decimal(1, 2))),
			core.NewTable("b", id(), &core.Column{Name: "r", Type: core.BigInt(), ForeignKey: &core.ForeignKey{Table: "nope", Column: "id"}}),
			core.NewTable("c", id(), &core.Column{Name: "a_id", Type: core.BigInt(), ForeignKey: &core.ForeignKey{Table: "a", Column: "id"}})},
			nil, []string{`table "a" column "bad" - type Decimal(1,2): scale`, `table "b" column "r" - foreign key to unknown table "nope"`}},
		{"bad naming convention", []*core.Table{core.NewTable("t", id())},
			&core.NamingConvention{PrimaryKey: "pk_{nope}"}, []string{`naming convention PrimaryKey "pk_{nope}": placeholder {nope} is not available here`}},
	}
	for _, tt := range tests {
		var opts []core.MetaDataOption
		if tt.naming != nil {
			opts = append(opts, core.WithNaming(*tt.naming))
		}
		m := core.NewMetaData(opts...)
		for _, tb := range tt.tables {
			if err := m.Add(tb); err != nil && tb != nil && tb.Name != "" {
				t.Fatalf("%s: Add: %v", tt.name, err)
			}
		}
		if tt.name == "empty names" { // Add refuses an unnamed table; rename after adding
			named := core.NewTable("x", col("a", core.Text()))
			if err := m.Add(named); err != nil {
				t.Fatal(err)
			}
			named.Name = ""
		}
		err := m.Validate()
		if err == nil {
			t.Errorf("%s: Validate passed", tt.name)
			continue
		}
		if !errors.Is(err, core.ErrInvalidSchema) {
			t.Errorf("%s: %v is not ErrInvalidSchema", tt.name, err)
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tt.name, err, w)
			}
		}
		for _, d := range dialects {
			if _, cerr := m.CreateSQL(d); cerr == nil {
				t.Errorf("%s: CreateSQL(%s) passed an invalid schema", tt.name, d)
			}
		}
	}

	// The error is a *SchemaError carrying the table and column.
	m := core.NewMetaData()
	_ = m.Add(core.NewTable("t", id(), &core.Column{Name: "c", Type: core.String(0)}))
	var se *core.SchemaError
	if err := m.Validate(); !errors.As(err, &se) || se.Table != "t" || se.Column != "c" {
		t.Errorf("SchemaError: %#v from %v", se, err)
	}

	// A unique column, a unique index or a Unique flag make a valid fk target.
	ok := core.NewMetaData()
	err := ok.Add(
		&core.Table{Name: "u", Columns: []*core.Column{id(), col("code", core.String(5)), {Name: "slug", Type: core.String(5), Unique: true}},
			Indexes: []*core.Index{{Columns: []string{"code"}, Unique: true}}},
		core.NewTable("t", id(),
			&core.Column{Name: "code", Type: core.String(8), ForeignKey: &core.ForeignKey{Table: "u", Column: "code"}},
			&core.Column{Name: "slug", Type: core.String(5), ForeignKey: &core.ForeignKey{Table: "u", Column: "slug", Name: "t_slug_fk"}},
		),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid schema: %v", err)
	}
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}
