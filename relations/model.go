package relations

// Model is what the relation layer knows of one model: its table, its
// stored fields and its relations, by the names paths use. The orm builds
// one per model type from the struct tags, once, and never changes it after
// (AddField and AddRelation are for that build only).
type Model struct {
	// Name is the model's name, for errors.
	Name string
	// Table is the real table name.
	Table string
	// PK is the primary key.
	PK *Field
	// Ref is the builder's own description of the model, handed back
	// untouched (the orm keeps its model metadata there).
	Ref any

	fields map[string]*Field
	rels   map[string]*Relation
}

// Field is one stored field of a Model.
type Field struct {
	// Name is the name paths use for it.
	Name string
	// Column is its column, unquoted.
	Column string
	// Ref is the builder's own description of the field.
	Ref any
}

// Relation is one relation of a Model, as data:
//
//   - ManyToOne, OneToOne: From.Table.Column holds To's primary key;
//     Nullable says it may be NULL.
//   - OneToMany: To.Table.Column holds From's primary key (the other side of a
//     foreign key declared on To).
//   - ManyToMany: Through.ThroughFrom holds From's primary key and
//     Through.ThroughTo holds To's.
type Relation struct {
	Name     string
	Kind     Kind
	From, To *Model
	Column   string
	Nullable bool
	Through  string
	// ThroughFrom and ThroughTo are the join table's two key columns.
	ThroughFrom, ThroughTo string
	// Reverse is, for a one-to-many, the foreign key on To it is the other
	// side of.
	Reverse *Relation
	// Ref is the builder's own description of the relation.
	Ref any
}

// NewModel starts the description of a model whose rows live in table.
func NewModel(name, table string, ref any) *Model {
	return &Model{Name: name, Table: table, Ref: ref, fields: map[string]*Field{}, rels: map[string]*Relation{}}
}

// AddField makes f known under each of names ("pk" always names the
// primary key, set with PK).
func (m *Model) AddField(f *Field, names ...string) {
	for _, n := range names {
		m.fields[n] = f
	}
}

// AddRelation makes r known under each of names. A to-one relation is also
// a field (its foreign key) under the same names.
func (m *Model) AddRelation(r *Relation, names ...string) {
	for _, n := range names {
		m.rels[n] = r
	}
}

// Field returns the stored field called name, or nil.
func (m *Model) Field(name string) *Field {
	if name == "pk" {
		return m.PK
	}
	return m.fields[name]
}

// Relation returns the relation called name, or nil.
func (m *Model) Relation(name string) *Relation { return m.rels[name] }

// Has reports whether the model has a field or a relation called name.
func (m *Model) Has(name string) bool { return m.Field(name) != nil || m.rels[name] != nil }

// Hop describes the relation's step in SQL terms.
func (r *Relation) Hop() Hop {
	h := Hop{Kind: r.Kind, Table: r.From.Table, Column: r.From.PK.Column, Target: r.To.Table, TargetColumn: r.To.PK.Column}
	switch r.Kind {
	case OneToMany:
		h.TargetColumn = r.Column
	case ManyToMany:
		h.Through, h.ThroughColumn, h.ThroughTarget = r.Through, r.ThroughFrom, r.ThroughTo
	default:
		h.Column, h.Nullable = r.Column, r.Nullable
	}
	return h
}
