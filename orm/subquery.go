package orm

import (
	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// A QuerySet is a subquery wherever lookups takes one: the value of an in,
// notin or comparison lookup, and the query of lookups.Exists. It selects
// its primary key there (Django's author__in=Author.objects.filter(...));
// Subquery selects another field.
var _ lookups.Subquery = (*QuerySet[struct{}])(nil)

// SubqueryFor implements lookups.Subquery: the query selecting the primary
// keys of the matching rows, for a query of dialect d. Users pass the
// QuerySet itself:
//
//	Filter(lookups.Q{"author__in": orm.Objects[Author](db).Filter(lookups.Q{"name__startswith": "A"})})
func (qs *QuerySet[T]) SubqueryFor(d *core.Dialect) (*goqu.SelectDataset, error) {
	return qs.subquery(d, "pk")
}

// Subquery returns the query as a subquery selecting one field of the
// matching rows (a field of T; "pk" for the primary key), to give to an in,
// notin or comparison lookup or to lookups.Exists, like Django's
// values("field") in a filter:
//
//	Filter(lookups.Q{"title__in": orm.Objects[Draft](db).Filter(q).Subquery("title")})
//
// The query's Filter, Exclude, Distinct, Limit and Offset apply (its
// ordering only with a limit); SelectRelated and PrefetchRelated do not. It
// is rendered when the outer query is, in that query's dialect, which must
// be the dialect of the query set's database. A bad field name is the error
// of the outer query's terminal.
func (qs *QuerySet[T]) Subquery(field string) lookups.Subquery {
	return subqueryFunc(func(d *core.Dialect) (*goqu.SelectDataset, error) { return qs.subquery(d, field) })
}

type subqueryFunc func(d *core.Dialect) (*goqu.SelectDataset, error)

func (f subqueryFunc) SubqueryFor(d *core.Dialect) (*goqu.SelectDataset, error) { return f(d) }

func (qs *QuerySet[T]) subquery(d *core.Dialect, name string) (*goqu.SelectDataset, error) {
	if qs.err != nil {
		return nil, qs.err
	}
	if d != qs.db.Dialect() {
		return nil, qs.errorf(ErrBadValue, "a query set of a %s database cannot be a subquery in a %s query", qs.db.Dialect(), d)
	}
	f := qs.info.field(name)
	if f == nil {
		return nil, qs.errorf(ErrBadValue, "Subquery: unknown field %q", name)
	}
	c := qs.clone()
	limited := c.limit >= 0 || c.offset > 0
	if !limited {
		c.order = nil
	}
	ds, err := c.base(nil)
	if err != nil {
		return nil, err
	}
	col := core.TableIdent(qs.info.table).Col(f.column)
	if !limited {
		return ds.Select(col), nil
	}
	// MySQL and MariaDB refuse LIMIT in an IN subquery, but not in a
	// derived table: select the column from the limited query.
	return d.Goqu().From(ds.Select(col.As("atomdb_sub")).As("atomdb_sub")).Select(goqu.C("atomdb_sub")), nil
}

// isQuery reports whether a lookup's value is a query or expression that
// the lookup embeds as it is rather than a value to convert for its field.
func isQuery(v any) bool {
	switch v.(type) {
	case exp.Expression, lookups.Subquery:
		return true
	}
	return false
}
