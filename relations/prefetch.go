package relations

import (
	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
)

// PrefetchQueries returns the statements that read the rows related through
// r to the rows whose keys are given, in the order of r.To's primary key:
// for a to-one relation the keys are r.To's primary keys, otherwise r.From's.
// Each statement selects columns (columns of r.To), and for a many-to-many,
// last, the join table's column holding r.From's key, which says whose list
// a row belongs to. The keys are cut under the dialect's parameter limit, or
// sent as one array on PostgreSQL (see KeyConditions; keyType is the type of
// the key column, see ArrayType). No keys give no statements.
func PrefetchQueries(d *core.Dialect, r *Relation, columns []string, keys []any, keyType core.TypeKind) []*goqu.SelectDataset {
	to := core.TableIdent(r.To.Table)
	cols := make([]any, 0, len(columns)+1)
	for _, c := range columns {
		cols = append(cols, to.Col(c))
	}
	base := d.Goqu().From(to).Order(to.Col(r.To.PK.Column).Asc())
	keyCol := to.Col(r.To.PK.Column)
	switch r.Kind {
	case OneToMany:
		keyCol = to.Col(r.Column)
	case ManyToMany:
		j := core.TableIdent(r.Through)
		base = base.InnerJoin(j, goqu.On(j.Col(r.ThroughTo).Eq(to.Col(r.To.PK.Column))))
		keyCol = j.Col(r.ThroughFrom)
		cols = append(cols, keyCol)
	}
	conds := KeyConditions(d, keyCol, keys, ArrayType(keyType), 0)
	out := make([]*goqu.SelectDataset, len(conds))
	for i, c := range conds {
		out[i] = base.Select(cols...).Where(c)
	}
	return out
}

// ArrayType is the PostgreSQL array element type for keys of a column of
// kind k, or "" when they should go as an IN list.
func ArrayType(k core.TypeKind) string {
	switch k {
	case core.KindSmallInt:
		return "smallint"
	case core.KindInteger:
		return "integer"
	case core.KindBigInt:
		return "bigint"
	case core.KindString, core.KindText:
		return "text"
	case core.KindUUID:
		return "uuid"
	}
	return ""
}
