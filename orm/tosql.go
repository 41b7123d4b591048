package orm

import (
	"context"
	"fmt"
	"strings"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/relations"
)

// mainQuery is the query All, Iterate and Get send for the objects
// themselves (the prefetch queries come after it), and the SelectRelated
// joins its rows carry.
func (qs *QuerySet[T]) mainQuery() (any, []*relations.Join, error) {
	if qs.err != nil {
		return nil, nil, qs.err
	}
	plan := relations.NewJoins(qs.info.rm)
	joins, err := qs.planJoins(plan)
	if err != nil {
		return nil, nil, err
	}
	ds, err := qs.selectRelated(plan, joins)
	if err != nil {
		return nil, nil, err
	}
	q, err := qs.statement(ds)
	return q, joins, err
}

// ToSQL returns the SELECT that All, Iterate, First and Get send for the
// objects, exactly as it goes to the database: SQL in the database's dialect,
// with its placeholders ($1 on PostgreSQL, ? elsewhere), and the values bound
// to them, which never appear in the SQL text. It runs nothing (Django's
// str(qs.query), GORM's DryRun). The queries of PrefetchRelated, one per
// relation, depend on the rows read and are not part of it; Get and First
// add their own LIMIT. A bad lookup recorded by a builder is returned here as
// it would be by a terminal.
func (qs *QuerySet[T]) ToSQL() (string, []any, error) {
	q, _, err := qs.mainQuery()
	if err != nil {
		return "", nil, err
	}
	st, err := qs.db.Dialect().Render(q)
	if err != nil {
		return "", nil, qs.wrap(err)
	}
	return st.SQL, st.Args, nil
}

// Explain runs the backend's EXPLAIN on the query ToSQL returns and returns
// its plan as text, one line per row of the backend's answer: PostgreSQL's
// EXPLAIN lines as they are, SQLite's EXPLAIN QUERY PLAN as an indented
// tree, and MySQL's EXPLAIN table as column=value pairs (NULL columns left
// out). The plan's wording is the backend's own and changes between
// versions: read it, do not parse it.
func (qs *QuerySet[T]) Explain(ctx context.Context) (string, error) {
	sqlText, args, err := qs.ToSQL()
	if err != nil {
		return "", err
	}
	d := qs.db.Dialect()
	rows, err := qs.db.FetchAll(ctx, core.Stmt{SQL: d.Caps().Explain + " " + sqlText, Args: args})
	if err != nil {
		return "", qs.wrap(err)
	}
	return formatPlan(rows), nil
}

// formatPlan writes the rows of an EXPLAIN as text. A one-column answer
// (PostgreSQL) is its lines; one with id, parent and detail columns
// (SQLite's query plan) is a tree indented by depth; any other is a line of
// column=value pairs per row.
func formatPlan(rows []*core.Row) string {
	var b strings.Builder
	depth := map[any]int{}
	for _, r := range rows {
		id, hasID := r.Lookup("id")
		parent, hasParent := r.Lookup("parent")
		detail, hasDetail := r.Lookup("detail")
		switch {
		case r.Len() == 1:
			fmt.Fprint(&b, r.At(0))
		case hasID && hasParent && hasDetail:
			n := 0
			if p, ok := depth[parent]; ok {
				n = p + 1
			}
			depth[id] = n
			fmt.Fprintf(&b, "%s%v", strings.Repeat("  ", n), detail)
		default:
			sep := ""
			for i, name := range r.Columns() {
				if v := r.At(i); v != nil {
					fmt.Fprintf(&b, "%s%s=%v", sep, name, v)
					sep = " "
				}
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}
