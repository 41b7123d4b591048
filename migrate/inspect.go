package migrate

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/atomdb/atomdb/core"
)

// Inspect reads the schema of the database db is connected to (on
// PostgreSQL, the current schema) into named table definitions: tables,
// columns with their type (mapped back to the core type the dialect writes
// so, or a Custom type), nullability, default (as a core.Expr of the SQL
// the database keeps) and auto-increment; primary keys; unique
// constraints; indexes; foreign keys with their actions; check constraints
// where the database exposes them (PostgreSQL, MySQL 8.0.16+, MariaDB).
//
// SQLite keeps the names of constraints only in the text of the CREATE
// TABLE statement, from which they are read (CONSTRAINT name ...); an
// unnamed unique constraint or foreign key has the name "", and an unnamed
// check is left out. On MariaDB a JSON column is a LONGTEXT
// with a json_valid check: it is reported as JSON, without the check. On
// MySQL the index InnoDB makes for a foreign key (named after it) is left
// out.
func Inspect(ctx context.Context, db *core.Database) (*Schema, error) {
	if err := primaryOnly(db); err != nil {
		return nil, err
	}
	var s *Schema
	var err error
	switch db.Dialect() {
	case core.Postgres:
		s, err = inspectPostgres(ctx, db)
	case core.MySQL:
		s, err = inspectMySQL(ctx, db)
	default:
		s, err = inspectSQLite(ctx, db)
	}
	if err != nil {
		return nil, fmt.Errorf("migrate: inspect: %w", err)
	}
	return s, nil
}

func fetch(ctx context.Context, db *core.Database, sql string, args ...any) ([]*core.Row, error) {
	return db.FetchAll(ctx, core.Stmt{SQL: sql, Args: args})
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x != 0
	case string:
		return x == "1" || strings.EqualFold(x, "yes") || strings.EqualFold(x, "true")
	}
	return false
}

func jsonNames(v any) ([]string, error) {
	s := str(v)
	if s == "" {
		return nil, nil
	}
	var names []string
	if err := json.Unmarshal([]byte(s), &names); err != nil {
		return nil, err
	}
	return names, nil
}

const pgRel = "format('%I.%I', current_schema(), $1::text)::regclass"

func inspectPostgres(ctx context.Context, db *core.Database) (*Schema, error) {
	tables, err := fetch(ctx, db, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname`)
	if err != nil {
		return nil, err
	}
	s := &Schema{}
	for _, tr := range tables {
		t := &core.TableDef{Name: str(tr.At(0))}
		cols, err := fetch(ctx, db, `SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
  pg_get_expr(d.adbin, d.adrelid), a.attidentity::text
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = `+pgRel+` AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, t.Name)
		if err != nil {
			return nil, err
		}
		for _, r := range cols {
			c := &core.Column{Name: str(r.At(0)), Type: typeFromSQL(core.Postgres, str(r.At(1))), Nullable: !truthy(r.At(2))}
			def := str(r.At(3))
			switch {
			case str(r.At(4)) != "":
				c.AutoIncrement = true
			case strings.HasPrefix(def, "nextval("):
				c.AutoIncrement = true
			case def != "":
				c.Default = core.Expr(def)
			}
			t.Columns = append(t.Columns, c)
		}
		cons, err := fetch(ctx, db, `SELECT con.conname, con.contype::text,
  (SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n)::text,
  cf.relname,
  (SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
     JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n)::text,
  con.confdeltype::text, con.confupdtype::text, pg_get_constraintdef(con.oid)
FROM pg_constraint con LEFT JOIN pg_class cf ON cf.oid = con.confrelid
WHERE con.conrelid = `+pgRel+` ORDER BY con.conname`, t.Name)
		if err != nil {
			return nil, err
		}
		for _, r := range cons {
			name, kind := str(r.At(0)), str(r.At(1))
			cols, err := jsonNames(r.At(2))
			if err != nil {
				return nil, err
			}
			switch kind {
			case "p":
				t.PrimaryKeyName = name
				for _, cn := range cols {
					if c := t.Column(cn); c != nil {
						c.PrimaryKey = true
					}
				}
			case "u":
				t.Uniques = append(t.Uniques, &core.UniqueConstraint{Name: name, Columns: cols})
			case "c":
				t.Checks = append(t.Checks, &core.CheckConstraint{Name: name, Expr: checkExpr(str(r.At(7)))})
			case "f":
				refs, err := jsonNames(r.At(4))
				if err != nil {
					return nil, err
				}
				if len(cols) != 1 || len(refs) != 1 {
					continue // composite keys are not modelled
				}
				t.ForeignKeys = append(t.ForeignKeys, &core.ForeignKeyDef{Name: name, Column: cols[0], RefTable: str(r.At(3)),
					RefColumn: refs[0], OnDelete: pgAction(str(r.At(5))), OnUpdate: pgAction(str(r.At(6)))})
			}
		}
		idx, err := fetch(ctx, db, `SELECT i.relname, ix.indisunique,
  (SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(n, i)
     JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n)::text
FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
WHERE ix.indrelid = `+pgRel+`
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.conrelid = ix.indrelid)
ORDER BY i.relname`, t.Name)
		if err != nil {
			return nil, err
		}
		for _, r := range idx {
			cols, err := jsonNames(r.At(2))
			if err != nil {
				return nil, err
			}
			t.Indexes = append(t.Indexes, &core.Index{Name: str(r.At(0)), Unique: truthy(r.At(1)), Columns: cols})
		}
		s.Tables = append(s.Tables, t)
	}
	return s, nil
}

