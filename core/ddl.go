package core

import (
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// DDLOption modifies the statements CreateSQL and DropSQL generate.
type DDLOption func(*ddlOptions)

type ddlOptions struct {
	ifNotExists bool
	ifExists    bool
}

// IfNotExists makes CreateSQL skip what already exists: CREATE TABLE IF NOT
// EXISTS and CREATE INDEX IF NOT EXISTS. MySQL 8 has no CREATE INDEX IF NOT
// EXISTS (only MariaDB does), so on MySQL the indexes are then declared
// inside the CREATE TABLE instead. DropSQL ignores it.
func IfNotExists() DDLOption { return func(o *ddlOptions) { o.ifNotExists = true } }

// IfExists makes DropSQL skip tables that do not exist: DROP TABLE IF
// EXISTS. CreateSQL ignores it.
func IfExists() DDLOption { return func(o *ddlOptions) { o.ifExists = true } }

func ddlOpts(opts []DDLOption) ddlOptions {
	var o ddlOptions
	for _, f := range opts {
		f(&o)
	}
	return o
}

// CreateSQL returns the statements that create t on dialect d: the CREATE
// TABLE (columns, primary key, unique and check constraints and foreign keys)
// followed by a CREATE INDEX for each index. Constraints and indexes are named
// by naming (the zero NamingConvention means DefaultNaming). Only t itself is
// checked: that the tables its foreign keys refer to exist, and any foreign
// key cycle, are the business of MetaData.CreateSQL.
//
// On MySQL the table is created with ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
// COLLATE=utf8mb4_bin: the binary collation makes = compare strings
// case-sensitively, as PostgreSQL and SQLite do (match case-insensitively
// with LOWER()).
func (t *Table) CreateSQL(d *Dialect, naming NamingConvention, opts ...DDLOption) ([]string, error) {
	if err := checkDialect(d); err != nil {
		return nil, err
	}
	if err := naming.Validate(); err != nil {
		return nil, err
	}
	s, err := buildSpec(t, naming)
	if err != nil {
		return nil, err
	}
	if err := s.dialectCheck(d); err != nil {
		return nil, err
	}
	return s.createSQL(d, ddlOpts(opts), nil)
}

// DropSQL returns the statement that drops t on dialect d (one of Postgres,
// MySQL and SQLite): DROP TABLE, with IF EXISTS if asked. Its indexes and
// constraints go with it.
func (t *Table) DropSQL(d *Dialect, opts ...DDLOption) string {
	o := ddlOpts(opts)
	var b strings.Builder
	b.WriteString("DROP TABLE ")
	if o.ifExists {
		b.WriteString("IF EXISTS ")
	}
	b.WriteString(d.QuoteTable(t.Name))
	return b.String()
}

// CreateSQL validates the schema (see Validate) and returns the statements
// that create all its tables on dialect d: each table, followed by its
// indexes, after the tables its foreign keys refer to (in the order the
// tables were added where that order allows).
//
// Foreign keys that form a cycle, directly between two tables or through
// several, cannot all be declared in the CREATE TABLE on PostgreSQL and
// MySQL, since one table of the cycle must exist first. Those keys are left
// out of the CREATE TABLE statements and added by ALTER TABLE ... ADD
// CONSTRAINT once every table exists. With IfNotExists the ALTER is made
// idempotent: on PostgreSQL it runs in a DO block that ignores an existing
// constraint; on MySQL the keys stay in the CREATE TABLE statements, between
// SET FOREIGN_KEY_CHECKS = 0 and a statement restoring its previous value, so
// those statements must run on one connection (in a transaction). On SQLite
// every foreign key is declared in its CREATE TABLE: SQLite only checks
// references when rows change, and it cannot add a constraint to an existing
// table. A foreign key from a table to itself is always declared inline.
func (m *MetaData) CreateSQL(d *Dialect, opts ...DDLOption) ([]string, error) {
	if err := checkDialect(d); err != nil {
		return nil, err
	}
	specs, err := m.specs()
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, s := range specs {
		if err := s.dialectCheck(d); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	o := ddlOpts(opts)
	p := planDDL(specs)
	var stmts []string
	var deferred map[*fkSpec]bool
	mysqlUnchecked := d.caps.ForeignKeyChecksOff && o.ifNotExists && len(p.cyclic) > 0
	if d.caps.AlterConstraints && !mysqlUnchecked {
		deferred = p.isCyclic
	}
	if mysqlUnchecked {
		stmts = append(stmts, mysqlChecksOff)
	}
	for _, s := range p.order {
		ss, err := s.createSQL(d, o, deferred)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, ss...)
	}
	if mysqlUnchecked {
		stmts = append(stmts, mysqlChecksRestore)
	}
	if len(deferred) > 0 {
		for _, fk := range p.cyclic {
			stmt := "ALTER TABLE " + d.QuoteTable(fk.owner.t.Name) + " ADD " + fkClause(d, fk)
			if o.ifNotExists { // PostgreSQL: MySQL declared them inline above
				if strings.Contains(stmt, pgDoTag) {
					return nil, schemaErr(fk.owner.t.Name, fk.col.Name, "a name contains %s", pgDoTag)
				}
				stmt = "DO " + pgDoTag + " BEGIN " + stmt + "; EXCEPTION WHEN duplicate_object THEN NULL; END " + pgDoTag
			}
			stmts = append(stmts, stmt)
		}
	}
	return stmts, nil
}

// DropSQL validates the schema and returns the statements that drop all its
// tables on dialect d, each before the tables it refers to.
//
// Tables in a foreign-key cycle cannot be dropped one by one while the cycle
// stands. On PostgreSQL the cyclic constraints are dropped first (ALTER TABLE
// ... DROP CONSTRAINT, with IF EXISTS on both if asked). On MySQL they are
// dropped first with ALTER TABLE ... DROP FOREIGN KEY; with IfExists, which
// MySQL 8 does not offer for that statement, the drops instead run between
// SET FOREIGN_KEY_CHECKS = 0 and a statement restoring its previous value.
// On SQLite the statements start with PRAGMA defer_foreign_keys = ON, which
// lets tables whose rows refer to each other be dropped when the statements
// run in one transaction. Whenever such statements are emitted, run the list
// on one connection, in a transaction.
func (m *MetaData) DropSQL(d *Dialect, opts ...DDLOption) ([]string, error) {
	if err := checkDialect(d); err != nil {
		return nil, err
	}
	specs, err := m.specs()
	if err != nil {
		return nil, err
	}
	o := ddlOpts(opts)
	p := planDDL(specs)
	var stmts []string
	mysqlUnchecked := d.caps.ForeignKeyChecksOff && o.ifExists && len(p.cyclic) > 0
	switch {
	case len(p.cyclic) == 0:
	case d.caps.DeferForeignKeys:
		stmts = append(stmts, "PRAGMA defer_foreign_keys = ON")
	case mysqlUnchecked:
		stmts = append(stmts, mysqlChecksOff)
	default:
		for _, fk := range p.cyclic {
			var b strings.Builder
			b.WriteString("ALTER TABLE ")
			if o.ifExists {
				b.WriteString("IF EXISTS ")
			}
			b.WriteString(d.QuoteTable(fk.owner.t.Name))
			b.WriteString(" " + d.caps.DropForeignKey + " ")
			if o.ifExists { // not on MySQL, whose DROP FOREIGN KEY has no IF EXISTS: it switched the checks off above
				b.WriteString("IF EXISTS ")
			}
			b.WriteString(d.QuoteIdent(fk.name))
			stmts = append(stmts, b.String())
		}
	}
	for i := len(p.order) - 1; i >= 0; i-- {
		stmts = append(stmts, p.order[i].t.DropSQL(d, opts...))
	}
	if mysqlUnchecked {
		stmts = append(stmts, mysqlChecksRestore)
	}
	return stmts, nil
}

const (
	// pgDoTag quotes the body of the DO block that adds a constraint unless
	// it exists.
	pgDoTag = "$atomdb$"
	// mysqlChecksOff saves MySQL's foreign-key checking setting and turns it
	// off; mysqlChecksRestore puts it back.
	mysqlChecksOff     = "SET @atomdb_foreign_key_checks = @@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS = 0"
	mysqlChecksRestore = "SET FOREIGN_KEY_CHECKS = @atomdb_foreign_key_checks"
)

// ddlPlan is the order in which to create a schema's tables, and the foreign
// keys that close a cycle.
type ddlPlan struct {
	order    []*tableSpec
	cyclic   []*fkSpec // in order of their table in order, then of their column
	isCyclic map[*fkSpec]bool
}

// planDDL orders the tables so that each comes after the tables it refers to,
// and finds the foreign keys between tables of one strongly connected
// component of the reference graph (the keys that form cycles). Among the
// tables that may come next it always takes the one added first, so the
// order is deterministic and keeps the order of addition where it can.
func planDDL(specs []*tableSpec) ddlPlan {
	n := len(specs)
	index := make(map[*tableSpec]int, n)
	for i, s := range specs {
		index[s] = i
	}
	adj := make([][]int, n) // i -> the tables i refers to
	for i, s := range specs {
		for _, fk := range s.fks {
			if j, ok := index[fk.target]; ok && j != i {
				adj[i] = append(adj[i], j)
			}
		}
	}
	comp := tarjanSCC(adj)
	p := ddlPlan{isCyclic: map[*fkSpec]bool{}}
	deps := make([]map[int]bool, n)
	for i, s := range specs {
		deps[i] = map[int]bool{}
		for _, fk := range s.fks {
			j, ok := index[fk.target]
			switch {
			case !ok || j == i:
			case comp[i] == comp[j]:
				p.isCyclic[fk] = true
			default:
				deps[i][j] = true
			}
		}
	}
	done := make([]bool, n)
	for len(p.order) < n {
		for i := 0; i < n; i++ {
			if done[i] {
				continue
			}
			ready := true
			for j := range deps[i] {
				if !done[j] {
					ready = false
					break
				}
			}
			if ready {
				done[i] = true
				p.order = append(p.order, specs[i])
				break
			}
		}
	}
	for _, s := range p.order {
		for _, fk := range s.fks {
			if p.isCyclic[fk] {
				p.cyclic = append(p.cyclic, fk)
			}
		}
	}
	return p
}

// tarjanSCC returns, for each node of the graph, the number of its strongly
// connected component.
func tarjanSCC(adj [][]int) []int {
	n := len(adj)
	const unvisited = -1
	order := make([]int, n)
	low := make([]int, n)
	comp := make([]int, n)
	onStack := make([]bool, n)
	for i := range order {
		order[i] = unvisited
	}
	var stack []int
	next, comps := 0, 0
	var visit func(v int)
	visit = func(v int) {
		order[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range adj[v] {
			if order[w] == unvisited {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], order[w])
			}
		}
		if low[v] == order[v] {
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp[w] = comps
				if w == v {
					break
				}
			}
			comps++
		}
	}
	for v := 0; v < n; v++ {
		if order[v] == unvisited {
			visit(v)
		}
	}
	return comp
}

