package relations

import (
	"strings"

	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
)

// Join is one joined table of a query.
type Join struct {
	// Rel is the relation followed.
	Rel *Relation
	// Alias names Rel.To's table in the query.
	Alias string
	// Parent is the alias (or the table) of Rel.From's table.
	Parent string
	// Through aliases a many-to-many's join table.
	Through string
	// Left is a LEFT JOIN: the relation, or one before it on the path, may
	// relate to no row (a nullable foreign key, a list), and the row must
	// stay, with NULL in the joined columns. Otherwise an INNER JOIN.
	Left bool
}

// Joins is the one join planner of a query on model Base: every path joined
// once, under one alias (see Aliases), whether SelectRelated, OrderBy or
// Values asked for it, so two relations to the same table get a table each.
type Joins struct {
	base    *Model
	aliases *Aliases
	byPath  map[string]*Join
	list    []*Join
	applied int
}

// NewJoins plans the joins of a query on base.
func NewJoins(base *Model) *Joins {
	return &Joins{base: base, aliases: NewAliases(base.Table), byPath: map[string]*Join{}}
}

// Add joins the relations of steps, a path from the base model, each once,
// and returns the joins of the path, in order; the last one's Alias names
// the table the path ends in (the base table when there are no steps).
func (j *Joins) Add(steps []*Relation) []*Join {
	parent, left := j.base.Table, false
	names := make([]string, 0, len(steps))
	out := make([]*Join, 0, len(steps))
	for _, r := range steps {
		names = append(names, r.Name)
		key := strings.Join(names, "__")
		jn := j.byPath[key]
		if jn == nil {
			a, _ := j.aliases.For(names)
			jn = &Join{Rel: r, Alias: a, Parent: parent, Left: left || r.Nullable || r.Kind.ToMany()}
			if r.Kind == ManyToMany {
				jn.Through = core.Label(a, "through")
			}
			j.byPath[key] = jn
			j.list = append(j.list, jn)
		}
		out = append(out, jn)
		parent, left = jn.Alias, jn.Left
	}
	return out
}

// Table returns the alias of the table a path whose joins are given ends
// in, and whether a row may find no related row there (NULL in its columns).
func (j *Joins) Table(path []*Join) (alias string, nullable bool) {
	if len(path) == 0 {
		return j.base.Table, false
	}
	last := path[len(path)-1]
	return last.Alias, last.Left
}

// Outer reports whether a planned join is a LEFT JOIN. PostgreSQL refuses
// to lock the rows of the nullable side of one (FOR UPDATE OF names the
// tables to lock instead).
func (j *Joins) Outer() bool {
	for _, jn := range j.list {
		if jn.Left {
			return true
		}
	}
	return false
}

// List returns the joins planned so far, every parent before its children.
func (j *Joins) List() []*Join { return j.list }

// Apply adds to ds the joins planned since the last Apply.
func (j *Joins) Apply(ds *goqu.SelectDataset) *goqu.SelectDataset {
	for _, jn := range j.list[j.applied:] {
		ds = jn.apply(ds)
	}
	j.applied = len(j.list)
	return ds
}

func (jn *Join) apply(ds *goqu.SelectDataset) *goqu.SelectDataset {
	join := ds.InnerJoin
	if jn.Left {
		join = ds.LeftJoin
	}
	r := jn.Rel
	to, parent := core.TableIdent(jn.Alias), core.TableIdent(jn.Parent)
	target := core.TableIdent(r.To.Table).As(jn.Alias)
	switch r.Kind {
	case OneToMany:
		return join(target, goqu.On(to.Col(r.Column).Eq(parent.Col(r.From.PK.Column))))
	case ManyToMany:
		through := core.TableIdent(jn.Through)
		ds = join(core.TableIdent(r.Through).As(jn.Through), goqu.On(through.Col(r.ThroughFrom).Eq(parent.Col(r.From.PK.Column))))
		if jn.Left {
			return ds.LeftJoin(target, goqu.On(to.Col(r.To.PK.Column).Eq(through.Col(r.ThroughTo))))
		}
		return ds.InnerJoin(target, goqu.On(to.Col(r.To.PK.Column).Eq(through.Col(r.ThroughTo))))
	}
	return join(target, goqu.On(to.Col(r.To.PK.Column).Eq(parent.Col(r.Column))))
}
