package orm

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/relations"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// Lookups whose values are compared with the field itself: their values go
// through the field's own conversion (UTC microseconds for times, converters,
// range checks, objects to keys), so that a filter compares what a save
// would store.
var valueLookups = map[string]bool{
	"exact": true, "ne": true, "not": true, "gt": true, "gte": true, "lt": true, "lte": true,
	"in": true, "notin": true, "range": true,
}

// condCompiler compiles conditions on a model for one dialect. A lookup
// through a relation ("album__name", "tracks__title__startswith") becomes an
// uncorrelated IN subquery on the related table (see relations.Membership):
// a row matches at most once however many related rows match, so Count
// always agrees with All. Conditions on the same relation given together
// (in one Q or And) must hold for the same related row, as in Django.
type condCompiler struct {
	d   *core.Dialect
	reg *lookups.Registry
}

func (c condCompiler) compile(info *modelInfo, n lookups.Node) (exp.Expression, error) {
	n, err := resolveKeys(info, n, c.reg)
	if err != nil {
		return nil, err
	}
	return c.compileResolved(info, n)
}

// compileResolved compiles a tree whose leaves resolveKeys has settled.
func (c condCompiler) compileResolved(info *modelInfo, n lookups.Node) (exp.Expression, error) {
	n, err := c.rewrite(info, n)
	if err != nil {
		return nil, err
	}
	return lookups.CompileNode(n, func(l *lookups.Leaf) (lookups.Field, error) { return c.resolve(info, l) }, c.reg)
}

// resolve maps a leaf's path, which rewrite has left one field long, to a
// field of info.
func (c condCompiler) resolve(info *modelInfo, l *lookups.Leaf) (lookups.Field, error) {
	f := info.field(l.Path[0])
	if f == nil {
		return lookups.Field{}, lookups.UnknownField(info.name, l.Key, l.Path[0])
	}
	if len(l.Path) > 1 {
		// A plain field has no fields of its own: what follows it should
		// have been a lookup or a transform.
		return lookups.Field{}, lookups.UnknownLookup(info.name, l.Key, l.Path[1])
	}
	return lookups.Field{Model: info.name, Name: f.name, Column: core.TableIdent(info.table).Col(f.column),
		Dialect: c.d, Kind: f.ctype.Kind, Nullable: f.nullable}, nil
}

// rewrite replaces the lookups through relations by subqueries, and
// converts values for their fields; the query set's own tree is untouched.
func (c condCompiler) rewrite(info *modelInfo, n lookups.Node) (lookups.Node, error) {
	switch n := n.(type) {
	case *lookups.AndNode:
		var out []lookups.Node
		groups := map[*relation][]*lookups.Leaf{}
		var order []*relation
		for _, child := range n.Children {
			if leaf, ok := child.(*lookups.Leaf); ok {
				if rel := c.crossing(info, leaf); rel != nil {
					if groups[rel] == nil {
						order = append(order, rel)
					}
					groups[rel] = append(groups[rel], leaf)
					continue
				}
			}
			k, err := c.rewrite(info, child)
			if err != nil {
				return nil, err
			}
			out = append(out, k)
		}
		for _, rel := range order {
			e, err := c.membership(info, rel, groups[rel])
			if err != nil {
				return nil, err
			}
			out = append(out, &lookups.RawNode{Expr: e})
		}
		return &lookups.AndNode{Children: out}, nil
	case *lookups.OrNode:
		out := make([]lookups.Node, len(n.Children))
		for i, child := range n.Children {
			var err error
			if out[i], err = c.rewrite(info, child); err != nil {
				return nil, err
			}
		}
		return &lookups.OrNode{Children: out}, nil
	case *lookups.NotNode:
		child, err := c.rewrite(info, n.Child)
		return &lookups.NotNode{Child: child}, err
	case *lookups.ExistsNode:
		e, err := lookups.ExistsExpr(c.d, n)
		return &lookups.RawNode{Expr: e}, err
	case *lookups.Leaf:
		if rel := c.crossing(info, n); rel != nil {
			e, err := c.membership(info, rel, []*lookups.Leaf{n})
			return &lookups.RawNode{Expr: e}, err
		}
		if rel := info.relByKey[n.Path[0]]; rel != nil && rel.fk == nil && len(n.Path) == 1 {
			e, err := c.listLookup(info, rel, n)
			return &lookups.RawNode{Expr: e}, err
		}
		return c.convert(info, n)
	}
	return n, nil
}

