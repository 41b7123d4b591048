package migrate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/atomdb/atomdb/core"
)

// Script is the SQL of one migration in one direction on one dialect.
type Script struct {
	// Statements run in order.
	Statements []string
	// Rebuilt are the SQLite tables the script rebuilds (the 12-step
	// procedure): the script then runs on one connection with foreign keys
	// off, keeps the tables' triggers, and checks every foreign key before
	// it commits.
	Rebuilt []string
	// NoTransaction runs the statements outside a transaction, one by one
	// (PostgreSQL's CREATE INDEX CONCURRENTLY, ALTER TYPE ... ADD VALUE).
	NoTransaction bool
	// Irreversible marks a down script that cannot restore what the up
	// script dropped; down refuses it.
	Irreversible bool
}

// Render returns the statements that run ops on dialect d against a
// database in state before.
func Render(d *core.Dialect, before *Schema, ops []*Operation) (*Script, error) {
	state := before.clone()
	sc := &Script{}
	for _, op := range ops {
		stmts, rebuilt, err := renderOp(d, state, op)
		if err != nil {
			return nil, fmt.Errorf("%w: %s on %s: %w", ErrUnsupported, op, dialectKey(d), err)
		}
		sc.Statements = append(sc.Statements, stmts...)
		if rebuilt && !slices.Contains(sc.Rebuilt, op.Table) {
			sc.Rebuilt = append(sc.Rebuilt, op.Table)
		}
		if _, _, err := op.apply(state); err != nil {
			return nil, err
		}
	}
	return sc, nil
}

// dialectKey names a dialect in file names.
func dialectKey(d *core.Dialect) string {
	switch d {
	case core.Postgres:
		return "postgres"
	case core.MySQL:
		return "mysql"
	}
	return "sqlite"
}

