package orm

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/relations"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
	"github.com/shopspring/decimal"
)

// Values returns the named fields (every field when none is named) of each
// matching row as a map from field name to value, each value of the field's
// Go type.
func (qs *QuerySet[T]) Values(ctx context.Context, fields ...string) ([]map[string]any, error) {
	cols, rows, err := qs.valueRows(ctx, "Values", fields)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		m := make(map[string]any, len(cols))
		for j, c := range cols {
			m[c.name] = r[j]
		}
		out[i] = m
	}
	return out, nil
}

// ValuesList returns the named fields (every field when none is named) of
// each matching row, in the order named.
func (qs *QuerySet[T]) ValuesList(ctx context.Context, fields ...string) ([][]any, error) {
	_, rows, err := qs.valueRows(ctx, "ValuesList", fields)
	return rows, err
}

// ValuesListFlat returns one field of each matching row as a flat list
// (Django's values_list(field, flat=True)); naming more than one field is an
// error.
func (qs *QuerySet[T]) ValuesListFlat(ctx context.Context, fields ...string) ([]any, error) {
	if len(fields) != 1 {
		return nil, qs.errorf(ErrBadValue, "ValuesListFlat takes exactly one field, got %d (%s)", len(fields), strings.Join(fields, ", "))
	}
	_, rows, err := qs.valueRows(ctx, "ValuesListFlat", fields)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(rows))
	for i, r := range rows {
		out[i] = r[0]
	}
	return out, nil
}

// valueCol is one column of Values: a field, maybe through relations.
type valueCol struct {
	name   string
	f      *field
	col    exp.IdentifierExpression
	joined bool // reached through a LEFT JOIN: NULL when there is no related row
}

// valueColumns resolves the names of Values, adding to plan a join for
// each relation a name goes through ("tracks__title"): one row per related
// row, as in Django.
func (qs *QuerySet[T]) valueColumns(plan *relations.Joins, method string, names []string) ([]valueCol, error) {
	if len(names) == 0 {
		for _, f := range qs.info.fields {
			names = append(names, f.name)
		}
	}
	cols := make([]valueCol, len(names))
	for i, name := range names {
		p, err := qs.resolvePath(method, name)
		if err != nil {
			return nil, err
		}
		if p.Field == nil {
			return nil, qs.errorf(ErrBadValue, "%s(%q): %q is a list relation, not a field", method, name, p.Names[len(p.Names)-1])
		}
		steps := p.FieldSteps()
		alias, _ := plan.Table(plan.Add(steps))
		cols[i] = valueCol{name: name, f: p.Field.Ref.(*field), col: core.TableIdent(alias).Col(p.Field.Column), joined: len(steps) > 0}
	}
	return cols, nil
}