// crossing returns the relation a leaf goes through, or nil when the leaf
// is about a field of info itself. A foreign key's own key ("album__id",
// "album__pk") is the foreign key column: no subquery.
func (c condCompiler) crossing(info *modelInfo, l *lookups.Leaf) *relation {
	if len(l.Path) < 2 {
		return nil
	}
	rel := info.relByKey[l.Path[0]]
	if rel == nil {
		return nil
	}
	if rel.fk != nil && len(l.Path) == 2 && rel.target.field(l.Path[1]) == rel.target.pk {
		return nil
	}
	return rel
}

// membership is the condition that some row related through rel satisfies
// all the leaves (their paths continuing in the related model).
func (c condCompiler) membership(info *modelInfo, rel *relation, leaves []*lookups.Leaf) (exp.Expression, error) {
	inner := &lookups.AndNode{}
	for _, l := range leaves {
		stripped := *l
		stripped.Path = l.Path[1:]
		inner.Children = append(inner.Children, &stripped)
	}
	cond, err := c.compileResolved(rel.target, inner)
	if err != nil {
		return nil, err
	}
	e := relations.Member(c.d, rel.meta, cond)
	if allNullTests(inner.Children) {
		// Django follows the relation with a LEFT OUTER JOIN, where a row
		// with no related row sees NULL in every related column: a test
		// that NULL passes ("author__name": nil, "author__name__isnull":
		// true) also holds for the rows that relate to nothing.
		e = goqu.Or(e, relations.NoRelated(c.d, rel.meta))
	}
	return e, nil
}

// allNullTests reports whether every leaf holds for a NULL: exact (or is)
// nil, isnull true. Such conditions on the far side of a relation also hold
// where there is no related row at all.
func allNullTests(leaves []lookups.Node) bool {
	for _, n := range leaves {
		l, ok := n.(*lookups.Leaf)
		if !ok || !nullTest(l) {
			return false
		}
	}
	return len(leaves) > 0
}

func nullTest(l *lookups.Leaf) bool {
	if len(l.Transforms) > 0 {
		return false
	}
	switch l.Lookup {
	case "exact", "is", "iexact":
		return l.Value == nil || isNilValue(l.Value)
	case "isnull":
		b, _ := l.Value.(bool)
		return b
	}
	return false
}

// listLookup compiles a lookup on a one-to-many or many-to-many relation
// itself: isnull (no related rows), or exact / in with related objects or keys.
func (c condCompiler) listLookup(info *modelInfo, rel *relation, l *lookups.Leaf) (exp.Expression, error) {
	bad := func(format string, args ...any) error {
		return &lookups.Error{Model: info.name, Key: l.Key, Name: l.Lookup, Err: lookups.ErrBadValue, Detail: fmt.Sprintf(format, args...)}
	}
	if len(l.Transforms) > 0 {
		return nil, lookups.UnknownLookup(info.name, l.Key, l.Transforms[0])
	}
	switch l.Lookup {
	case "isnull":
		none, ok := l.Value.(bool)
		if !ok {
			return nil, bad("isnull takes a bool, got %T", l.Value)
		}
		some := relations.Member(c.d, rel.meta)
		if none {
			return goqu.Func("NOT", some), nil
		}
		return some, nil
	case "exact", "in":
		values := []any{l.Value}
		if l.Lookup == "in" {
			rv := reflect.ValueOf(l.Value)
			if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
				return nil, bad("in takes a slice, got %T", l.Value)
			}
			values = values[:0]
			for i := range rv.Len() {
				values = append(values, rv.Index(i).Interface())
			}
		}
		keys := make([]any, len(values))
		for i, v := range values {
			k, err := objectKey(rel.target, v, c.d)
			if err != nil {
				return nil, bad("%v", err)
			}
			keys[i] = k
		}
		pk := core.TableIdent(rel.target.table).Col(rel.target.pk.column)
		if len(keys) == 0 {
			return goqu.L("1 = 0"), nil
		}
		return relations.Member(c.d, rel.meta, pk.In(keys)), nil
	}
	return nil, lookups.UnknownLookup(info.name, l.Key, l.Lookup)
}

