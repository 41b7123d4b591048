package relations

import (
	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// The list-sync plan: the statements that make the rows behind a relation
// list of one row (whose primary key is self) match the list.

// LinkedKeys selects the keys of the rows a many-to-many links self to.
func LinkedKeys(r *Relation, self any) *goqu.SelectDataset {
	j := core.TableIdent(r.Through)
	return goqu.From(j).Select(j.Col(r.ThroughTo)).Where(j.Col(r.ThroughFrom).Eq(self))
}

// Unlink deletes the many-to-many links from self to the keys.
func Unlink(r *Relation, self any, keys []any) *goqu.DeleteDataset {
	j := core.TableIdent(r.Through)
	return goqu.Delete(j).Where(j.Col(r.ThroughFrom).Eq(self), j.Col(r.ThroughTo).In(keys))
}

// Link inserts many-to-many links from self to each of keys.
func Link(r *Relation, self any, keys []any) *goqu.InsertDataset {
	rows := make([]any, len(keys))
	for i, k := range keys {
		rows[i] = goqu.Record{r.ThroughFrom: self, r.ThroughTo: k}
	}
	return goqu.Insert(core.TableIdent(r.Through)).Rows(rows...)
}

// Release detaches from self the rows of a one-to-many that are no longer in
// its list (keep are the primary keys of those that are): their foreign key
// is set to NULL when it may be, and they are deleted otherwise.
func Release(r *Relation, self any, keep []any) exp.SQLExpression {
	t := core.TableIdent(r.To.Table)
	conds := []exp.Expression{t.Col(r.Column).Eq(self)}
	if len(keep) > 0 {
		conds = append(conds, t.Col(r.To.PK.Column).NotIn(keep))
	}
	if r.Reverse != nil && r.Reverse.Nullable {
		return goqu.Update(t).Set(goqu.Record{r.Column: nil}).Where(conds...)
	}
	return goqu.Delete(t).Where(conds...)
}