func renderOp(d *core.Dialect, s *Schema, op *Operation) (stmts []string, rebuilt bool, err error) {
	q := d.QuoteIdent
	t := s.Table(op.Table)
	if op.Kind != CreateTable && t == nil {
		return nil, false, fmt.Errorf("no table %q", op.Table)
	}
	alter := "ALTER TABLE " + q(op.Table) + " "
	one := func(sql string) ([]string, bool, error) { return []string{sql}, false, nil }
	switch op.Kind {
	case CreateTable:
		tbl, idx, err := op.Def.CreateSQL(d)
		if err != nil {
			return nil, false, err
		}
		return append([]string{tbl}, idx...), false, nil
	case DropTable:
		return one("DROP TABLE " + q(op.Table))
	case RenameTable:
		if d == core.MySQL {
			return one("RENAME TABLE " + q(op.Table) + " TO " + q(op.NewName))
		}
		return one(alter + "RENAME TO " + q(op.NewName))
	case RenameColumn:
		return one(alter + "RENAME COLUMN " + q(op.Name) + " TO " + q(op.NewName))
	case AddIndex:
		return one(createIndex(d, op.Table, op.Index))
	case DropIndex:
		if d == core.MySQL {
			stmts, err := mysqlDropIndex(t, op.Name)
			return stmts, false, err
		}
		return one("DROP INDEX " + q(op.Name))
	case RenameIndex:
		switch d {
		case core.Postgres:
			return one("ALTER INDEX " + q(op.Name) + " RENAME TO " + q(op.NewName))
		case core.MySQL:
			return one(alter + "RENAME INDEX " + q(op.Name) + " TO " + q(op.NewName))
		}
		ix := findIndex(t, op.Name)
		if ix == nil {
			return nil, false, fmt.Errorf("no index %q", op.Name)
		}
		renamed := *ix
		renamed.Name = op.NewName
		return []string{"DROP INDEX " + q(op.Name), createIndex(d, op.Table, &renamed)}, false, nil
	}
	if op.Kind == AlterColumn {
		// A change the dialect cannot tell (a Decimal's precision on
		// SQLite, Unsigned on PostgreSQL) writes nothing.
		if old := t.Column(op.Column.Name); old != nil && old.PrimaryKey == op.Column.PrimaryKey && old.AutoIncrement == op.Column.AutoIncrement {
			a, err1 := core.ColumnSQL(d, old)
			b, err2 := core.ColumnSQL(d, op.Column)
			if err1 == nil && err2 == nil && a == b {
				return nil, false, nil
			}
		}
	}
	if d == core.SQLite {
		return renderSQLite(s, t, op)
	}
	switch op.Kind {
	case AddColumn:
		if op.Column.PrimaryKey {
			return nil, false, fmt.Errorf("adding a primary key column is not supported")
		}
		def, err := core.ColumnSQL(d, op.Column)
		if err != nil {
			return nil, false, err
		}
		return one(alter + "ADD COLUMN " + def)
	case DropColumn:
		return one(alter + "DROP COLUMN " + q(op.Name))
	case AlterColumn:
		old := t.Column(op.Column.Name)
		if old == nil {
			return nil, false, fmt.Errorf("no column %q", op.Column.Name)
		}
		var oldPK, newPK []string
		if old.PrimaryKey != op.Column.PrimaryKey {
			// The primary key is made again on its new columns.
			if t.PrimaryKeyName == "" && d == core.Postgres {
				return nil, false, fmt.Errorf("the primary key has no name")
			}
			for _, c := range t.Columns {
				if c.PrimaryKey {
					oldPK = append(oldPK, c.Name)
				}
				if (c.Name == op.Column.Name && op.Column.PrimaryKey) || (c.Name != op.Column.Name && c.PrimaryKey) {
					newPK = append(newPK, c.Name)
				}
			}
		}
		if d == core.MySQL {
			// MODIFY restates the whole column, so nothing is lost by
			// omission: type, nullability, default, auto-increment. A
			// change of primary key goes in the same statement, since an
			// AUTO_INCREMENT column must stay a key.
			def, err := core.ColumnSQL(d, op.Column)
			if err != nil {
				return nil, false, err
			}
			stmt := alter
			if len(oldPK) > 0 {
				stmt += "DROP PRIMARY KEY, "
			}
			stmt += "MODIFY COLUMN " + def
			if len(newPK) > 0 {
				stmt += ", ADD PRIMARY KEY " + d.QuoteList(newPK)
			}
			return one(stmt)
		}
		stmts, _, err := alterPostgres(d, op.Table, old, op.Column)
		if err != nil || old.PrimaryKey == op.Column.PrimaryKey {
			return stmts, false, err
		}
		if len(oldPK) > 0 {
			stmts = append([]string{alter + "DROP CONSTRAINT " + q(t.PrimaryKeyName)}, stmts...)
		}
		if len(newPK) > 0 {
			stmts = append(stmts, alter+"ADD CONSTRAINT "+q(t.PrimaryKeyName)+" PRIMARY KEY "+d.QuoteList(newPK))
		}
		return stmts, false, nil
	case AddUnique:
		return one(alter + "ADD CONSTRAINT " + q(op.Unique.Name) + " UNIQUE " + d.QuoteList(op.Unique.Columns))
	case AddCheck:
		return one(alter + "ADD CONSTRAINT " + q(op.Check.Name) + " CHECK (" + op.Check.Expr + ")")
	case AddForeignKey:
		clause, err := op.ForeignKey.SQL(d)
		if err != nil {
			return nil, false, err
		}
		return one(alter + "ADD " + clause)
	case DropUnique:
		if d == core.MySQL {
			stmts, err := mysqlDropIndex(t, op.Name)
			return stmts, false, err
		}
		return one(alter + "DROP CONSTRAINT " + q(op.Name))
	case DropCheck:
		return one(alter + "DROP CONSTRAINT " + q(op.Name))
	case DropForeignKey:
		if d == core.MySQL {
			stmts := []string{alter + "DROP FOREIGN KEY " + q(op.Name)}
			if fk := findFK(t, op.Name); fk != nil && !mysqlIndexed(t, fk.Column, "") {
				// The index InnoDB made for the key outlives it.
				stmts = append(stmts, alter+"DROP INDEX "+q(op.Name))
			}
			return stmts, false, nil
		}
		return one(alter + "DROP CONSTRAINT " + q(op.Name))
	case RenameConstraint:
		if d == core.Postgres {
			return one(alter + "RENAME CONSTRAINT " + q(op.Name) + " TO " + q(op.NewName))
		}
		// MySQL: a unique constraint is an index; foreign keys and checks
		// cannot be renamed, so they are made again; the primary key is
		// always called PRIMARY.
		switch {
		case t.PrimaryKeyName == op.Name:
			return nil, false, nil
		case findUnique(t, op.Name) != nil:
			return one(alter + "RENAME INDEX " + q(op.Name) + " TO " + q(op.NewName))
		case findCheck(t, op.Name) != nil:
			ck := findCheck(t, op.Name)
			return []string{alter + "DROP CONSTRAINT " + q(op.Name),
				alter + "ADD CONSTRAINT " + q(op.NewName) + " CHECK (" + ck.Expr + ")"}, false, nil
		case findFK(t, op.Name) != nil:
			fk := *findFK(t, op.Name)
			fk.Name = op.NewName
			clause, err := fk.SQL(d)
			if err != nil {
				return nil, false, err
			}
			stmts := []string{alter + "DROP FOREIGN KEY " + q(op.Name)}
			if !mysqlIndexed(t, fk.Column, "") {
				// InnoDB's own index for the old key: the new key gets
				// one of its own (a renamed index would no longer be
				// InnoDB's, and would outlive the key).
				stmts = append(stmts, alter+"DROP INDEX "+q(op.Name))
			}
			return append(stmts, alter+"ADD "+clause), false, nil
		}
		return nil, false, fmt.Errorf("no constraint %q", op.Name)
	}
	return nil, false, fmt.Errorf("unknown operation")
}