// checkExpr takes the condition out of "CHECK (cond)".
func checkExpr(def string) string {
	def = strings.TrimSpace(def)
	if strings.HasPrefix(strings.ToUpper(def), "CHECK") {
		def = stripParens(strings.TrimSpace(def[len("CHECK"):]))
	}
	return def
}

func pgAction(c string) core.Action {
	switch c {
	case "r":
		return core.Restrict
	case "c":
		return core.Cascade
	case "n":
		return core.SetNull
	case "d":
		return core.SetDefault
	}
	return core.NoAction
}

func ruleAction(rule string) core.Action {
	switch strings.ToUpper(rule) {
	case "CASCADE":
		return core.Cascade
	case "SET NULL":
		return core.SetNull
	case "SET DEFAULT":
		return core.SetDefault
	case "RESTRICT":
		return core.Restrict
	}
	return core.NoAction
}

// isMariaDB reports whether a MySQL-dialect server is MariaDB.
func isMariaDB(ctx context.Context, db *core.Database) (bool, error) {
	v, err := db.FetchVal(ctx, core.Stmt{SQL: "SELECT VERSION()"})
	if err != nil {
		return false, err
	}
	return strings.Contains(strings.ToLower(str(v)), "mariadb"), nil
}

func inspectMySQL(ctx context.Context, db *core.Database) (*Schema, error) {
	maria, err := isMariaDB(ctx, db)
	if err != nil {
		return nil, err
	}
	tables, err := fetch(ctx, db, `SELECT TABLE_NAME FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`)
	if err != nil {
		return nil, err
	}
	s := &Schema{}
	for _, tr := range tables {
		t := &core.TableDef{Name: str(tr.At(0))}
		cols, err := fetch(ctx, db, `SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, t.Name)
		if err != nil {
			return nil, err
		}
		for _, r := range cols {
			c := &core.Column{Name: str(r.At(0)), Type: typeFromSQL(core.MySQL, str(r.At(1))), Nullable: str(r.At(2)) == "YES"}
			extra := strings.ToLower(str(r.At(4)))
			c.AutoIncrement = strings.Contains(extra, "auto_increment")
			if def := r.At(3); def != nil {
				text := str(def)
				if !maria && !strings.Contains(extra, "default_generated") && !numberLit.MatchString(text) && !strings.HasPrefix(text, "b'") {
					text = "'" + strings.ReplaceAll(text, "'", "''") + "'" // MySQL 8 reports literals unquoted
				}
				if !(maria && text == "NULL") {
					c.Default = core.Expr(text)
				}
			}
			t.Columns = append(t.Columns, c)
		}
		fks, err := fetch(ctx, db, `SELECT k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME,
  r.DELETE_RULE, r.UPDATE_RULE
FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION`, t.Name)
		if err != nil {
			return nil, err
		}
		fkNames := map[string]bool{}
		for _, r := range fks {
			name := str(r.At(0))
			if fkNames[name] {
				continue // composite keys are not modelled
			}
			fkNames[name] = true
			t.ForeignKeys = append(t.ForeignKeys, &core.ForeignKeyDef{Name: name, Column: str(r.At(1)), RefTable: str(r.At(2)),
				RefColumn: str(r.At(3)), OnDelete: ruleAction(str(r.At(4))), OnUpdate: ruleAction(str(r.At(5)))})
		}
		keys, err := fetch(ctx, db, `SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX`, t.Name)
		if err != nil {
			return nil, err
		}
		var order []string
		byName := map[string]*core.Index{}
		for _, r := range keys {
			name := str(r.At(0))
			ix := byName[name]
			if ix == nil {
				ix = &core.Index{Name: name, Unique: !truthy(r.At(1))}
				byName[name] = ix
				order = append(order, name)
			}
			ix.Columns = append(ix.Columns, str(r.At(2)))
		}
		for _, name := range order {
			ix := byName[name]
			switch {
			case name == "PRIMARY":
				t.PrimaryKeyName = name
				for _, cn := range ix.Columns {
					if c := t.Column(cn); c != nil {
						c.PrimaryKey = true
					}
				}
			case ix.Unique:
				t.Uniques = append(t.Uniques, &core.UniqueConstraint{Name: name, Columns: ix.Columns})
			case fkNames[name]:
				// the index InnoDB made for a foreign key
			default:
				t.Indexes = append(t.Indexes, ix)
			}
		}
		checkSQL := `SELECT tc.CONSTRAINT_NAME, cc.CHECK_CLAUSE FROM information_schema.TABLE_CONSTRAINTS tc
JOIN information_schema.CHECK_CONSTRAINTS cc ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME`
		if maria {
			checkSQL += ` AND cc.TABLE_NAME = tc.TABLE_NAME`
		}
		checks, err := fetch(ctx, db, checkSQL+`
WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.TABLE_NAME = ? AND tc.CONSTRAINT_TYPE = 'CHECK' ORDER BY tc.CONSTRAINT_NAME`, t.Name)
		if err != nil {
			return nil, err
		}
		for _, r := range checks {
			name, clause := str(r.At(0)), str(r.At(1))
			if c := t.Column(name); maria && c != nil && c.Type.Kind == core.KindText &&
				strings.Contains(strings.ToLower(clause), "json_valid(") {
				c.Type = core.JSON() // MariaDB's JSON: LONGTEXT with a json_valid check
				continue
			}
			t.Checks = append(t.Checks, &core.CheckConstraint{Name: name, Expr: stripParens(clause)})
		}
		s.Tables = append(s.Tables, t)
	}
	return s, nil
}

func inspectSQLite(ctx context.Context, db *core.Database) (*Schema, error) {
	tables, err := fetch(ctx, db, `SELECT name, sql FROM sqlite_master
WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	s := &Schema{}
	for _, tr := range tables {
		t := &core.TableDef{Name: str(tr.At(0))}
		auto := strings.Contains(strings.ToUpper(str(tr.At(1))), "AUTOINCREMENT")
		cols, err := fetch(ctx, db, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid`, t.Name)
		if err != nil {
			return nil, err
		}
		for _, r := range cols {
			pk := truthy(r.At(4))
			c := &core.Column{Name: str(r.At(0)), Type: typeFromSQL(core.SQLite, str(r.At(1))), Nullable: !truthy(r.At(2)) && !pk, PrimaryKey: pk}
			if r.At(3) != nil {
				c.Default = core.Expr(str(r.At(3)))
			}
			c.AutoIncrement = pk && auto
			t.Columns = append(t.Columns, c)
		}
		idx, err := fetch(ctx, db, `SELECT name, "unique", origin FROM pragma_index_list(?) ORDER BY name`, t.Name)
		if err != nil {
			return nil, err
		}
		for _, r := range idx {
			name, origin := str(r.At(0)), str(r.At(2))
			if origin == "pk" {
				continue
			}
			cr, err := fetch(ctx, db, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, name)
			if err != nil {
				return nil, err
			}
			var cols []string
			for _, c := range cr {
				cols = append(cols, str(c.At(0)))
			}
			if origin == "u" {
				t.Uniques = append(t.Uniques, &core.UniqueConstraint{Columns: cols})
			} else {
				t.Indexes = append(t.Indexes, &core.Index{Name: name, Columns: cols, Unique: truthy(r.At(1))})
			}
		}
		fks, err := fetch(ctx, db, `SELECT id, "table", "from", "to", on_delete, on_update FROM pragma_foreign_key_list(?) ORDER BY id, seq`, t.Name)
		if err != nil {
			return nil, err
		}
		seen := map[int64]bool{}
		for _, r := range fks {
			id, _ := r.At(0).(int64)
			if seen[id] {
				continue // composite keys are not modelled
			}
			seen[id] = true
			t.ForeignKeys = append(t.ForeignKeys, &core.ForeignKeyDef{Column: str(r.At(2)), RefTable: str(r.At(1)),
				RefColumn: str(r.At(3)), OnDelete: ruleAction(str(r.At(4))), OnUpdate: ruleAction(str(r.At(5)))})
		}
		// The names SQLite keeps only in the table's text.
		for _, c := range sqliteConstraints(str(tr.At(1))) {
			switch c.kind {
			case "CHECK":
				t.Checks = append(t.Checks, &core.CheckConstraint{Name: c.name, Expr: c.expr})
			case "PRIMARY":
				t.PrimaryKeyName = c.name
			case "UNIQUE":
				for _, u := range t.Uniques {
					if u.Name == "" && slices.Equal(u.Columns, c.cols) {
						u.Name = c.name
						break
					}
				}
			case "FOREIGN":
				for _, fk := range t.ForeignKeys {
					if fk.Name == "" && len(c.cols) == 1 && fk.Column == c.cols[0] {
						fk.Name = c.name
						break
					}
				}
			}
		}
		s.Tables = append(s.Tables, t)
	}
	return s, nil
}
