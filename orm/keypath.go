package orm

import (
	"reflect"
	"strings"

	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/relations"
)

// resolveKeys settles what each leaf's key means for the model, which
// lookups.Parse cannot know, by the relation layer's one path resolver (see
// relations.Resolve): after a relation, a part is a field of the related
// model when it has one by that name, and a transform or lookup only
// otherwise. reg is the registry of the query's lookups.
//
// Leaves whose Key does not spell their Path, Transforms and Lookup (built by
// hand rather than by Parse) are left as they are.
func resolveKeys(info *modelInfo, n lookups.Node, reg *lookups.Registry) (lookups.Node, error) {
	switch n := n.(type) {
	case *lookups.Leaf:
		return resolveKey(info, n, reg)
	case *lookups.AndNode:
		out, err := resolveAll(info, n.Children, reg)
		return &lookups.AndNode{Children: out}, err
	case *lookups.OrNode:
		out, err := resolveAll(info, n.Children, reg)
		return &lookups.OrNode{Children: out}, err
	case *lookups.NotNode:
		if n.Child == nil {
			return n, nil
		}
		ch, err := resolveKeys(info, n.Child, reg)
		if err != nil {
			return nil, err
		}
		return &lookups.NotNode{Child: ch}, nil
	}
	return n, nil
}

func resolveAll(info *modelInfo, nodes []lookups.Node, reg *lookups.Registry) ([]lookups.Node, error) {
	out := make([]lookups.Node, len(nodes))
	for i, ch := range nodes {
		var err error
		if out[i], err = resolveKeys(info, ch, reg); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// keyParts returns the parts of l.Key when they are what l says (Path, then
// Transforms, then Lookup unless the key leaves out "exact"), or nil.
func keyParts(l *lookups.Leaf) []string {
	if l.Key == "" || len(l.Path) == 0 {
		return nil
	}
	parts := strings.Split(l.Key, "__")
	n := len(l.Path) + len(l.Transforms)
	switch {
	case len(parts) == n && l.Lookup == "exact":
	case len(parts) == n+1 && parts[n] == l.Lookup:
	default:
		return nil
	}
	for i, p := range l.Path {
		if parts[i] != p {
			return nil
		}
	}
	for i, t := range l.Transforms {
		if parts[len(l.Path)+i] != t {
			return nil
		}
	}
	return parts
}

func resolveKey(info *modelInfo, l *lookups.Leaf, reg *lookups.Registry) (lookups.Node, error) {
	parts := keyParts(l)
	if parts == nil {
		return l, nil
	}
	p, err := relations.Resolve(info.rm, strings.Join(parts, "__"), reg)
	if err != nil {
		return nil, err
	}
	path, lookup := p.Names, "exact"
	transforms := p.Ops
	if n := len(p.Ops); n > 0 && !reg.IsTransform(p.Ops[n-1]) {
		transforms, lookup = p.Ops[:n-1], p.Ops[n-1]
	}
	if len(transforms) == 0 {
		transforms = nil
	}
	if equalParts(path, l.Path) && equalParts(transforms, l.Transforms) && lookup == l.Lookup {
		return l, nil
	}
	cp := *l
	cp.Path, cp.Transforms, cp.Lookup = path, transforms, lookup
	return &cp, nil
}

func equalParts(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// isNilValue reports whether v is nil or a nil pointer, map, slice or
// interface.
func isNilValue(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		return rv.IsNil()
	}
	return false
}