// mysqlIndexed reports whether an index of t other than except (the
// primary key, a unique constraint or an index) starts with column: then
// InnoDB uses it for a foreign key on the column instead of making one of
// its own, named after the key, which it drops once such an index exists.
func mysqlIndexed(t *core.TableDef, column, except string) bool {
	for _, c := range t.Columns {
		if c.PrimaryKey {
			if c.Name == column {
				return true
			}
			break
		}
	}
	for _, u := range t.Uniques {
		if u.Name != except && u.Columns[0] == column {
			return true
		}
	}
	for _, ix := range t.Indexes {
		if ix.Name != except && ix.Columns[0] == column {
			return true
		}
	}
	return false
}

// mysqlDropIndex drops index name of t. MySQL refuses to drop the index a
// foreign key uses: such keys are dropped first and added again after, so
// that InnoDB makes them an index of its own (which it drops by itself
// once another index serves the key).
func mysqlDropIndex(t *core.TableDef, name string) ([]string, error) {
	q := core.MySQL.QuoteIdent
	alter := "ALTER TABLE " + q(t.Name) + " "
	var before, after []string
	for _, fk := range t.ForeignKeys {
		if !mysqlIndexed(t, fk.Column, name) {
			clause, err := fk.SQL(core.MySQL)
			if err != nil {
				return nil, err
			}
			before = append(before, alter+"DROP FOREIGN KEY "+q(fk.Name))
			after = append(after, alter+"ADD "+clause)
		}
	}
	return append(append(before, alter+"DROP INDEX "+q(name)), after...), nil
}

func createIndex(d *core.Dialect, table string, ix *core.Index) string {
	kw := "CREATE INDEX "
	if ix.Unique {
		kw = "CREATE UNIQUE INDEX "
	}
	return kw + d.QuoteIdent(ix.Name) + " ON " + d.QuoteIdent(table) + " " + d.QuoteList(ix.Columns)
}

// alterPostgres changes a column in place: type (with USING, so that any
// castable value converts), nullability, default, identity.
func alterPostgres(d *core.Dialect, table string, old, c *core.Column) ([]string, bool, error) {
	q := d.QuoteIdent
	pre := "ALTER TABLE " + q(table) + " ALTER COLUMN " + q(c.Name) + " "
	var stmts []string
	if old.Type != c.Type {
		typ, err := c.Type.SQL(d)
		if err != nil {
			return nil, false, err
		}
		stmts = append(stmts, pre+"TYPE "+typ+" USING "+q(c.Name)+"::"+typ)
	}
	if old.AutoIncrement != c.AutoIncrement {
		if c.AutoIncrement {
			stmts = append(stmts, pre+"ADD GENERATED BY DEFAULT AS IDENTITY")
		} else {
			stmts = append(stmts, pre+"DROP IDENTITY")
		}
	}
	if !sameDefault(old.Default, c.Default) || (c.Default != nil && old.Type != c.Type) {
		if c.Default == nil {
			stmts = append(stmts, pre+"DROP DEFAULT")
		} else {
			def, err := core.DefaultSQL(d, c)
			if err != nil {
				return nil, false, err
			}
			stmts = append(stmts, pre+"SET DEFAULT "+def)
		}
	}
	if old.Nullable != c.Nullable {
		if c.Nullable {
			stmts = append(stmts, pre+"DROP NOT NULL")
		} else {
			stmts = append(stmts, pre+"SET NOT NULL")
		}
	}
	return stmts, false, nil
}

