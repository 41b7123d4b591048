package relations

// Kind is the kind of a relation, seen from the model that declares it.
type Kind uint8

// The kinds of relation.
const (
	// ManyToOne is a foreign key: many rows here point at one row there.
	ManyToOne Kind = iota + 1
	// OneToOne is a unique foreign key.
	OneToOne
	// OneToMany is the reverse side of a foreign key declared on the other model.
	OneToMany
	// ManyToMany goes through a join table.
	ManyToMany
)

func (k Kind) String() string {
	switch k {
	case ManyToOne:
		return "many-to-one"
	case OneToOne:
		return "one-to-one"
	case OneToMany:
		return "one-to-many"
	case ManyToMany:
		return "many-to-many"
	}
	return "invalid relation kind"
}

// ToMany reports whether one row here relates to any number of rows there.
func (k Kind) ToMany() bool { return k == OneToMany || k == ManyToMany }

// Hop is one step of a relation path in SQL terms. Column names are
// unquoted; tables are the real table names.
//
//   - ManyToOne, OneToOne: Table.Column holds Target.TargetColumn (its key).
//   - OneToMany: Target.TargetColumn (its foreign key) holds Table.Column (our key).
//   - ManyToMany: Through.ThroughColumn holds Table.Column (our key) and
//     Through.ThroughTarget holds Target.TargetColumn (its key).
type Hop struct {
	Kind          Kind
	Table, Column string
	Target        string
	TargetColumn  string
	Through       string
	ThroughColumn string
	ThroughTarget string
	// Nullable says a to-one foreign key may be NULL (a LEFT JOIN is needed).
	Nullable bool
}
