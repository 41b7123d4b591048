package migrate

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/atomdb/atomdb/core"
)

// Schema is a set of tables with every constraint and index named: the
// state a migration history builds, the models' target, or what Inspect
// read from a live database.
type Schema struct {
	// Tables are in the order they were created (or, for Inspect, by name).
	Tables []*core.TableDef
}

// FromMetaData validates md and returns its tables in named form, the
// target that make diffs the history against.
func FromMetaData(md *core.MetaData) (*Schema, error) {
	if md == nil {
		return nil, fmt.Errorf("%w: nil MetaData", core.ErrInvalidSchema)
	}
	defs, err := md.Defs()
	if err != nil {
		return nil, err
	}
	for _, t := range defs {
		// Inspect reads the connection's own schema, and the SQL written
		// here names tables unqualified: a table elsewhere would be
		// created in the wrong schema and then seen as missing forever.
		if strings.Contains(t.Name, ".") {
			return nil, fmt.Errorf("%w: table %q is schema-qualified; migrate manages the tables of the "+
				"connection's own schema only (create this one with orm.CreateTables or by hand)", ErrUnsupported, t.Name)
		}
	}
	return &Schema{Tables: defs}, nil
}

// Table returns the table named name, or nil.
func (s *Schema) Table(name string) *core.TableDef {
	for _, t := range s.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

func (s *Schema) clone() *Schema {
	c := &Schema{Tables: make([]*core.TableDef, len(s.Tables))}
	for i, t := range s.Tables {
		c.Tables[i] = cloneTable(t)
	}
	return c
}

func cloneTable(t *core.TableDef) *core.TableDef {
	c := *t
	c.Columns = make([]*core.Column, len(t.Columns))
	for i, col := range t.Columns {
		cc := *col
		c.Columns[i] = &cc
	}
	c.Uniques = nil
	for _, u := range t.Uniques {
		c.Uniques = append(c.Uniques, &core.UniqueConstraint{Name: u.Name, Columns: slices.Clone(u.Columns)})
	}
	c.Indexes = nil
	for _, ix := range t.Indexes {
		c.Indexes = append(c.Indexes, &core.Index{Name: ix.Name, Columns: slices.Clone(ix.Columns), Unique: ix.Unique})
	}
	c.Checks = nil
	for _, ck := range t.Checks {
		cc := *ck
		c.Checks = append(c.Checks, &cc)
	}
	c.ForeignKeys = nil
	for _, fk := range t.ForeignKeys {
		f := *fk
		c.ForeignKeys = append(c.ForeignKeys, &f)
	}
	return &c
}

// The serialized form of a table, as a migration file holds it.

type tableJSON struct {
	Name        string        `json:"name"`
	Columns     []*columnJSON `json:"columns"`
	PrimaryKey  string        `json:"primary_key,omitempty"`
	Uniques     []*uniqueJSON `json:"uniques,omitempty"`
	Indexes     []*indexJSON  `json:"indexes,omitempty"`
	Checks      []*checkJSON  `json:"checks,omitempty"`
	ForeignKeys []*fkJSON     `json:"foreign_keys,omitempty"`
}

type columnJSON struct {
	Name          string       `json:"name"`
	Type          string       `json:"type"`
	Length        int          `json:"length,omitempty"`
	Precision     int          `json:"precision,omitempty"`
	Scale         int          `json:"scale,omitempty"`
	Unsigned      bool         `json:"unsigned,omitempty"`
	Raw           string       `json:"raw,omitempty"`
	Nullable      bool         `json:"nullable,omitempty"`
	Default       *defaultJSON `json:"default,omitempty"`
	PrimaryKey    bool         `json:"primary_key,omitempty"`
	AutoIncrement bool         `json:"auto_increment,omitempty"`
}

// defaultJSON keeps a default's Go kind: exactly one field is set.
type defaultJSON struct {
	Expr   *string      `json:"expr,omitempty"`
	Bool   *bool        `json:"bool,omitempty"`
	Int    *json.Number `json:"int,omitempty"`
	Float  *json.Number `json:"float,omitempty"`
	String *string      `json:"string,omitempty"`
	Bytes  *string      `json:"bytes,omitempty"` // base64
}

type uniqueJSON struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
}