// objectKey returns the key to bind for v: an object of model target (or a
// pointer to one), or a key value.
func objectKey(target *modelInfo, v any, d *core.Dialect) (any, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && rv.Type().Elem() == target.typ {
		if rv.IsNil() {
			return nil, fmt.Errorf("a nil %s", target.name)
		}
		rv = rv.Elem()
	}
	if rv.IsValid() && rv.Type() == target.typ {
		key := rv.FieldByIndex(target.pk.index)
		if key.IsZero() {
			return nil, fmt.Errorf("the %s has no primary key: save it first", target.name)
		}
		return target.pk.toDB(key, d)
	}
	holder := reflect.New(target.pk.typ).Elem()
	if err := target.pk.assign(holder, v); err != nil {
		return nil, err
	}
	return target.pk.toDB(holder, d)
}

// convert returns the leaf with its value converted for its field.
func (c condCompiler) convert(info *modelInfo, l *lookups.Leaf) (lookups.Node, error) {
	if err := c.reg.CheckValue(l.Lookup, l.Value); err != nil {
		var e *lookups.Error
		if errors.As(err, &e) {
			cp := *e
			cp.Model, cp.Key = info.name, l.Key
			return nil, &cp
		}
		return nil, err
	}
	path := l.Path
	if rel := info.relByKey[path[0]]; rel != nil && rel.fk != nil && len(path) == 2 {
		path = path[:1] // album__id: the foreign key column itself
	}
	if len(path) != 1 || len(l.Transforms) > 0 || !valueLookups[l.Lookup] || l.Value == nil {
		if len(path) == len(l.Path) {
			return l, nil
		}
		cp := *l
		cp.Path = path
		return &cp, nil
	}
	f := info.field(path[0])
	if f == nil {
		return l, nil // CompileNode reports it
	}
	one := func(v any) (any, error) {
		if v == nil {
			return nil, nil
		}
		if f.rel != nil {
			return objectKey(f.rel.target, v, c.d)
		}
		v, err := lookupValue(f, v)
		if err != nil {
			return nil, &lookups.Error{Model: info.name, Key: l.Key, Name: f.name, Err: lookups.ErrBadValue, Detail: err.Error()}
		}
		holder := reflect.New(f.typ).Elem()
		if err := f.assign(holder, v); err != nil {
			return nil, err
		}
		return f.toDB(holder, c.d)
	}
	var value any
	var err error
	if isQuery(l.Value) {
		value = l.Value
	} else if l.Lookup != "in" && l.Lookup != "notin" && l.Lookup != "range" {
		value, err = one(l.Value)
	} else if rv := reflect.ValueOf(l.Value); rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		list := make([]any, rv.Len())
		for i := range list {
			if list[i], err = one(rv.Index(i).Interface()); err != nil {
				break
			}
		}
		value = list
	} else {
		value = l.Value // lookups reports the bad value
	}
	if err != nil {
		var le *lookups.Error
		if errors.As(err, &le) {
			return nil, le
		}
		return nil, &lookups.Error{Model: info.name, Key: l.Key, Name: f.name, Err: lookups.ErrBadValue, Cause: causeOf(err)}
	}
	cp := *l
	cp.Path, cp.Value = path, value
	return &cp, nil
}
