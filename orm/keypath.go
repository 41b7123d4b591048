package orm

import (
	"reflect"
	"strings"

	"github.com/atomdb/atomdb/lookups"
)

// resolveKeys settles what each leaf's key means for the model, which
// lookups.Parse cannot know: after a relation, a part is a field (or
// relation) of the related model when that model has one by that name, and
// a transform or lookup only otherwise. So with Season having fields year and
// gt, "season__gt" is Season.gt = value (not season_id > value),
// "season__year__gt" is Season.year > value, and "season__gt__in" is
// Season.gt IN (...). On the model itself the first part is always a field.
// After a plain field, every part but the last must be a transform, and the
// last a lookup or a transform.
//
// Leaves whose Key does not spell their Path, Transforms and Lookup (built by
// hand rather than by Parse) are left as they are.
func resolveKeys(info *modelInfo, n lookups.Node) (lookups.Node, error) {
	switch n := n.(type) {
	case *lookups.Leaf:
		return resolveKey(info, n)
	case *lookups.AndNode:
		out := make([]lookups.Node, len(n.Children))
		for i, ch := range n.Children {
			var err error
			if out[i], err = resolveKeys(info, ch); err != nil {
				return nil, err
			}
		}
		return &lookups.AndNode{Children: out}, nil
	case *lookups.OrNode:
		out := make([]lookups.Node, len(n.Children))
		for i, ch := range n.Children {
			var err error
			if out[i], err = resolveKeys(info, ch); err != nil {
				return nil, err
			}
		}
		return &lookups.OrNode{Children: out}, nil
	case *lookups.NotNode:
		if n.Child == nil {
			return n, nil
		}
		ch, err := resolveKeys(info, n.Child)
		if err != nil {
			return nil, err
		}
		return &lookups.NotNode{Child: ch}, nil
	}
	return n, nil
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

// hasName reports whether the model has a field or relation called name.
func (info *modelInfo) hasName(name string) bool {
	return info.field(name) != nil || info.relByKey[name] != nil
}

func resolveKey(info *modelInfo, l *lookups.Leaf) (lookups.Node, error) {
	parts := keyParts(l)
	if parts == nil {
		return l, nil
	}
	reg := lookups.DefaultRegistry
	m := info
	path := []string{parts[0]}
	i := 1
	for i < len(parts) {
		rel := m.relByKey[path[len(path)-1]]
		if rel == nil || rel.target == nil {
			break
		}
		m = rel.target
		p := parts[i]
		if !m.hasName(p) && (reg.IsLookup(p) || reg.IsTransform(p)) {
			break
		}
		// A field of the related model, or a name it does not have
		// (reported by the resolver as an unknown field of that model).
		path = append(path, p)
		i++
	}
	rest := parts[i:]
	lookup := "exact"
	var transforms []string
	for j, p := range rest {
		last := j == len(rest)-1
		switch {
		case reg.IsTransform(p):
			transforms = append(transforms, p)
		case reg.IsLookup(p) && last:
			lookup = p
		case reg.IsLookup(p):
			err := lookups.UnknownLookup(info.name, l.Key, p).(*lookups.Error)
			err.Detail = "a lookup must be the last part of the key"
			return nil, err
		default:
			return nil, lookups.UnknownLookup(info.name, l.Key, p)
		}
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