type indexJSON struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Unique  bool     `json:"unique,omitempty"`
}

type checkJSON struct {
	Name string `json:"name"`
	Expr string `json:"expr"`
}

type fkJSON struct {
	Name      string `json:"name"`
	Column    string `json:"column"`
	RefTable  string `json:"ref_table"`
	RefColumn string `json:"ref_column"`
	OnDelete  string `json:"on_delete,omitempty"`
	OnUpdate  string `json:"on_update,omitempty"`
}

var kindByName = func() map[string]core.TypeKind {
	m := map[string]core.TypeKind{}
	// Every kind core names (KindTime came after KindCustom): stop at the
	// first number String does not know.
	for k := core.KindBoolean; !strings.HasPrefix(k.String(), "TypeKind("); k++ {
		m[k.String()] = k
	}
	return m
}()

func encodeTable(t *core.TableDef) (*tableJSON, error) {
	j := &tableJSON{Name: t.Name, PrimaryKey: t.PrimaryKeyName}
	for _, c := range t.Columns {
		cj, err := encodeColumn(c)
		if err != nil {
			return nil, fmt.Errorf("table %q: %w", t.Name, err)
		}
		j.Columns = append(j.Columns, cj)
	}
	for _, u := range t.Uniques {
		j.Uniques = append(j.Uniques, &uniqueJSON{Name: u.Name, Columns: u.Columns})
	}
	for _, ix := range t.Indexes {
		j.Indexes = append(j.Indexes, &indexJSON{Name: ix.Name, Columns: ix.Columns, Unique: ix.Unique})
	}
	for _, ck := range t.Checks {
		j.Checks = append(j.Checks, &checkJSON{Name: ck.Name, Expr: ck.Expr})
	}
	for _, fk := range t.ForeignKeys {
		j.ForeignKeys = append(j.ForeignKeys, encodeFK(fk))
	}
	return j, nil
}

func encodeFK(fk *core.ForeignKeyDef) *fkJSON {
	return &fkJSON{Name: fk.Name, Column: fk.Column, RefTable: fk.RefTable, RefColumn: fk.RefColumn,
		OnDelete: string(fk.OnDelete), OnUpdate: string(fk.OnUpdate)}
}

func decodeFK(j *fkJSON) *core.ForeignKeyDef {
	return &core.ForeignKeyDef{Name: j.Name, Column: j.Column, RefTable: j.RefTable, RefColumn: j.RefColumn,
		OnDelete: core.Action(j.OnDelete), OnUpdate: core.Action(j.OnUpdate)}
}

func decodeTable(j *tableJSON) (*core.TableDef, error) {
	if j == nil || j.Name == "" {
		return nil, fmt.Errorf("a table definition without a name")
	}
	t := &core.TableDef{Name: j.Name, PrimaryKeyName: j.PrimaryKey}
	for _, cj := range j.Columns {
		c, err := decodeColumn(cj)
		if err != nil {
			return nil, fmt.Errorf("table %q: %w", j.Name, err)
		}
		t.Columns = append(t.Columns, c)
	}
	for _, u := range j.Uniques {
		t.Uniques = append(t.Uniques, &core.UniqueConstraint{Name: u.Name, Columns: u.Columns})
	}
	for _, ix := range j.Indexes {
		t.Indexes = append(t.Indexes, &core.Index{Name: ix.Name, Columns: ix.Columns, Unique: ix.Unique})
	}
	for _, ck := range j.Checks {
		t.Checks = append(t.Checks, &core.CheckConstraint{Name: ck.Name, Expr: ck.Expr})
	}
	for _, fk := range j.ForeignKeys {
		t.ForeignKeys = append(t.ForeignKeys, decodeFK(fk))
	}
	return t, nil
}

func encodeColumn(c *core.Column) (*columnJSON, error) {
	j := &columnJSON{Name: c.Name, Type: c.Type.Kind.String(), Length: c.Type.Length, Precision: c.Type.Precision,
		Scale: c.Type.Scale, Unsigned: c.Type.Unsigned, Raw: c.Type.Raw, Nullable: c.Nullable,
		PrimaryKey: c.PrimaryKey, AutoIncrement: c.AutoIncrement}
	if c.Default != nil {
		d, err := encodeDefault(c.Default)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", c.Name, err)
		}
		j.Default = d
	}
	return j, nil
}

