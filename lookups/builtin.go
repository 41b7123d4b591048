package lookups

import (
	"strings"

	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// builtinLookups returns Django's lookups and atom-db's extra names.
func builtinLookups() map[string]lookup {
	m := map[string]lookup{
		"exact":  {fn: exact, check: single("exact", true)},
		"iexact": {fn: iexact, check: stringOrNil("iexact")},
		"ne":     {fn: notEqual, check: single("ne", true)},
		"not":    {fn: notEqual, check: single("not", true)},
		"gt":     {fn: compare(exp.GtOp), check: single("gt", false)},
		"gte":    {fn: compare(exp.GteOp), check: single("gte", false)},
		"lt":     {fn: compare(exp.LtOp), check: single("lt", false)},
		"lte":    {fn: compare(exp.LteOp), check: single("lte", false)},
		"in":     {fn: in, check: list("in")},
		"notin":  {fn: notIn, check: list("notin")},
		"range":  {fn: between, check: pair("range")},
		"isnull": {fn: isNull, check: boolean("isnull")},
		"is":     {fn: is(false), check: nilOrBool("is")},
		"isnot":  {fn: is(true), check: nilOrBool("isnot")},
		"like":   {fn: like(false), check: str("like")},
		"ilike":  {fn: like(true), check: str("ilike")},
		"regex":  {fn: regex(false), check: str("regex")},
		"iregex": {fn: regex(true), check: str("iregex")},
	}
	for _, p := range []struct {
		name          string
		before, after bool // % before and after the value
		fold          bool
	}{
		{"contains", true, true, false}, {"icontains", true, true, true},
		{"startswith", false, true, false}, {"istartswith", false, true, true},
		{"endswith", true, false, false}, {"iendswith", true, false, true},
	} {
		m[p.name] = lookup{fn: affix(p.before, p.after, p.fold), check: str(p.name)}
	}
	return m
}

// The value checks, which Parse runs too.

// single accepts one value, not a list (goqu would render a slice as a
// parenthesised list); nil only where the lookup gives it a meaning.
func single(name string, nilOK bool) func(any) error {
	return func(v any) error {
		if isNilValue(v) {
			if nilOK {
				return nil
			}
			return BadValue("%s cannot compare with nil (use isnull)", name)
		}
		if _, ok := asList(v); ok {
			return BadValue("%s takes a single value, got %s (use in for a list)", name, typeName(v))
		}
		return nil
	}
}

func str(name string) func(any) error {
	return func(v any) error {
		if _, ok := asString(v); !ok {
			return BadValue("%s takes a string, got %s", name, typeName(v))
		}
		return nil
	}
}

func stringOrNil(name string) func(any) error {
	return func(v any) error {
		if _, ok := asString(v); !ok && !isNilValue(v) {
			return BadValue("%s takes a string or nil, got %s", name, typeName(v))
		}
		return nil
	}
}

func boolean(name string) func(any) error {
	return func(v any) error {
		if _, ok := v.(bool); !ok {
			return BadValue("%s takes a bool, got %s", name, typeName(v))
		}
		return nil
	}
}

func nilOrBool(name string) func(any) error {
	return func(v any) error {
		if _, ok := v.(bool); !ok && v != nil {
			return BadValue("%s takes nil, true or false, got %s", name, typeName(v))
		}
		return nil
	}
}

func list(name string) func(any) error {
	return func(v any) error {
		if _, ok := asList(v); !ok && !isSubquery(v) {
			return BadValue("%s takes a slice or a subquery, got %s", name, typeName(v))
		}
		return nil
	}
}

func pair(name string) func(any) error {
	return func(v any) error {
		l, ok := asList(v)
		if !ok || len(l) != 2 {
			if ok {
				return BadValue("%s takes exactly 2 values, got %d", name, len(l))
			}
			return BadValue("%s takes a slice of 2 values, got %s", name, typeName(v))
		}
		if isNilValue(l[0]) || isNilValue(l[1]) {
			return BadValue("%s cannot take nil bounds", name)
		}
		return nil
	}
}

// The lookups.

func exact(op Operand, v any) (exp.Expression, error) {
	if isNilValue(v) {
		return goqu.L("(? IS NULL)", op.Expr), nil
	}
	return compare(exp.EqOp)(op, v)
}

func notEqual(op Operand, v any) (exp.Expression, error) {
	if isNilValue(v) {
		return goqu.L("(? IS NOT NULL)", op.Expr), nil
	}
	return compare(exp.NeqOp)(op, v)
}

// compare is "op <operator> value". A goqu expression on the right (another
// column, a subquery) is used as it is; any other value is bound.
func compare(operator exp.BooleanOperation) LookupFunc {
	return func(op Operand, v any) (exp.Expression, error) {
		if sub, ok, err := subqueryFor(op.Dialect(), v); ok {
			if err != nil {
				return nil, err
			}
			v = sub
			if op.Dialect().Caps().ScalarSubqueryFirstRow {
				v = singleRow(v)
			}
		} else if _, ok := v.(exp.Expression); !ok {
			var err error
			if v, err = op.Bind(v); err != nil {
				return nil, err
			}
		}
		// Built directly rather than with op.Expr.Eq: goqu turns Eq(true)
		// into IS TRUE, which is not the same under NOT for NULLs.
		return exp.NewBooleanExpression(operator, op.Expr, v), nil
	}
}

// singleRow wraps a subquery compared as one value so that SQLite, which
// would silently take its first row, fails when it returns more than one,
// as PostgreSQL and MySQL do: core's atomdb_single_row(n) raises an error
// for n > 1 and is NULL otherwise, so COALESCE goes on to the subquery.
// (An uncorrelated subquery is run once per statement, not per row.)
func singleRow(sub any) exp.Expression {
	return goqu.L("COALESCE(atomdb_single_row((SELECT COUNT(*) FROM (SELECT 1 FROM ? LIMIT 2))), ?)", sub, sub)
}

func iexact(op Operand, v any) (exp.Expression, error) {
	if isNilValue(v) {
		return goqu.L("(? IS NULL)", op.Expr), nil
	}
	s, _ := asString(v)
	if !op.Dialect().Caps().TextHoldsNUL && strings.IndexByte(s, 0) >= 0 {
		return alwaysFalse, nil // text cannot hold a NUL
	}
	return goqu.L("(LOWER(?) = LOWER(?))", textOperand(op), s), nil
}

// values binds the elements of an in or notin list, dropping nils (a
// comparison with NULL is never true); it reports whether it dropped one.
func values(op Operand, l []any) ([]any, bool, error) {
	out := make([]any, 0, len(l))
	hadNil := false
	for _, v := range l {
		if isNilValue(v) {
			hadNil = true
			continue
		}
		if _, ok := v.(exp.Expression); !ok {
			var err error
			if v, err = op.Bind(v); err != nil {
				return nil, false, err
			}
		}
		out = append(out, v)
	}
	return out, hadNil, nil
}

// in is "op IN (values...)". An empty list matches no row (a constant
// false, not the invalid "IN ()"); nils in the list are dropped, as Django
// does. A subquery is used as it is.
func in(op Operand, v any) (exp.Expression, error) {
	if sub, ok, err := subqueryFor(op.Dialect(), v); ok || err != nil {
		if err != nil {
			return nil, err
		}
		// Built directly: op.Expr.In(v) would wrap the subquery in a second
		// pair of parentheses, making it a scalar subquery.
		return exp.NewBooleanExpression(exp.InOp, op.Expr, sub), nil
	}
	l, _ := asList(v)
	vals, _, err := values(op, l)
	if err != nil {
		return nil, err
	}
	if len(vals) == 0 {
		return alwaysFalse, nil
	}
	return op.Expr.In(vals), nil
}

// notIn is "op NOT IN (values...)": an empty list matches every row; a nil
// in the list also excludes the rows where op is NULL (instead of making
// NOT IN match nothing at all).
func notIn(op Operand, v any) (exp.Expression, error) {
	if sub, ok, err := subqueryFor(op.Dialect(), v); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return exp.NewBooleanExpression(exp.NotInOp, op.Expr, sub), nil
	}
	l, _ := asList(v)
	vals, hadNil, err := values(op, l)
	if err != nil {
		return nil, err
	}
	notNull := goqu.L("(? IS NOT NULL)", op.Expr)
	switch {
	case len(vals) == 0 && hadNil:
		return notNull, nil
	case len(vals) == 0:
		return alwaysTrue, nil
	case hadNil:
		return goqu.And(op.Expr.NotIn(vals), notNull), nil
	}
	return op.Expr.NotIn(vals), nil
}