// renderSQLite writes what SQLite's ALTER TABLE can do natively, and
// rebuilds the table for the rest.
func renderSQLite(s *Schema, t *core.TableDef, op *Operation) ([]string, bool, error) {
	q := core.SQLite.QuoteIdent
	switch op.Kind {
	case AddColumn:
		c := op.Column
		_, isExpr := c.Default.(core.Expr)
		if !c.PrimaryKey && !c.AutoIncrement && !isExpr && (c.Nullable || c.Default != nil) {
			def, err := core.ColumnSQL(core.SQLite, c)
			if err != nil {
				return nil, false, err
			}
			return []string{"ALTER TABLE " + q(t.Name) + " ADD COLUMN " + def}, false, nil
		}
	case DropColumn:
		c := t.Column(op.Name)
		referred := false
		for _, o := range s.Tables {
			for _, fk := range o.ForeignKeys {
				referred = referred || (fk.RefTable == t.Name && fk.RefColumn == op.Name)
			}
		}
		if c != nil && !c.PrimaryKey && !uses(t, op.Name) && len(t.Checks) == 0 && !referred {
			return []string{"ALTER TABLE " + q(t.Name) + " DROP COLUMN " + q(op.Name)}, false, nil
		}
	case RenameConstraint:
		// SQLite keeps no names of constraints other than in the table's
		// text: nothing to do.
		return nil, false, nil
	}
	after := cloneTable(t)
	tmp := &Schema{Tables: []*core.TableDef{after}}
	if _, _, err := op.apply(tmp); err != nil {
		return nil, false, err
	}
	stmts, err := rebuildSQLite(t, after)
	return stmts, true, err
}

// rebuildSQLite writes the 12-step rebuild of sqlite.org/lang_altertable.html
// (steps 4 to 8 and 10; the applier does 1-3, 9 and 11-12): create the new
// table under a temporary name, copy the rows of the columns both share,
// keep the AUTOINCREMENT counter, drop the old table, rename the new one to
// the old name, create its indexes. The old table is never renamed away,
// so the foreign keys of other tables keep referring to it by name.
func rebuildSQLite(before, after *core.TableDef) ([]string, error) {
	q := core.SQLite.QuoteIdent
	tmpName := "atomdb_new_" + after.Name
	tmp := cloneTable(after)
	tmp.Name = tmpName
	idx := tmp.Indexes
	tmp.Indexes = nil
	create, _, err := tmp.CreateSQL(core.SQLite)
	if err != nil {
		return nil, err
	}
	var cols []string
	for _, c := range after.Columns {
		if before.Column(c.Name) != nil {
			cols = append(cols, q(c.Name))
		}
	}
	list := strings.Join(cols, ", ")
	stmts := []string{create,
		"INSERT INTO " + q(tmpName) + " (" + list + ") SELECT " + list + " FROM " + q(before.Name)}
	auto := false
	for _, c := range after.Columns {
		auto = auto || c.AutoIncrement
	}
	if auto {
		lit := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
		stmts = append(stmts,
			"DELETE FROM sqlite_sequence WHERE name = "+lit(tmpName),
			"INSERT INTO sqlite_sequence (name, seq) SELECT "+lit(tmpName)+", seq FROM sqlite_sequence WHERE name = "+lit(before.Name))
	}
	stmts = append(stmts, "DROP TABLE "+q(before.Name), "ALTER TABLE "+q(tmpName)+" RENAME TO "+q(after.Name))
	for _, ix := range idx {
		stmts = append(stmts, createIndex(core.SQLite, after.Name, ix))
	}
	return stmts, nil
}