// dialectCheck reports what dialect d cannot create of the table.
func (s *tableSpec) dialectCheck(d *Dialect) error {
	var errs []error
	tn := s.t.Name
	if s.auto != nil {
		switch {
		case d == SQLite && len(s.pk) > 1:
			errs = append(errs, schemaErr(tn, s.auto.Name, "SQLite cannot AutoIncrement a column of a composite primary key"))
		case d == MySQL && s.pk[0] != s.auto:
			errs = append(errs, schemaErr(tn, s.auto.Name, "MySQL needs the AutoIncrement column first in the primary key: declare it before %q", s.pk[0].Name))
		}
	}
	if d == MySQL {
		keyed := map[string]string{}
		for _, c := range s.pk {
			keyed[c.Name] = "the primary key"
		}
		for _, u := range s.uniques {
			for _, c := range u.cols {
				keyed[c] = "unique constraint " + strconv.Quote(u.name)
			}
		}
		for _, ix := range s.indexes {
			for _, c := range ix.cols {
				keyed[c] = "index " + strconv.Quote(ix.name)
			}
		}
		for _, fk := range s.fks {
			keyed[fk.col.Name] = "foreign key " + strconv.Quote(fk.name)
			for _, a := range []Action{fk.fk.OnDelete, fk.fk.OnUpdate} {
				if a == SetDefault {
					errs = append(errs, schemaErr(tn, fk.col.Name, "MySQL (InnoDB) does not support the foreign key action SET DEFAULT"))
				}
			}
		}
		for _, c := range s.t.Columns {
			if what, ok := keyed[c.Name]; ok && c.Type.Kind.mysqlNoLiteralDefault() {
				errs = append(errs, schemaErr(tn, c.Name, "MySQL cannot use a %s column in %s without a prefix length: use String(n)", c.Type, what))
			}
		}
	}
	return errors.Join(errs...)
}