// between is "op BETWEEN low AND high", both bounds included.
func between(op Operand, v any) (exp.Expression, error) {
	l, _ := asList(v)
	bounds := make([]any, 2)
	for i, b := range l {
		if _, ok := b.(exp.Expression); !ok {
			var err error
			if b, err = op.Bind(b); err != nil {
				return nil, err
			}
		}
		bounds[i] = b
	}
	return op.Expr.Between(exp.NewRangeVal(bounds[0], bounds[1])), nil
}

func isNull(op Operand, v any) (exp.Expression, error) {
	if v.(bool) {
		return goqu.L("(? IS NULL)", op.Expr), nil
	}
	return goqu.L("(? IS NOT NULL)", op.Expr), nil
}

// is is SQL's IS (or IS NOT) with NULL, TRUE or FALSE, written out: every
// dialect accepts the keywords, while goqu would bind them on SQLite.
func is(negate bool) LookupFunc {
	return func(op Operand, v any) (exp.Expression, error) {
		word := "NULL"
		if b, ok := v.(bool); ok {
			word = "FALSE"
			if b {
				word = "TRUE"
			}
		}
		if negate {
			return goqu.L("(? IS NOT "+word+")", op.Expr), nil
		}
		return goqu.L("(? IS "+word+")", op.Expr), nil
	}
}

// affix matches the value as a literal substring, prefix or suffix: its %,
// _ and backslash are escaped.
func affix(before, after, fold bool) LookupFunc {
	return func(op Operand, v any) (exp.Expression, error) {
		s, _ := asString(v)
		return affixMatch(op, s, before, after, fold), nil
	}
}

// like takes the value as a LIKE pattern as it is: % and _ are wildcards
// and a backslash escapes the next character.
func like(fold bool) LookupFunc {
	return func(op Operand, v any) (exp.Expression, error) {
		s, _ := asString(v)
		if op.Dialect().Caps().LikeStopsAtNUL && strings.IndexByte(s, 0) >= 0 {
			return nil, BadValue("a LIKE pattern cannot hold a NUL byte on SQLite (its LIKE stops at the NUL): use contains, startswith or endswith")
		}
		return likeMatch(op, s, fold), nil
	}
}

func regex(fold bool) LookupFunc {
	return func(op Operand, v any) (exp.Expression, error) {
		s, _ := asString(v)
		return regexMatch(op, s, fold), nil
	}
}