func decodeColumn(j *columnJSON) (*core.Column, error) {
	if j == nil || j.Name == "" {
		return nil, fmt.Errorf("a column without a name")
	}
	kind, ok := kindByName[j.Type]
	if !ok {
		return nil, fmt.Errorf("column %q: unknown type %q", j.Name, j.Type)
	}
	c := &core.Column{Name: j.Name, Type: core.Type{Kind: kind, Length: j.Length, Precision: j.Precision,
		Scale: j.Scale, Unsigned: j.Unsigned, Raw: j.Raw}, Nullable: j.Nullable, PrimaryKey: j.PrimaryKey,
		AutoIncrement: j.AutoIncrement}
	if err := c.Type.Validate(); err != nil {
		return nil, fmt.Errorf("column %q: %w", j.Name, err)
	}
	if j.Default != nil {
		v, err := decodeDefault(j.Default)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", j.Name, err)
		}
		c.Default = v
	}
	return c, nil
}

// normDefault reduces a default to one value per meaning: int64, uint64
// (above MaxInt64 only), float64, string, bool, []byte or core.Expr.
func normDefault(v any) any {
	if v == nil {
		return nil
	}
	if e, ok := v.(core.Expr); ok {
		return e
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Bool:
		return rv.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if u := rv.Uint(); u > math.MaxInt64 {
			return u
		}
		return int64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	case reflect.String:
		return rv.String()
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return append([]byte{}, rv.Bytes()...)
		}
	}
	return v
}

func encodeDefault(v any) (*defaultJSON, error) {
	switch x := normDefault(v).(type) {
	case core.Expr:
		s := string(x)
		return &defaultJSON{Expr: &s}, nil
	case bool:
		return &defaultJSON{Bool: &x}, nil
	case int64:
		n := json.Number(strconv.FormatInt(x, 10))
		return &defaultJSON{Int: &n}, nil
	case uint64:
		n := json.Number(strconv.FormatUint(x, 10))
		return &defaultJSON{Int: &n}, nil
	case float64:
		n := json.Number(strconv.FormatFloat(x, 'g', -1, 64))
		return &defaultJSON{Float: &n}, nil
	case string:
		return &defaultJSON{String: &x}, nil
	case []byte:
		s := base64.StdEncoding.EncodeToString(x)
		return &defaultJSON{Bytes: &s}, nil
	}
	return nil, fmt.Errorf("default %#v (%T) cannot be written to a migration", v, v)
}

func decodeDefault(d *defaultJSON) (any, error) {
	switch {
	case d.Expr != nil:
		return core.Expr(*d.Expr), nil
	case d.Bool != nil:
		return *d.Bool, nil
	case d.Int != nil:
		if n, err := strconv.ParseInt(string(*d.Int), 10, 64); err == nil {
			return n, nil
		}
		n, err := strconv.ParseUint(string(*d.Int), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("default int %q: %w", *d.Int, err)
		}
		return n, nil
	case d.Float != nil:
		f, err := strconv.ParseFloat(string(*d.Float), 64)
		if err != nil {
			return nil, fmt.Errorf("default float %q: %w", *d.Float, err)
		}
		return f, nil
	case d.String != nil:
		return *d.String, nil
	case d.Bytes != nil:
		b, err := base64.StdEncoding.DecodeString(*d.Bytes)
		if err != nil {
			return nil, fmt.Errorf("default bytes: %w", err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("empty default")
}

// sameColumn reports whether two columns have the same neutral definition
// (names aside).
func sameColumn(a, b *core.Column) bool {
	return a.Type == b.Type && a.Nullable == b.Nullable && a.PrimaryKey == b.PrimaryKey &&
		a.AutoIncrement == b.AutoIncrement && sameDefault(a.Default, b.Default)
}

func sameDefault(a, b any) bool {
	return reflect.DeepEqual(normDefault(a), normDefault(b))
}
