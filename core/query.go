package core

import (
	"fmt"

	"github.com/doug-martin/goqu/v9"
)

// A query, as the statement methods take it, is one of:
//
//   - a goqu dataset (*goqu.SelectDataset, *goqu.InsertDataset,
//     *goqu.UpdateDataset, *goqu.DeleteDataset or *goqu.TruncateDataset),
//     rendered in the database's dialect and always in prepared mode, so every
//     value is a bound parameter;
//   - a raw SQL string whose values are :name parameters, given as one Params
//     (or map[string]any) argument;
//   - a Stmt: SQL already written for the database's dialect, with
//     positional placeholders and its arguments, sent as it is.
//
// FetchVal also takes a ColumnAt or ColumnNamed argument.

// Stmt is SQL written for one dialect, with its values as positional
// arguments in that dialect's placeholders ($1, $2 ... on PostgreSQL, ?
// elsewhere; see Dialect.Placeholder). It is sent as it is: no parsing, no
// cache.
type Stmt struct {
	SQL  string
	Args []any
}

// ColumnSelector picks the column FetchVal returns; see ColumnAt and ColumnNamed.
type ColumnSelector struct {
	name  string
	index int
}

// ColumnAt selects a column of the result by its 0-based position.
func ColumnAt(i int) ColumnSelector { return ColumnSelector{index: i} }

// ColumnNamed selects a column of the result by name (the first one of that name).
func ColumnNamed(name string) ColumnSelector { return ColumnSelector{name: name, index: -1} }

// statement is a query rendered for one dialect.
type statement struct {
	sql    string
	args   []any
	column ColumnSelector
	// primary: the statement writes or locks rows (a goqu insert, update,
	// delete or truncate, or a select with a lock clause), so it runs on
	// the primary whatever method sends it.
	primary bool
	replica int // the replica that ran it, for the hook; 0: the primary
}

// render turns a query and its arguments into SQL and bound values.
func render(d *Dialect, query any, args []any) (statement, error) {
	st := statement{}
	var params Params
	hasParams := false
	for _, a := range args {
		switch a := a.(type) {
		case Params:
			if hasParams {
				return st, fmt.Errorf("%w: more than one set of parameters", ErrBadQuery)
			}
			params, hasParams = a, true
		case map[string]any:
			if hasParams {
				return st, fmt.Errorf("%w: more than one set of parameters", ErrBadQuery)
			}
			params, hasParams = a, true
		case ColumnSelector:
			st.column = a
		default:
			return st, fmt.Errorf("%w: unexpected argument of type %T (raw SQL takes its values as core.Params with :name placeholders)", ErrBadQuery, a)
		}
	}
	var err error
	switch q := query.(type) {
	case string:
		var c *compiled
		if c, err = compileRaw(d, q); err != nil {
			return st, err
		}
		st.sql = c.sql
		st.args, err = c.bind(params)
		return st, err
	case Stmt:
		if hasParams {
			return st, fmt.Errorf("%w: core.Params are for raw SQL with :name parameters, not a Stmt", ErrBadQuery)
		}
		st.sql, st.args = q.SQL, q.Args
		return st, nil
	case *goqu.SelectDataset:
		st.primary = q.GetClauses().Lock() != nil
		st.sql, st.args, err = q.WithDialect(d.name).Prepared(true).ToSQL()
	case *goqu.InsertDataset:
		st.primary = true
		if err := checkDatasetIdents(d, q); err != nil {
			return st, err
		}
		st.sql, st.args, err = q.WithDialect(d.name).Prepared(true).ToSQL()
	case *goqu.UpdateDataset:
		st.primary = true
		if err := checkDatasetIdents(d, q); err != nil {
			return st, err
		}
		st.sql, st.args, err = q.WithDialect(d.name).Prepared(true).ToSQL()
	case *goqu.DeleteDataset:
		st.primary = true
		st.sql, st.args, err = q.WithDialect(d.name).Prepared(true).ToSQL()
	case *goqu.TruncateDataset:
		st.primary = true
		st.sql, st.args, err = q.WithDialect(d.name).Prepared(true).ToSQL()
	case nil:
		return st, fmt.Errorf("%w: nil query", ErrBadQuery)
	default:
		return st, fmt.Errorf("%w: unsupported query type %T (want a goqu dataset or a SQL string)", ErrBadQuery, query)
	}
	if err != nil {
		return st, fmt.Errorf("%w: %w", ErrBadQuery, err)
	}
	if hasParams {
		return st, fmt.Errorf("%w: core.Params are for raw SQL; a goqu dataset carries its own values", ErrBadQuery)
	}
	return st, nil
}