// createSQL renders the CREATE TABLE and CREATE INDEX statements, leaving out
// the foreign keys in skip.
func (s *tableSpec) createSQL(d *Dialect, o ddlOptions, skip map[*fkSpec]bool) ([]string, error) {
	t := s.t
	sqliteAuto := d == SQLite && s.auto != nil
	var defs []string
	for _, c := range t.Columns {
		def, err := columnDef(d, c, sqliteAuto && c == s.auto)
		if err != nil {
			return nil, placeErr(err, t.Name, c.Name)
		}
		defs = append(defs, def)
	}
	if len(s.pk) > 0 && !sqliteAuto {
		defs = append(defs, "CONSTRAINT "+d.QuoteIdent(s.pkName)+" PRIMARY KEY "+quoteList(d, columnNames(s.pk)))
	}
	for _, u := range s.uniques {
		defs = append(defs, "CONSTRAINT "+d.QuoteIdent(u.name)+" UNIQUE "+quoteList(d, u.cols))
	}
	for _, ck := range s.checks {
		defs = append(defs, "CONSTRAINT "+d.QuoteIdent(ck.name)+" CHECK ("+ck.expr+")")
	}
	for _, fk := range s.fks {
		if !skip[fk] {
			defs = append(defs, fkClause(d, fk))
		}
	}
	inlineIndexes := d == MySQL && o.ifNotExists
	if inlineIndexes {
		for _, ix := range s.indexes {
			kw := "INDEX "
			if ix.unique {
				kw = "UNIQUE INDEX "
			}
			defs = append(defs, kw+d.QuoteIdent(ix.name)+" "+quoteList(d, ix.cols))
		}
	}
	var b strings.Builder
	b.WriteString("CREATE TABLE ")
	if o.ifNotExists {
		b.WriteString("IF NOT EXISTS ")
	}
	b.WriteString(d.QuoteTable(t.Name))
	b.WriteString(" (\n  ")
	b.WriteString(strings.Join(defs, ",\n  "))
	b.WriteString("\n)")
	if d == MySQL {
		b.WriteString(" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin")
	}
	stmts := []string{b.String()}
	if !inlineIndexes {
		for _, ix := range s.indexes {
			b.Reset()
			b.WriteString("CREATE ")
			if ix.unique {
				b.WriteString("UNIQUE ")
			}
			b.WriteString("INDEX ")
			if o.ifNotExists {
				b.WriteString("IF NOT EXISTS ")
			}
			if schema, table, ok := strings.Cut(t.Name, "."); ok && d == SQLite {
				// SQLite names the schema on the index, never on its table.
				b.WriteString(d.QuoteIdent(schema) + "." + d.QuoteIdent(ix.name) + " ON " + d.QuoteIdent(table) + " " + quoteList(d, ix.cols))
			} else {
				b.WriteString(d.QuoteIdent(ix.name) + " ON " + d.QuoteTable(t.Name) + " " + quoteList(d, ix.cols))
			}
			stmts = append(stmts, b.String())
		}
	}
	return stmts, nil
}

