package orm

import (
	"reflect"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/relations"
	"github.com/doug-martin/goqu/v9"
)

// SelectRelated loads the to-one relations named by paths in the same query,
// with JOINs: SelectRelated("album", "album__artist"). A non-null foreign key
// is an INNER JOIN; a nullable one a LEFT JOIN, and the field is nil when the
// row has no related row. Each path gets a table alias of its own, so two
// relations to one table work, and a path asked for twice (or as the start of
// a longer one) is joined once. A path through a one-to-many or many-to-many
// relation is an error (use PrefetchRelated). Related objects go through the
// identity map like any other.
func (qs *QuerySet[T]) SelectRelated(paths ...string) *QuerySet[T] {
	c := qs.clone()
	c.related = append(append([]string(nil), qs.related...), paths...)
	return c
}

// planJoins adds the SelectRelated paths to the query's join plan and
// returns their joins, every parent before its children.
func (qs *QuerySet[T]) planJoins(plan *relations.Joins) ([]*relations.Join, error) {
	var joins []*relations.Join
	seen := map[*relations.Join]bool{}
	for _, path := range qs.related {
		p, err := qs.resolvePath("SelectRelated", path)
		if err != nil {
			return nil, err
		}
		for _, r := range p.Steps {
			if r.Kind.ToMany() {
				return nil, qs.errorf(ErrBadValue, "SelectRelated(%q): %q is a %s relation (use PrefetchRelated)", path, r.Name, r.Kind)
			}
		}
		if !p.EndsAtRelation() {
			return nil, qs.errorf(ErrBadValue, "SelectRelated(%q): %q is not a relation of %s", path, p.Names[len(p.Names)-1], p.Last(qs.info.rm).Name)
		}
		for _, jn := range plan.Add(p.Steps) {
			if !seen[jn] {
				seen[jn] = true
				joins = append(joins, jn)
			}
		}
	}
	return joins, nil
}

// selectRelated is the SELECT of the model's fields and those of every join.
func (qs *QuerySet[T]) selectRelated(plan *relations.Joins, joins []*relations.Join) (*goqu.SelectDataset, error) {
	ds, err := qs.base(plan)
	if err != nil {
		return nil, err
	}
	cols := qs.columns()
	for _, j := range joins {
		for _, f := range targetOf(j).fields {
			cols = append(cols, core.TableIdent(j.Alias).Col(f.column))
		}
	}
	return ds.Select(cols...), nil
}

// targetOf is the model a join reaches.
func targetOf(j *relations.Join) *modelInfo { return j.Rel.To.Ref.(*modelInfo) }

// scanJoined reads a SelectRelated row: the model, then each join's object,
// which goes through the identity map; the foreign key stubs of the objects
// already read are the same objects, so the loaded ones are linked. An
// INNER JOIN's columns are never NULL and take the same typed path as the
// model's own; a LEFT JOIN's go through nullable scanners.
func (qs *QuerySet[T]) scanJoined(rows *core.Rows, sc *scanCtx, tm *typeMap, joins []*relations.Join) (*T, error) {
	if len(sc.joined) != len(joins) {
		sc.joined = make([]*scanCtx, len(joins)) // each join's own key slots
		for i := range joins {
			sc.joined[i] = &scanCtx{d: sc.d, scope: sc.scope, jr: sc.jr, gen: sc.gen, full: sc.full, main: true, maps: sc.maps}
		}
	}
	main, dest := qs.info.prepare(sc, sc.buf[:0])
	objs := make([]reflect.Value, len(joins))
	nulls := make([]nullableRow, len(joins))
	for i, j := range joins {
		if j.Left {
			nulls[i] = newNullableRow(targetOf(j), sc)
			dest = append(dest, nulls[i].dest...)
		} else {
			objs[i], dest = targetOf(j).prepare(sc.joined[i], dest)
		}
	}
	sc.buf = dest
	if err := rows.Scan(dest...); err != nil {
		return nil, qs.wrap(err)
	}
	p, err := qs.info.finish(main, sc, tm)
	if err != nil {
		return nil, qs.wrap(err)
	}
	for i, j := range joins {
		target := targetOf(j)
		switch {
		case !j.Left:
			if _, err := target.finish(objs[i], sc.joined[i], sc.tm(target)); err != nil {
				return nil, qs.wrap(err)
			}
		case !nulls[i].isNull(): // else: the foreign key was NULL
			target.adopt(nulls[i].v, sc, sc.tm(target))
		}
	}
	return p.Interface().(*T), nil
}

// nullableRow scans a joined model's columns, any of which may be NULL
// because of an outer join, into a new object.
type nullableRow struct {
	v    reflect.Value // the new object (a struct value)
	dest []any
	pk   *nullScanner
}

func newNullableRow(info *modelInfo, sc *scanCtx) nullableRow {
	r := nullableRow{v: reflect.New(info.typ).Elem()}
	for _, f := range info.fields {
		ns := &nullScanner{f: f, v: r.v.FieldByIndex(f.index), sc: sc}
		if f == info.pk {
			r.pk = ns
		}
		r.dest = append(r.dest, ns)
	}
	return r
}

func (r nullableRow) isNull() bool { return r.pk.null }

// nullScanner scans one column through the field's conversion, noting NULL.
type nullScanner struct {
	f    *field
	v    reflect.Value
	sc   *scanCtx
	null bool
}

func (s *nullScanner) Scan(src any) error {
	if src == nil {
		s.null = true
		s.v.SetZero()
		return nil
	}
	return s.f.set(s.v, src, s.sc)
}
