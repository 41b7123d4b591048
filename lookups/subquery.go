package lookups

import (
	"fmt"

	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// Subquery is a query that can be embedded in another as a SELECT: an orm
// QuerySet (which selects its primary key) or what its Subquery method
// returns. It is accepted as the value of in, notin and the comparison
// lookups (exact, gt, ...) and by Exists, and is rendered in the dialect of
// the query it is embedded in.
type Subquery interface {
	// SubqueryFor returns the SELECT to embed in a query of dialect d, or
	// an error when it cannot be written there.
	SubqueryFor(d *core.Dialect) (*goqu.SelectDataset, error)
}

// subqueryFor returns v as a SELECT to embed in a query of dialect d, when
// v is a subquery: a Subquery, or a goqu dataset. A *goqu.SelectDataset is
// put in dialect d, so one built with goqu.From (goqu's default dialect,
// which quotes and numbers placeholders its own way) is written as the
// outer query is; the datasets nested inside it keep their own dialect, so
// build those with db.Dialect().Goqu() or use QuerySets.
func subqueryFor(d *core.Dialect, v any) (exp.AppendableExpression, bool, error) {
	if isNilValue(v) {
		return nil, false, nil
	}
	switch s := v.(type) {
	case Subquery:
		ds, err := s.SubqueryFor(d)
		if err == nil && ds == nil {
			err = fmt.Errorf("%T.SubqueryFor returned no query", s)
		}
		if err != nil {
			return nil, true, err
		}
		return ds, true, nil
	case *goqu.SelectDataset:
		return s.WithDialect(d.Name()), true, nil
	case exp.AppendableExpression:
		return s, true, nil
	}
	return nil, false, nil
}

// ExistsNode is the condition that its query returns at least one row
// (EXISTS (SELECT ...)). Query is a Subquery or a *goqu.SelectDataset. It
// has no meaning outside SQL: the mongo package rejects it.
type ExistsNode struct{ Query any }

func (*ExistsNode) isNode() {}

// String renders the node as EXISTS(Go type of the query).
func (n *ExistsNode) String() string { return fmt.Sprintf("EXISTS(%T)", n.Query) }

// Exists is the condition that q returns at least one row: an orm QuerySet
// (orm.Objects[Track](db).Filter(...)) or a goqu dataset, rendered in the
// dialect of the query it is a condition of. Give it to Filter, Exclude,
// And, Or and Not like a Q. To correlate it with the outer row, compare a
// field of q with a column of the outer table
// (Q{"album": orm.Table[Album]().Col("id")}).
func Exists(q any) Node { return &ExistsNode{Query: q} }

// NotExists is the condition that q returns no row: Not(Exists(q)).
func NotExists(q any) Node { return &NotNode{Child: Exists(q)} }

// ExistsExpr compiles an ExistsNode for dialect d.
func ExistsExpr(d *core.Dialect, n *ExistsNode) (exp.Expression, error) {
	if d == nil {
		return nil, &Error{Err: ErrBadValue, Detail: "Exists needs a dialect"}
	}
	sub, ok, err := subqueryFor(d, n.Query)
	if !ok {
		return nil, BadValue("Exists takes a query set or a goqu dataset, got %s", typeName(n.Query))
	}
	if err != nil {
		return nil, &Error{Err: ErrBadValue, Detail: "Exists", Cause: err}
	}
	return goqu.L("EXISTS ?", sub), nil
}