// columnDef renders one column definition. sqliteAuto writes SQLite's
// INTEGER PRIMARY KEY AUTOINCREMENT, which must be declared on the column.
func columnDef(d *Dialect, c *Column, sqliteAuto bool) (string, error) {
	name := d.QuoteIdent(c.Name)
	if sqliteAuto {
		return name + " INTEGER PRIMARY KEY AUTOINCREMENT", nil
	}
	typ, err := c.Type.SQL(d)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(name + " " + typ)
	if c.AutoIncrement && d == Postgres {
		b.WriteString(" GENERATED BY DEFAULT AS IDENTITY")
	}
	if !c.Nullable {
		b.WriteString(" NOT NULL")
	}
	if c.Default != nil {
		lit, err := defaultSQL(d, c)
		if err != nil {
			return "", schemaCause("", err)
		}
		b.WriteString(" DEFAULT " + lit)
	}
	if c.AutoIncrement && d == MySQL {
		b.WriteString(" AUTO_INCREMENT")
	}
	return b.String(), nil
}

// fkClause renders CONSTRAINT name FOREIGN KEY (col) REFERENCES t (col) and
// its actions.
func fkClause(d *Dialect, fk *fkSpec) string {
	var b strings.Builder
	b.WriteString("CONSTRAINT " + d.QuoteIdent(fk.name) + " FOREIGN KEY (" + d.QuoteIdent(fk.col.Name) + ") REFERENCES ")
	b.WriteString(d.QuoteTable(fk.fk.Table) + " (" + d.QuoteIdent(fk.fk.Column) + ")")
	for _, a := range []struct {
		on     string
		action Action
	}{{" ON DELETE ", fk.fk.OnDelete}, {" ON UPDATE ", fk.fk.OnUpdate}} {
		if a.action == NoAction || (d == SQLite && a.action == Restrict) {
			// SQLite runs RESTRICT as a trigger, whose error carries the
			// trigger code rather than the foreign-key one. Its default,
			// an immediate NO ACTION check, refuses the same statements
			// with SQLITE_CONSTRAINT_FOREIGNKEY.
			continue
		}
		b.WriteString(a.on + string(a.action))
	}
	return b.String()
}

