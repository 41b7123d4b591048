package migrate

import (
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/atomdb/atomdb/core"
)

// Difference is one way a live schema differs from the one expected.
type Difference struct {
	Table  string // the table concerned
	Object string // the column, index or constraint concerned, if any
	Detail string // what differs
}

// String describes the difference in a line.
func (d Difference) String() string {
	if d.Object == "" {
		return fmt.Sprintf("table %q: %s", d.Table, d.Detail)
	}
	return fmt.Sprintf("table %q: %s: %s", d.Table, d.Object, d.Detail)
}

// Compare returns the differences between want (the schema a migration
// history or the models give) and have (what Inspect read from a database
// of dialect d), comparing in the form d writes: types as d renders them
// (so int4 and integer, character varying(100) and varchar(100), SQLite's
// TEXT for Text, Decimal and JSON are the same), defaults as d stores
// them, and names where d keeps them up to date (MySQL calls every primary
// key PRIMARY; SQLite keeps constraint names only in the CREATE TABLE text,
// which renames leave alone, so there unique constraints, foreign keys and
// checks are matched by definition). Tables of have that want does not
// know are ignored.
func Compare(d *core.Dialect, want, have *Schema) []Difference {
	var diffs []Difference
	add := func(table, object, format string, args ...any) {
		diffs = append(diffs, Difference{Table: table, Object: object, Detail: fmt.Sprintf(format, args...)})
	}
	for _, w := range want.Tables {
		h := have.Table(w.Name)
		if h == nil {
			add(w.Name, "", "missing from the database")
			continue
		}
		for _, wc := range w.Columns {
			obj := "column " + strconv.Quote(wc.Name)
			hc := h.Column(wc.Name)
			if hc == nil {
				add(w.Name, obj, "missing")
				continue
			}
			wt, ht := columnTypeSQL(d, wc), columnTypeSQL(d, hc)
			if wt != ht {
				add(w.Name, obj, "type %s expected, database has %s", wt, ht)
			}
			if wc.Nullable != hc.Nullable {
				add(w.Name, obj, "nullable %v expected, database has %v", wc.Nullable, hc.Nullable)
			}
			wd, hd := columnDefaultSQL(d, wc), columnDefaultSQL(d, hc)
			if wd != hd && !wc.AutoIncrement && !sameInstant(d, wc.Type.Kind, wd, hd) {
				add(w.Name, obj, "default %s expected, database has %s", orNone(wd), orNone(hd))
			}
			if wc.PrimaryKey != hc.PrimaryKey {
				add(w.Name, obj, "primary key %v expected, database has %v", wc.PrimaryKey, hc.PrimaryKey)
			}
			if wc.AutoIncrement != hc.AutoIncrement {
				add(w.Name, obj, "auto-increment %v expected, database has %v", wc.AutoIncrement, hc.AutoIncrement)
			}
		}
		for _, hc := range h.Columns {
			if w.Column(hc.Name) == nil {
				add(w.Name, "column "+strconv.Quote(hc.Name), "not in the history")
			}
		}
		diffs = append(diffs, compareKeys(d, w, h)...)
	}
	return diffs
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// key is an index or constraint in comparable form.
type key struct {
	kind string // "unique", "index", "unique index", "check", "foreign key"
	name string
	def  string // columns, expression or reference
}

func compareKeys(d *core.Dialect, w, h *core.TableDef) []Difference {
	keys := func(t *core.TableDef, live bool) []key {
		var ks []key
		for _, u := range t.Uniques {
			ks = append(ks, key{"unique", u.Name, strings.Join(u.Columns, ", ")})
		}
		for _, ix := range t.Indexes {
			k := key{"index", ix.Name, strings.Join(ix.Columns, ", ")}
			if ix.Unique {
				k.kind = "unique index"
				if d == core.MySQL {
					// MySQL keeps a unique constraint as a unique index.
					k.kind = "unique"
				}
			}
			ks = append(ks, k)
		}
		for _, ck := range t.Checks {
			k := key{"check", ck.Name, ""}
			if d == core.SQLite {
				k.def = ck.Expr // kept as written; its name is not kept up to date
			}
			ks = append(ks, k)
		}
		for _, fk := range t.ForeignKeys {
			ks = append(ks, key{"foreign key", fk.Name, fmt.Sprintf("(%s) -> %s (%s) on delete %s on update %s",
				fk.Column, fk.RefTable, fk.RefColumn, normAction(d, fk.OnDelete), normAction(d, fk.OnUpdate))})
		}
		return ks
	}
	wk, hk := keys(w, false), keys(h, true)
	same := func(a, b key) bool {
		if a.kind != b.kind || a.def != b.def {
			return false
		}
		// SQLite keeps the name of a constraint only in the table's text,
		// which renames do not update: constraints are matched by
		// definition there, indexes by name as elsewhere.
		return a.name == b.name || (d == core.SQLite && a.kind != "index" && a.kind != "unique index")
	}
	var diffs []Difference
	used := make([]bool, len(hk))
	for _, a := range wk {
		found := false
		for i, b := range hk {
			if !used[i] && same(a, b) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			diffs = append(diffs, Difference{Table: w.Name, Object: a.kind + " " + strconv.Quote(a.name), Detail: "missing or different (" + a.def + ")"})
		}
	}
	for i, b := range hk {
		if !used[i] {
			name := b.name
			if name == "" {
				name = "(unnamed)"
			}
			diffs = append(diffs, Difference{Table: w.Name, Object: b.kind + " " + name, Detail: "not in the history (" + b.def + ")"})
		}
	}
	if w.PrimaryKeyName != "" && h.PrimaryKeyName != "" && d == core.Postgres && w.PrimaryKeyName != h.PrimaryKeyName {
		diffs = append(diffs, Difference{Table: w.Name, Object: "primary key", Detail: fmt.Sprintf("named %q expected, database has %q", w.PrimaryKeyName, h.PrimaryKeyName)})
	}
	return diffs
}

// normAction is the action as d keeps it: MySQL and SQLite (where core
// writes no RESTRICT) treat RESTRICT as NO ACTION.
func normAction(d *core.Dialect, a core.Action) string {
	if a == core.Restrict && d != core.Postgres {
		a = core.NoAction
	}
	if a == core.NoAction {
		return "NO ACTION"
	}
	return string(a)
}

// columnTypeSQL is the column's type as d writes it, in canonical form.
func columnTypeSQL(d *core.Dialect, c *core.Column) string {
	if d == core.SQLite && c.AutoIncrement && c.PrimaryKey {
		return "INTEGER"
	}
	s, err := c.Type.SQL(d)
	if err != nil {
		return "invalid " + c.Type.String()
	}
	return canonType(d, s)
}

// columnDefaultSQL is the column's default as d writes it, in canonical
// form, or "".
func columnDefaultSQL(d *core.Dialect, c *core.Column) string {
	if c.Default == nil {
		return ""
	}
	s, err := core.DefaultSQL(d, c)
	if err != nil {
		return "invalid"
	}
	return canonDefault(d, s)
}

var (
	spaces       = regexp.MustCompile(`\s+`)
	mysqlIntSize = regexp.MustCompile(`^(TINYINT|SMALLINT|MEDIUMINT|INT|INTEGER|BIGINT)\(\d+\)`)
)

// canonType writes an SQL type in one form per meaning on d.
func canonType(d *core.Dialect, s string) string {
	s = strings.ToUpper(strings.TrimSpace(spaces.ReplaceAllString(s, " ")))
	if i := strings.Index(s, " COLLATE "); i >= 0 && d == core.SQLite {
		// SQLite's table_info gives the type without the column's
		// collation (a Decimal's atomdb_decimal): compare the types alone.
		s = s[:i]
	}
	s = strings.NewReplacer(" (", "(", "( ", "(", " )", ")", ", ", ",").Replace(s)
	base, args, _ := strings.Cut(s, "(")
	if args != "" {
		args = "(" + args
	}
	suffix := ""
	if i := strings.Index(args, ")"); i >= 0 {
		args, suffix = args[:i+1], args[i+1:]
	}
	syn := map[string]string{
		"INT": "INTEGER", "INT4": "INTEGER", "INT8": "BIGINT", "INT2": "SMALLINT", "BOOL": "BOOLEAN",
		"CHARACTER VARYING": "VARCHAR", "CHARACTER": "CHAR", "BPCHAR": "CHAR",
	}
	switch d {
	case core.Postgres:
		syn["FLOAT4"] = "REAL"
		syn["FLOAT8"] = "DOUBLE PRECISION"
		syn["DECIMAL"] = "NUMERIC"
		syn["TIMESTAMP WITH TIME ZONE"] = "TIMESTAMPTZ"
		syn["TIMESTAMP WITHOUT TIME ZONE"] = "TIMESTAMP"
		syn["TIME WITHOUT TIME ZONE"] = "TIME"
	case core.MySQL:
		if mysqlIntSize.MatchString(base + args) {
			args = ""
		}
		syn["NUMERIC"] = "DECIMAL"
		syn["BOOLEAN"] = "TINYINT(1)"
	}
	if r, ok := syn[base]; ok {
		base = r
	}
	return strings.TrimSpace(base + args + suffix)
}

var (
	pgCast    = regexp.MustCompile(`::[a-zA-Z_][a-zA-Z0-9_ ]*(\(\d+(,\s*\d+)?\))?(\[\])?$`)
	numberLit = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$`)
	// a cast inside an expression, after a string: decode('AB'::text, ...)
	pgInnerCast = regexp.MustCompile(`('(?:[^']|'')*')::[a-zA-Z_][a-zA-Z0-9_ ]*?([,)])`)
	hexLit      = regexp.MustCompile(`(?i)\bX'[0-9a-f]*'`)
	pgDecode    = regexp.MustCompile(`(?i)^decode\('([0-9A-Fa-f]*)',\s*'hex'\)$`)
)

