package orm

import (
	"reflect"

	"github.com/atomdb/atomdb/lookups"
)

// Lookups whose values are compared with the field itself: their values go
// through the field's own conversion (UTC microseconds for times, converters,
// range checks), so that a filter compares what a save would store.
var valueLookups = map[string]bool{
	"exact": true, "ne": true, "not": true, "gt": true, "gte": true, "lt": true, "lte": true,
	"in": true, "notin": true, "range": true,
}

// convertValues returns n with the values of its leaves converted for
// their fields; the query set's own tree is left untouched.
func (qs *QuerySet[T]) convertValues(n lookups.Node) (lookups.Node, error) {
	switch n := n.(type) {
	case *lookups.AndNode:
		kids, err := qs.convertAll(n.Children)
		return &lookups.AndNode{Children: kids}, err
	case *lookups.OrNode:
		kids, err := qs.convertAll(n.Children)
		return &lookups.OrNode{Children: kids}, err
	case *lookups.NotNode:
		kid, err := qs.convertValues(n.Child)
		return &lookups.NotNode{Child: kid}, err
	case *lookups.Leaf:
		if len(n.Path) != 1 || len(n.Transforms) > 0 || !valueLookups[n.Lookup] || n.Value == nil {
			return n, nil
		}
		f := qs.info.field(n.Path[0])
		if f == nil {
			return n, nil // CompileNode reports it
		}
		v, err := qs.convertValue(f, n)
		if err != nil {
			return nil, err
		}
		c := *n
		c.Value = v
		return &c, nil
	}
	return n, nil
}

func (qs *QuerySet[T]) convertAll(nodes []lookups.Node) ([]lookups.Node, error) {
	out := make([]lookups.Node, len(nodes))
	for i, k := range nodes {
		var err error
		if out[i], err = qs.convertValues(k); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (qs *QuerySet[T]) convertValue(f *field, l *lookups.Leaf) (any, error) {
	one := func(v any) (any, error) {
		if v == nil {
			return nil, nil
		}
		holder := reflect.New(f.typ).Elem()
		if err := f.assign(holder, v); err != nil {
			return nil, &lookups.Error{Model: qs.info.name, Key: l.Key, Name: f.name, Err: lookups.ErrBadValue, Cause: err}
		}
		return f.toDB(holder, qs.db.Dialect())
	}
	if l.Lookup != "in" && l.Lookup != "notin" && l.Lookup != "range" {
		return one(l.Value)
	}
	rv := reflect.ValueOf(l.Value)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return l.Value, nil // lookups reports the bad value
	}
	out := make([]any, rv.Len())
	for i := range out {
		var err error
		if out[i], err = one(rv.Index(i).Interface()); err != nil {
			return nil, err
		}
	}
	return out, nil
}