// The text of a script file: directives, then the statements each ended
// by ";" and a blank line.

const directivePrefix = "-- atomdb:"

func (sc *Script) text() string {
	var b strings.Builder
	if sc.NoTransaction {
		b.WriteString(directivePrefix + "no-transaction\n")
	}
	if sc.Irreversible {
		b.WriteString(directivePrefix + "irreversible\n")
	}
	for _, t := range sc.Rebuilt {
		b.WriteString(directivePrefix + "rebuild " + strconv.Quote(t) + "\n")
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	for _, st := range sc.Statements {
		b.WriteString(st)
		b.WriteString(";\n\n")
	}
	return b.String()
}

// parseScript reads a script file back: its directives and statements.
func parseScript(file, text string) (*Script, error) {
	sc := &Script{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, directivePrefix) {
			continue
		}
		dir, arg, _ := strings.Cut(strings.TrimPrefix(line, directivePrefix), " ")
		switch dir {
		case "no-transaction":
			sc.NoTransaction = true
		case "irreversible":
			sc.Irreversible = true
		case "rebuild":
			name, err := strconv.Unquote(strings.TrimSpace(arg))
			if err != nil {
				return nil, badMigration(file, "directive %q: the table name must be a quoted string", line)
			}
			sc.Rebuilt = append(sc.Rebuilt, name)
		default:
			return nil, badMigration(file, "unknown directive %q", line)
		}
	}
	stmts, err := splitStatements(text)
	if err != nil {
		return nil, badMigration(file, "%v", err)
	}
	sc.Statements = stmts
	return sc, nil
}

// splitStatements splits SQL text at the semicolons that are outside
// quotes ('...', "...", `...`, PostgreSQL's $tag$...$tag$) and comments,
// dropping comments-only and empty pieces.
func splitStatements(text string) ([]string, error) {
	var out []string
	start := 0
	flush := func(end int) {
		if st := strings.TrimSpace(stripComments(text[start:end])); st != "" {
			out = append(out, trimLeadingComments(text[start:end]))
		}
		start = end + 1
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for ; j < len(text); j++ {
				if text[j] == c {
					if j+1 < len(text) && text[j+1] == c {
						j++
						continue
					}
					break
				}
				if c == '\'' && text[j] == '\\' && i > 0 && (text[i-1] == 'E' || text[i-1] == 'e') {
					j++
				}
			}
			if j >= len(text) {
				return nil, fmt.Errorf("unterminated %c quote", c)
			}
			i = j
		case c == '-' && strings.HasPrefix(text[i:], "--"):
			if j := strings.IndexByte(text[i:], '\n'); j >= 0 {
				i += j
			} else {
				i = len(text)
			}
		case c == '/' && strings.HasPrefix(text[i:], "/*"):
			j := strings.Index(text[i+2:], "*/")
			if j < 0 {
				return nil, fmt.Errorf("unterminated /* comment")
			}
			i += j + 3
		case c == '$':
			if tag := dollarQuote(text[i:]); tag != "" {
				j := strings.Index(text[i+len(tag):], tag)
				if j < 0 {
					return nil, fmt.Errorf("unterminated %s string", tag)
				}
				i += len(tag) + j + len(tag) - 1
			}
		case c == ';':
			flush(i)
		}
	}
	if start < len(text) {
		flush(len(text))
	}
	return out, nil
}

// stripComments removes -- comments (outside quotes it is enough to know
// whether anything but comments is left).
func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(line); !strings.HasPrefix(t, "--") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// trimLeadingComments drops the blank and -- comment lines before a
// statement.
func trimLeadingComments(s string) string {
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if !strings.HasPrefix(s, "--") {
			return strings.TrimSpace(s)
		}
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return ""
		}
		s = s[i+1:]
	}
}

// dollarQuote returns the $tag$ opening a dollar-quoted string at the
// start of s, or "" ($1 is a parameter, not a tag).
func dollarQuote(s string) string {
	for j := 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '$':
			return s[:j+1]
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || (j > 1 && c >= '0' && c <= '9'):
		default:
			return ""
		}
	}
	return ""
}
