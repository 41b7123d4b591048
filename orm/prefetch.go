package orm

import (
	"context"
	"reflect"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/relations"
)

// PrefetchRelated loads relations of the objects a query returns with one
// extra query per level of each path, however many objects there are:
// PrefetchRelated("tracks", "tracks__album", "tags"). Any kind of relation
// works: a foreign key fills its stub, a one-to-many or many-to-many list is
// set to the related objects in primary-key order (an empty list when there
// are none) and becomes a loaded list, which Save syncs; a list with unsaved
// changes keeps them (objects appended to a list that was not loaded are
// added to the ones read). A child's foreign key is the very parent object
// (track.Album == album). On PostgreSQL the keys travel as one array
// parameter; elsewhere in IN lists cut under the dialect's parameter limit.
func (qs *QuerySet[T]) PrefetchRelated(paths ...string) *QuerySet[T] {
	c := qs.clone()
	c.prefetch = append(append([]string(nil), qs.prefetch...), paths...)
	return c
}

// LoadRelated loads relations of one object on demand, as PrefetchRelated
// does for the objects of a query: LoadRelated(ctx, album, "tracks",
// "tracks__genres") runs one query per level.
func (m *Manager[T]) LoadRelated(ctx context.Context, obj *T, paths ...string) error {
	if _, err := m.check(obj, "LoadRelated"); err != nil {
		return err
	}
	nodes, err := m.PrefetchRelated(paths...).planPrefetch()
	if err != nil {
		return err
	}
	return m.wrap(prefetchAll(ctx, m.db, m.scanCtx(ctx), []reflect.Value{reflect.ValueOf(obj)}, nodes))
}

// prefetchNode is one relation to load, with the relations to load from it.
type prefetchNode struct {
	rel      *relation
	children []*prefetchNode
}

// planPrefetch turns the paths into a tree, each relation once.
func (qs *QuerySet[T]) planPrefetch() ([]*prefetchNode, error) {
	var roots []*prefetchNode
	for _, path := range qs.prefetch {
		p, err := qs.resolvePath("PrefetchRelated", path)
		if err != nil {
			return nil, err
		}
		if !p.EndsAtRelation() {
			return nil, qs.errorf(ErrBadValue, "PrefetchRelated(%q): %q is not a relation of %s", path, p.Names[len(p.Names)-1], p.Last(qs.info.rm).Name)
		}
		level := &roots
		for _, step := range p.Steps {
			rel := step.Ref.(*relation)
			var node *prefetchNode
			for _, n := range *level {
				if n.rel == rel {
					node = n
				}
			}
			if node == nil {
				node = &prefetchNode{rel: rel}
				*level = append(*level, node)
			}
			level = &node.children
		}
	}
	return roots, nil
}

// prefetchAll loads the planned relations of objs (pointers to objects).
func prefetchAll(ctx context.Context, db *core.Database, sc *scanCtx, objs []reflect.Value, nodes []*prefetchNode) error {
	for _, n := range nodes {
		children, err := prefetchLevel(ctx, db, sc, objs, n.rel)
		if err != nil {
			return err
		}
		if len(n.children) > 0 && len(children) > 0 {
			if err := prefetchAll(ctx, db, sc, children, n.children); err != nil {
				return err
			}
		}
	}
	return nil
}

// prefetchLevel loads one relation of objs and returns the related objects.
func prefetchLevel(ctx context.Context, db *core.Database, sc *scanCtx, objs []reflect.Value, rel *relation) ([]reflect.Value, error) {
	target := rel.target
	d := db.Dialect()
	var keys []any
	keyOf := func(obj reflect.Value, f *field) any {
		k, _ := f.toDB(obj.Elem().FieldByIndex(f.index), d)
		return k
	}
	switch rel.kind {
	case relations.ManyToOne, relations.OneToOne:
		for _, o := range objs {
			if ref := o.Elem().FieldByIndex(rel.fk.index); !ref.IsNil() {
				keys = append(keys, keyOf(ref, target.pk))
			}
		}
	default:
		for _, o := range objs {
			keys = append(keys, keyOf(o, rel.model.pk))
		}
	}
	tm := sc.scope.of(target)
	cols := make([]string, len(target.fields))
	for i, f := range target.fields {
		cols[i] = f.column
	}
	keyKind := target.pk.ctype.Kind
	if rel.kind.ToMany() {
		keyKind = rel.model.pk.ctype.Kind
	}
	// For the lists: the related objects of each parent key, in order.
	groups := map[ident][]reflect.Value{}
	var children []reflect.Value
	var seen map[uintptr]bool // a many-to-many child can come once per parent
	if rel.kind == relations.ManyToMany {
		seen = map[uintptr]bool{}
	}
	for _, q := range relations.PrefetchQueries(d, rel.meta, cols, keys, keyKind) {
		rows, err := db.Query(ctx, q)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var extra []any
			var local reflect.Value
			if rel.kind == relations.ManyToMany {
				local = reflect.New(rel.model.pk.typ).Elem()
				extra = append(extra, rel.model.pk.target(local, sc))
			}
			child, err := target.scanRow(rows, sc, tm, extra...)
			if err != nil {
				rows.Close()
				return nil, err
			}
			if seen == nil || !seen[child.Pointer()] {
				if seen != nil {
					seen[child.Pointer()] = true
				}
				children = append(children, child)
			}
			switch rel.kind {
			case relations.OneToMany:
				parent := child.Elem().FieldByIndex(rel.back.fk.index)
				if !parent.IsNil() {
					k := identOf(parent.Elem().FieldByIndex(rel.model.pk.index))
					groups[k] = append(groups[k], child)
				}
			case relations.ManyToMany:
				k := identOf(local)
				groups[k] = append(groups[k], child)
			}
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if rel.kind.ToMany() {
		for _, o := range objs {
			list := groups[identOf(o.Elem().FieldByIndex(rel.model.pk.index))]
			slice := reflect.MakeSlice(reflect.SliceOf(reflect.PointerTo(target.typ)), len(list), len(list))
			for i, c := range list {
				if rel.kind == relations.OneToMany {
					c.Elem().FieldByIndex(rel.back.fk.index).Set(o) // the very parent, in or out of the scope
				}
				slice.Index(i).Set(c)
			}
			rel.model.loadList(o.Elem(), rel, slice, sc.full)
		}
	}
	return children, nil
}