// canonDefault writes a default expression in one form per meaning on d.
func canonDefault(d *core.Dialect, s string) string {
	s = strings.TrimSpace(s)
	if d == core.Postgres {
		s = pgInnerCast.ReplaceAllString(s, "$1$2")
	}
	for {
		prev := s
		if d == core.Postgres {
			s = strings.TrimSpace(pgCast.ReplaceAllString(s, ""))
		}
		s = stripParens(s)
		if s == prev {
			break
		}
	}
	if m := pgDecode.FindStringSubmatch(s); m != nil {
		s = `'\x` + strings.ToLower(m[1]) + `'`
	} else if v, ok := stringLiteral(d, s); ok {
		// One spelling per string: E'..', hex and escaped forms included.
		s = "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' && numberLit.MatchString(s[1:len(s)-1]) {
		s = s[1 : len(s)-1]
	}
	s = strings.TrimPrefix(s, "+")
	s = hexLit.ReplaceAllStringFunc(upperOutsideQuotes(s), strings.ToUpper)
	switch s {
	case "NULL":
		return ""
	case "CURRENT_TIMESTAMP()", "NOW()":
		return "CURRENT_TIMESTAMP"
	}
	return s
}

var (
	mysqlHexString = regexp.MustCompile(`(?i)^(?:_utf8mb4\s*X'([0-9a-f]*)'|CONVERT\(X'([0-9a-f]*)' USING utf8mb4\))$`)
)