func (qs *QuerySet[T]) valueRows(ctx context.Context, method string, names []string) ([]valueCol, [][]any, error) {
	if qs.err != nil {
		return nil, nil, qs.err
	}
	plan := relations.NewJoins(qs.info.rm)
	cols, err := qs.valueColumns(plan, method, names)
	if err != nil {
		return nil, nil, err
	}
	ds, err := qs.base(plan)
	if err != nil {
		return nil, nil, err
	}
	sel := make([]any, len(cols))
	for i, c := range cols {
		sel[i] = c.col
	}
	rows, err := qs.db.Query(qs.routed(ctx), ds.Select(sel...))
	if err != nil {
		return nil, nil, qs.wrap(err)
	}
	defer rows.Close()
	sc := &scanCtx{d: qs.db.Dialect()}
	var out [][]any
	dest := make([]any, len(cols))
	for rows.Next() {
		scanners := make([]*nullScanner, len(cols))
		for i, c := range cols {
			f := c.f
			if f.rel != nil {
				f = f.rel.target.pk // a foreign key's value is the related key, as in Django
			}
			scanners[i] = &nullScanner{f: f, v: reflect.New(f.typ).Elem(), sc: sc}
			dest[i] = scanners[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, qs.wrap(err)
		}
		vals := make([]any, len(cols))
		for i, s := range scanners {
			// NULL through a join, or a NULL foreign key, is nil; other
			// fields keep their own zero (a nil pointer, an invalid sql.Null*).
			if !s.null || (!cols[i].joined && cols[i].f.rel == nil) {
				vals[i] = s.v.Interface()
			}
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, qs.wrap(err)
	}
	return cols, out, nil
}

// Aggregation is one aggregate for QuerySet.Aggregate; see Count, Sum, Avg,
// Min and Max.
type Aggregation struct {
	fn    string
	field string
	alias string
}

// As names the aggregate's result (default: field__fn, as in Django).
func (a Aggregation) As(alias string) Aggregation { a.alias = alias; return a }

// Count counts the rows where field is not NULL ("*" or "pk" counts rows).
func Count(field string) Aggregation { return Aggregation{fn: "count", field: field} }

// Sum adds up field.
func Sum(field string) Aggregation { return Aggregation{fn: "sum", field: field} }

// Avg averages field.
func Avg(field string) Aggregation { return Aggregation{fn: "avg", field: field} }

// Min is field's smallest value.
func Min(field string) Aggregation { return Aggregation{fn: "min", field: field} }

// Max is field's largest value.
func Max(field string) Aggregation { return Aggregation{fn: "max", field: field} }

// Aggregate computes aggregates over the matching rows, in one query, and
// returns them by alias. Results have the same Go types on every backend:
// Count is an int64; Sum is an int64 for integer fields, a decimal.Decimal
// for decimal fields and a float64 otherwise; Avg is a decimal.Decimal for
// decimal fields and a float64 otherwise; Min and Max have the field's type.
// Over no rows, everything but Count is nil.
func (qs *QuerySet[T]) Aggregate(ctx context.Context, aggs ...Aggregation) (map[string]any, error) {
	if qs.err != nil {
		return nil, qs.err
	}
	if len(aggs) == 0 {
		return nil, qs.errorf(ErrBadValue, "Aggregate with no aggregations")
	}
	c := qs.clone()
	c.order = nil
	ds, err := c.base(nil)
	if err != nil {
		return nil, err
	}
	from := core.TableIdent(qs.info.table)
	if qs.limit >= 0 || qs.offset > 0 || qs.distinct {
		// The sliced rows, as a derived table whose columns keep their names.
		from = goqu.T("atomdb_rows")
		ds = qs.db.Dialect().Goqu().From(ds.Select(qs.columns()...).As("atomdb_rows"))
	}
	exprs := make([]any, len(aggs))
	fields := make([]*field, len(aggs))
	for i, a := range aggs {
		var col exp.Expression = goqu.Star()
		if a.field != "*" {
			f := qs.info.field(a.field)
			if f == nil {
				return nil, qs.errorf(ErrBadValue, "Aggregate: unknown field %q", a.field)
			}
			fields[i] = f
			col = from.Col(f.column)
		}
		if a.fn != "count" && fields[i] == nil {
			return nil, qs.errorf(ErrBadValue, "Aggregate: %s needs a field, not *", a.fn)
		}
		switch a.fn {
		case "count":
			exprs[i] = goqu.COUNT(col)
		case "sum", "avg":
			exprs[i] = aggregateFunc(qs.db.Dialect(), a.fn, fields[i], col)
		case "min":
			exprs[i] = goqu.MIN(col)
		case "max":
			exprs[i] = goqu.MAX(col)
		}
	}
	row, err := qs.db.FetchOne(qs.routed(ctx), ds.Select(exprs...))
	if err != nil {
		return nil, qs.wrap(err)
	}
	out := make(map[string]any, len(aggs))
	for i, a := range aggs {
		alias := a.alias
		if alias == "" {
			alias = a.field + "__" + a.fn
		}
		v, err := qs.aggregateValue(a.fn, fields[i], row.At(i))
		if err != nil {
			return nil, err
		}
		out[alias] = v
	}
	return out, nil
}

// aggregateFunc is SUM or AVG of col; on SQLite, over a decimal field (a
// text column), core's exact DecimalSum or DecimalAvg, since SQLite's own
// would read the texts as float64.
func aggregateFunc(d *core.Dialect, fn string, f *field, col exp.Expression) exp.Expression {
	if d == core.SQLite && f.ctype.Kind == core.KindDecimal {
		if fn == "sum" {
			return goqu.Func(core.DecimalSum, col)
		}
		return goqu.Func(core.DecimalAvg, col)
	}
	if fn == "sum" {
		return goqu.SUM(col)
	}
	return goqu.AVG(col)
}

// aggregateValue gives an aggregate's raw result its documented Go type.
func (qs *QuerySet[T]) aggregateValue(fn string, f *field, v any) (any, error) {
	if v == nil || fn == "count" {
		if fn == "count" {
			return aggregateInt(v)
		}
		return nil, nil
	}
	isDecimal := f.baseType() == decimalType
	switch fn {
	case "sum", "avg":
		switch {
		case isDecimal:
			return decimal.NewFromString(fmt.Sprint(v))
		case fn == "sum" && isIntegerKind(f.ctype.Kind):
			return aggregateInt(v)
		}
		return aggregateFloat(v)
	}
	holder := reflect.New(f.typ).Elem()
	if err := f.set(holder, v, nil); err != nil {
		return nil, err
	}
	return holder.Interface(), nil
}

// aggregateInt reads an integer aggregate (COUNT, the SUM of integers) as
// the driver returns it: an int64, a float64 or decimal text (MySQL's SUM),
// its fraction dropped.
func aggregateInt(v any) (any, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case float64:
		return int64(x), nil
	case string:
		d, err := decimal.NewFromString(x)
		if err != nil {
			return nil, err
		}
		return d.IntPart(), nil
	}
	return nil, fmt.Errorf("%w: aggregate result %#v is not a number", ErrBadValue, v)
}

// aggregateFloat reads a float aggregate (AVG, the SUM of floats) as the
// driver returns it.
func aggregateFloat(v any) (any, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case int64:
		return float64(x), nil
	case string:
		d, err := decimal.NewFromString(x)
		if err != nil {
			return nil, err
		}
		f, _ := d.Float64()
		return f, nil
	}
	return nil, fmt.Errorf("%w: aggregate result %#v is not a number", ErrBadValue, v)
}
