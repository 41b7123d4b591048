package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"unicode/utf8"
)

// specs validates the schema and resolves the constraints of every table.
func (m *MetaData) specs() ([]*tableSpec, error) {
	if err := m.naming.Validate(); err != nil {
		return nil, err
	}
	var errs []error
	specs := make([]*tableSpec, 0, len(m.tables))
	byName := make(map[string]*tableSpec, len(m.tables))
	present := make(map[string]bool, len(m.tables)) // tables present, valid or not
	// Names share one case-insensitive space: PostgreSQL keeps tables and
	// the indexes behind keys and indexes in one namespace per schema, and
	// MySQL's foreign key and check names are unique per database.
	names := map[string]string{} // folded name -> what holds it
	for _, t := range m.tables {
		s, err := buildSpec(t, m.naming)
		if err != nil {
			errs = append(errs, err)
		}
		if t == nil || t.Name == "" {
			continue
		}
		present[t.Name] = true
		if prev, ok := names[strings.ToLower(t.Name)]; ok {
			errs = append(errs, schemaErr(t.Name, "", "duplicate table name (already have %s)", prev))
			continue
		}
		names[strings.ToLower(t.Name)] = fmt.Sprintf("table %q", t.Name)
		if s != nil {
			specs = append(specs, s)
			byName[t.Name] = s
		}
	}
	claim := func(name, table string) {
		key := strings.ToLower(name)
		if other, ok := names[key]; ok {
			errs = append(errs, schemaErr(table, "", "constraint or index name %q is already used by %s", name, other))
			return
		}
		names[key] = fmt.Sprintf("a constraint or index of table %q", table)
	}
	for _, s := range specs {
		table := s.t.Name
		if s.pkName != "" {
			claim(s.pkName, table)
		}
		for _, u := range s.uniques {
			claim(u.name, table)
		}
		for _, ix := range s.indexes {
			claim(ix.name, table)
		}
		for _, ck := range s.checks {
			claim(ck.name, table)
		}
		for _, fk := range s.fks {
			claim(fk.name, table)
			target := byName[fk.fk.Table]
			if target == nil {
				if !present[fk.fk.Table] { // else the table's own errors are reported
					errs = append(errs, schemaErr(table, fk.col.Name, "foreign key to unknown table %q", fk.fk.Table))
				}
				continue
			}
			fk.target = target
			ref := target.t.Column(fk.fk.Column)
			if ref == nil {
				errs = append(errs, schemaErr(table, fk.col.Name, "foreign key to unknown column %q of table %q", fk.fk.Column, fk.fk.Table))
				continue
			}
			if !sameKeyType(fk.col.Type, ref.Type) {
				errs = append(errs, schemaErr(table, fk.col.Name, "type %s does not match %s of the referenced column %s.%s",
					fk.col.Type, ref.Type, fk.fk.Table, fk.fk.Column))
			}
			if !target.isUniqueColumn(ref.Name) {
				errs = append(errs, schemaErr(table, fk.col.Name, "foreign key to %s.%s, which is neither the primary key nor unique",
					fk.fk.Table, fk.fk.Column))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return specs, nil
}

// sameKeyType reports whether a foreign key column of type a may refer to a
// column of type b on every dialect (MySQL requires the same integer size and
// sign; string lengths may differ).
func sameKeyType(a, b Type) bool {
	if a.Kind != b.Kind || a.Unsigned != b.Unsigned {
		return false
	}
	switch a.Kind {
	case KindDecimal:
		return a.Precision == b.Precision && a.Scale == b.Scale
	case KindCustom:
		return strings.EqualFold(a.Raw, b.Raw)
	}
	return true
}

// tableSpec is a table whose constraints and indexes have been validated and
// named.
type tableSpec struct {
	t       *Table
	pk      []*Column
	pkName  string
	auto    *Column // the AutoIncrement column, if any
	uniques []uniqueSpec
	indexes []indexSpec
	checks  []checkSpec
	fks     []*fkSpec
}

type uniqueSpec struct {
	name string
	cols []string
}

type indexSpec struct {
	name   string
	cols   []string
	unique bool
}

type checkSpec struct {
	name, expr string
}

type fkSpec struct {
	name   string
	col    *Column
	fk     *ForeignKey
	owner  *tableSpec
	target *tableSpec // set by MetaData.specs
}

// isUniqueColumn reports whether the column alone is the primary key or has a
// unique constraint or unique index of its own.
func (s *tableSpec) isUniqueColumn(name string) bool {
	if len(s.pk) == 1 && s.pk[0].Name == name {
		return true
	}
	for _, u := range s.uniques {
		if len(u.cols) == 1 && u.cols[0] == name {
			return true
		}
	}
	for _, ix := range s.indexes {
		if ix.unique && len(ix.cols) == 1 && ix.cols[0] == name {
			return true
		}
	}
	return false
}

// buildSpec validates everything about t that does not involve other tables
// or a particular dialect, and names its constraints and indexes.
func buildSpec(t *Table, naming NamingConvention) (*tableSpec, error) {
	if t == nil {
		return nil, schemaErr("", "", "nil table")
	}
	var errs []error
	tn := t.Name
	fail := func(column, format string, args ...any) {
		errs = append(errs, schemaErr(tn, column, format, args...))
	}
	checkName := func(column, what, name string) {
		if len(name) > MaxIdentifierLength {
			fail(column, "%s %q is longer than %d bytes", what, name, MaxIdentifierLength)
		}
		if !utf8.ValidString(name) || strings.IndexByte(name, 0) >= 0 {
			fail(column, "%s %q is not valid UTF-8 text", what, name)
		}
	}
	if tn == "" {
		fail("", "table has no name")
	}
	if schema, table, ok := strings.Cut(tn, "."); ok {
		// schema.table: the table in another schema (a MySQL database).
		if schema == "" || table == "" || strings.Contains(table, ".") {
			fail("", "table name %q is not name or schema.name", tn)
		}
		checkName("", "schema name", schema)
		checkName("", "table name", table)
	} else {
		checkName("", "table name", tn)
	}
	// Constraint and index names take the table's name without its schema's dot.
	nt := strings.ReplaceAll(tn, ".", "_")
	if len(t.Columns) == 0 {
		fail("", "table has no columns")
	}
	s := &tableSpec{t: t}
	seen := map[string]string{}
	for i, c := range t.Columns {
		if c == nil {
			fail("", "column %d is nil", i)
			continue
		}
		cn := c.Name
		if cn == "" {
			fail("", "column %d has no name", i)
			continue
		}
		checkName(cn, "column name", cn)
		if prev, ok := seen[strings.ToLower(cn)]; ok {
			fail(cn, "duplicate column name (already have %q)", prev)
			continue
		}
		seen[strings.ToLower(cn)] = cn
		if err := c.Type.Validate(); err != nil {
			errs = append(errs, placeErr(err, tn, cn))
		} else if err := checkDefault(c); err != nil {
			fail(cn, "%v", err)
		}
		if c.PrimaryKey {
			s.pk = append(s.pk, c)
			if c.Nullable {
				fail(cn, "a primary key column cannot be Nullable")
			}
		}
		if c.AutoIncrement {
			switch {
			case !c.Type.Kind.isInteger():
				fail(cn, "AutoIncrement needs an integer type, not %s", c.Type)
			case !c.PrimaryKey:
				fail(cn, "AutoIncrement needs a primary key column")
			case c.Default != nil:
				fail(cn, "an AutoIncrement column cannot have a Default")
			case s.auto != nil:
				fail(cn, "a table can have only one AutoIncrement column (already %q)", s.auto.Name)
			default:
				s.auto = c
			}
		}
		if fk := c.ForeignKey; fk != nil {
			switch {
			case fk.Table == "":
				fail(cn, "foreign key has no Table")
			case fk.Column == "":
				fail(cn, "foreign key has no Column")
			}
			for _, a := range []Action{fk.OnDelete, fk.OnUpdate} {
				if !a.valid() {
					fail(cn, "unknown foreign key action %q", string(a))
				}
				if a == SetNull && !c.Nullable {
					fail(cn, "foreign key action SET NULL needs a Nullable column")
				}
			}
			checkName(cn, "foreign key name", fk.Name)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// Name the constraints, column-level ones first.
	named := func(column, explicit string, gen func() (string, error)) string {
		if explicit != "" {
			return explicit
		}
		name, err := gen()
		if err != nil {
			errs = append(errs, placeErr(err, tn, column))
		}
		return name
	}
	if len(s.pk) > 0 {
		cols := columnNames(s.pk)
		s.pkName = named("", "", func() (string, error) { return naming.PrimaryKeyName(nt, cols) })
	}
	for _, c := range t.Columns {
		cols := []string{c.Name}
		if c.Unique {
			s.uniques = append(s.uniques, uniqueSpec{
				name: named(c.Name, "", func() (string, error) { return naming.UniqueName(nt, cols) }),
				cols: cols,
			})
		}
		if c.Index {
			s.indexes = append(s.indexes, indexSpec{
				name: named(c.Name, "", func() (string, error) { return naming.IndexName(nt, cols) }),
				cols: cols,
			})
		}
	}
	checkCols := func(what string, i int, name string, cols []string) bool {
		label := fmt.Sprintf("%s %d", what, i)
		if name != "" {
			label = fmt.Sprintf("%s %q", what, name)
			checkName("", what+" name", name)
		}
		if len(cols) == 0 {
			fail("", "%s has no columns", label)
			return false
		}
		ok := true
		used := map[string]bool{}
		for _, cn := range cols {
			if t.Column(cn) == nil {
				fail(cn, "%s names an unknown column", label)
				ok = false
			} else if used[cn] {
				fail(cn, "%s names the column twice", label)
				ok = false
			}
			used[cn] = true
		}
		return ok
	}
	for i, u := range t.Uniques {
		if u == nil {
			fail("", "unique constraint %d is nil", i)
			continue
		}
		if !checkCols("unique constraint", i, u.Name, u.Columns) {
			continue
		}
		cols := append([]string(nil), u.Columns...)
		s.uniques = append(s.uniques, uniqueSpec{
			name: named("", u.Name, func() (string, error) { return naming.UniqueName(nt, cols) }),
			cols: cols,
		})
	}
	for i, ix := range t.Indexes {
		if ix == nil {
			fail("", "index %d is nil", i)
			continue
		}
		if !checkCols("index", i, ix.Name, ix.Columns) {
			continue
		}
		cols := append([]string(nil), ix.Columns...)
		s.indexes = append(s.indexes, indexSpec{
			name:   named("", ix.Name, func() (string, error) { return naming.IndexName(nt, cols) }),
			cols:   cols,
			unique: ix.Unique,
		})
	}
	for i, ck := range t.Checks {
		switch {
		case ck == nil:
			fail("", "check constraint %d is nil", i)
		case ck.Name == "":
			fail("", "check constraint %d has no Name", i)
		case strings.TrimSpace(ck.Expr) == "":
			fail("", "check constraint %q has no Expr", ck.Name)
		default:
			s.checks = append(s.checks, checkSpec{
				name: named("", "", func() (string, error) { return naming.CheckName(nt, ck.Name) }),
				expr: ck.Expr,
			})
		}
	}
	for _, c := range t.Columns {
		if fk := c.ForeignKey; fk != nil {
			cols := []string{c.Name}
			s.fks = append(s.fks, &fkSpec{
				name:  named(c.Name, fk.Name, func() (string, error) { return naming.ForeignKeyName(nt, cols, strings.ReplaceAll(fk.Table, ".", "_")) }),
				col:   c,
				fk:    fk,
				owner: s,
			})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// Two constraints or indexes of one table with the same name.
	names := map[string]bool{}
	dup := func(name string) {
		if names[strings.ToLower(name)] {
			fail("", "constraint or index name %q is used twice", name)
		}
		names[strings.ToLower(name)] = true
	}
	if s.pkName != "" {
		dup(s.pkName)
	}
	for _, u := range s.uniques {
		dup(u.name)
	}
	for _, ix := range s.indexes {
		dup(ix.name)
	}
	for _, ck := range s.checks {
		dup(ck.name)
	}
	for _, fk := range s.fks {
		dup(fk.name)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

func columnNames(cols []*Column) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

// checkDefault reports whether c.Default is a value its type can take (see
// Column.Default); the column's type is already known to be valid.
func checkDefault(c *Column) error {
	if c.Default == nil {
		return nil
	}
	if e, ok := c.Default.(Expr); ok {
		if strings.TrimSpace(string(e)) == "" {
			return errors.New("empty Expr default")
		}
		return nil
	}
	k := c.Type.Kind
	custom := k == KindCustom
	v := reflect.ValueOf(c.Default)
	mismatch := func() error {
		return fmt.Errorf("default %#v (%T) does not suit type %s", c.Default, c.Default, c.Type)
	}
	switch v.Kind() {
	case reflect.Bool:
		if k != KindBoolean && !custom {
			return mismatch()
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if !k.isInteger() && k != KindFloat && k != KindDouble && k != KindDecimal && !custom {
			return mismatch()
		}
	case reflect.Float32, reflect.Float64:
		if k != KindFloat && k != KindDouble && k != KindDecimal && !custom {
			return mismatch()
		}
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("default %v is not a finite number", f)
		}
	case reflect.String:
		s := v.String()
		if !utf8.ValidString(s) {
			return errors.New("default string is not valid UTF-8")
		}
		if strings.IndexByte(s, 0) >= 0 {
			return errors.New("default string contains a NUL byte")
		}
		switch k {
		case KindString, KindText, KindDate, KindTimestamp, KindCustom:
		case KindDecimal:
			if !isDecimalText(s) {
				return fmt.Errorf("default %q is not a decimal number", s)
			}
		case KindJSON:
			if !json.Valid([]byte(s)) {
				return fmt.Errorf("default %q is not a JSON document", s)
			}
		case KindUUID:
			if !isUUIDText(s) {
				return fmt.Errorf("default %q is not a UUID", s)
			}
		case KindTime:
			if _, err := ParseTimeOfDay(s); err != nil {
				return fmt.Errorf("default %q is not a time of day", s)
			}
		default:
			return mismatch()
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Uint8 || (k != KindBytes && !custom) {
			return mismatch()
		}
	default:
		return fmt.Errorf("unsupported default %#v (%T): use a bool, number, string, []byte or Expr", c.Default, c.Default)
	}
	return nil
}

// isDecimalText reports whether s is a plain decimal number: an optional
// sign, digits, and an optional fraction.
func isDecimalText(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// isUUIDText reports whether s is a UUID in its 8-4-4-4-12 hex form.
func isUUIDText(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