// stringLiteral reads a string literal as d writes it ('..' with doubled
// quotes; with backslash escapes on MySQL and in PostgreSQL's E'..'; a
// utf8mb4 hex literal on MySQL) and returns its value.
func stringLiteral(d *core.Dialect, s string) (string, bool) {
	if d == core.MySQL {
		if m := mysqlHexString.FindStringSubmatch(s); m != nil {
			h := m[1] + m[2]
			b, err := hex.DecodeString(h)
			return string(b), err == nil
		}
	}
	escapes := d == core.MySQL
	if d == core.Postgres && (strings.HasPrefix(s, "E'") || strings.HasPrefix(s, "e'")) {
		s, escapes = s[1:], true
	}
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' {
		return "", false
	}
	var b strings.Builder
	body := s[1 : len(s)-1]
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\'' && i+1 < len(body) && body[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == '\'':
			return "", false // not one literal
		case c == '\\' && escapes && i+1 < len(body):
			i++
			switch body[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			default:
				b.WriteByte(body[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// sameInstant reports whether two defaults of a Timestamp, Date or Time
// column are string literals of the same instant, day or time of day,
// written differently ('2020-01-02 03:04:05.5' and PostgreSQL's
// '2020-01-02 03:04:05.5+00', '09:30:00' and MariaDB's '09:30:00.000000').
func sameInstant(d *core.Dialect, kind core.TypeKind, a, b string) bool {
	if kind != core.KindTimestamp && kind != core.KindDate && kind != core.KindTime {
		return false
	}
	ta, ok1 := timeLiteral(d, a)
	tb, ok2 := timeLiteral(d, b)
	return ok1 && ok2 && ta.Equal(tb)
}

func timeLiteral(d *core.Dialect, s string) (time.Time, bool) {
	v, ok := stringLiteral(d, s)
	if !ok {
		return time.Time{}, false
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999Z07", "2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999", time.RFC3339Nano, "2006-01-02", "15:04:05.999999999"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// stripParens removes parentheses around the whole of s.
func stripParens(s string) string {
	if len(s) < 2 || s[0] != '(' || s[len(s)-1] != ')' {
		return s
	}
	depth, quote := 0, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 && i != len(s)-1 {
				return s // "(a) + (b)"
			}
		}
	}
	return strings.TrimSpace(s[1 : len(s)-1])
}

func upperOutsideQuotes(s string) string {
	var b strings.Builder
	quote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// reversible lists the core types typeFromSQL can recognise, in the order it
// prefers when a dialect writes two of them alike (SQLite writes Float and
// Double as REAL, JSON and Text as TEXT, a Decimal as TEXT COLLATE ...,
// whose collation table_info leaves out): the first one wins, so such a
// column reads back as the type that round-trips its values.
var reversible = []core.Type{
	core.Boolean(), core.SmallInt(), core.Integer(), core.BigInt(), core.Double(), core.Float(),
	core.Text(), core.Bytes(), core.Date(), core.Time(), core.Timestamp(), core.JSON(), core.UUID(),
}

var typeArgs = regexp.MustCompile(`^([A-Z ]+?)\((\d+)(?:,(\d+))?\)$`)

// typeFromSQL maps a type d reports back to the core type d writes so, or
// to a Custom type when none does. The map is core's own renderer read
// backwards (Type.SQL), so a type core learns to write is recognised here
// with no second table to keep in step.
func typeFromSQL(d *core.Dialect, raw string) core.Type {
	s := canonType(d, raw)
	unsigned := false
	if d == core.MySQL {
		s, unsigned = strings.CutSuffix(s, " UNSIGNED")
	}
	t := renderedAs(d, s)
	switch {
	case t.Kind == core.KindInvalid:
		return core.Custom(canonType(d, raw))
	case unsigned && t.Kind != core.KindSmallInt && t.Kind != core.KindInteger && t.Kind != core.KindBigInt:
		return core.Custom(canonType(d, raw))
	}
	t.Unsigned = unsigned
	return t
}

// renderedAs returns the core type whose SQL for d, canonicalised, is s, or
// the zero Type. Sized types (VARCHAR(n), NUMERIC(p,s)) take their sizes
// from s.
func renderedAs(d *core.Dialect, s string) core.Type {
	candidates := reversible
	if m := typeArgs.FindStringSubmatch(s); m != nil {
		n1, _ := strconv.Atoi(m[2])
		n2, _ := strconv.Atoi(m[3])
		candidates = append([]core.Type{core.String(n1), core.Decimal(n1, n2)}, candidates...)
	}
	for _, t := range candidates {
		if t.Validate() != nil {
			continue
		}
		if w, err := t.SQL(d); err == nil && canonType(d, w) == s {
			return t
		}
	}
	return core.Type{}
}