func quoteList(d *Dialect, names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = d.QuoteIdent(n)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// defaultSQL renders c.Default (already checked by checkDefault) for d.
func defaultSQL(d *Dialect, c *Column) (string, error) {
	if err := checkDefault(c); err != nil {
		return "", err
	}
	if e, ok := c.Default.(Expr); ok {
		if d == MySQL && c.Type.Kind == KindTimestamp {
			switch strings.ToUpper(strings.TrimSpace(string(e))) {
			case "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP()", "NOW()":
				return "CURRENT_TIMESTAMP(6)", nil
			}
		}
		return string(e), nil
	}
	v := reflect.ValueOf(c.Default)
	if d == MySQL && c.Type.Kind.mysqlNoLiteralDefault() {
		// An expression default. MariaDB stores it as text and parses it
		// again, printing _utf8mb4'a\b' without escaping the backslash, so a
		// string holding one is written as a conversion of its bytes instead.
		if v.Kind() == reflect.String && strings.IndexByte(v.String(), '\\') >= 0 {
			return "(CONVERT(X'" + strings.ToUpper(hex.EncodeToString([]byte(v.String()))) + "' USING utf8mb4))", nil
		}
		lit, err := sqlLiteral(d, c.Type.Kind, v)
		return "(" + lit + ")", err
	}
	return sqlLiteral(d, c.Type.Kind, v)
}

// sqlLiteral writes v, a bool, number, string or byte slice, as an SQL
// literal for d, escaped so that no value can end the literal early. For a
// string holding a backslash it uses a form that does not depend on the
// server's settings: E'...' on PostgreSQL (whatever
// standard_conforming_strings is), a hex utf8mb4 literal on MySQL (whatever
// NO_BACKSLASH_ESCAPES is). Booleans are TRUE/FALSE on PostgreSQL, 1/0 on
// SQLite, and bit literals for MySQL's BIT(1) Boolean columns.
func sqlLiteral(d *Dialect, kind TypeKind, v reflect.Value) (string, error) {
	switch v.Kind() {
	case reflect.Bool:
		t, f := "TRUE", "FALSE"
		switch {
		case d == SQLite:
			t, f = "1", "0"
		case d == MySQL && kind == KindBoolean:
			t, f = "b'1'", "b'0'"
		}
		if v.Bool() {
			return t, nil
		}
		return f, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10), nil
	case reflect.Float32:
		return strconv.FormatFloat(v.Float(), 'g', -1, 32), nil
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64), nil
	case reflect.String:
		s := v.String()
		if strings.IndexByte(s, '\\') >= 0 {
			switch d {
			case Postgres:
				return "E'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'", nil
			case MySQL:
				return "_utf8mb4 X'" + strings.ToUpper(hex.EncodeToString([]byte(s))) + "'", nil
			}
		}
		return "'" + strings.ReplaceAll(s, "'", "''") + "'", nil
	case reflect.Slice:
		h := strings.ToUpper(hex.EncodeToString(v.Bytes()))
		if d == Postgres {
			return "decode('" + h + "', 'hex')", nil
		}
		return "X'" + h + "'", nil
	}
	return "", fmt.Errorf("unsupported default of kind %s", v.Kind())
}
