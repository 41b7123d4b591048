package orm

import (
	"context"
	"reflect"
	"time"
	"unsafe"

	"github.com/atomdb/atomdb/core"
)

// scanCtx starts a read (one terminal call) of the query.
func (qs *QuerySet[T]) scanCtx(ctx context.Context) *scanCtx {
	return newScanCtx(ctx, qs.db, qs.force || qs.update, callScope)
}

// mainMap returns the map the query's own objects go through, or nil when
// the read does not file them (see scanCtx.main).
func (qs *QuerySet[T]) mainMap(sc *scanCtx) *typeMap {
	if !sc.main {
		return nil
	}
	return sc.tm(qs.info)
}

// refersToItself reports whether the model has a foreign key to itself, so
// that an object read can be another's related object in the same read.
func (info *modelInfo) refersToItself() bool {
	for _, r := range info.rels {
		if r.fk != nil && r.target == info {
			return true
		}
	}
	return false
}

// scanRow reads the current row into a new object of the model: its stored
// fields in order, then any extra destinations. It returns the object the
// identity map holds for the row's key.
func (info *modelInfo) scanRow(rows *core.Rows, sc *scanCtx, tm *typeMap, extra ...any) (reflect.Value, error) {
	v, dest := info.prepare(sc, sc.buf[:0])
	dest = append(dest, extra...)
	sc.buf = dest
	if err := rows.Scan(dest...); err != nil {
		return reflect.Value{}, err
	}
	return info.finish(v, sc, tm)
}

// prepare makes a new object for a row and appends the destinations of its
// stored fields to dest.
func (info *modelInfo) prepare(sc *scanCtx, dest []any) (reflect.Value, []any) {
	var v reflect.Value
	if info.pair != nil {
		// The object and its dirty-tracking snapshot, in one allocation.
		p := reflect.New(info.pair).Elem()
		v = p.Field(0)
		m := info.modelOf(v)
		m.snapshot, m.owner = p.Field(1).Addr().Interface(), v.Addr().Pointer()
	} else {
		v = reflect.New(info.typ).Elem()
	}
	n := len(info.fields)
	base := v.Addr().UnsafePointer()
	for i, f := range info.fields {
		switch {
		case f.intKey:
			dest = append(dest, sc.keySlot(i, n))
		case f.direct(sc):
			dest = append(dest, f.addr.ptr(base))
		default:
			dest = append(dest, f.target(v.FieldByIndex(f.index), sc))
		}
	}
	return v, dest
}

// finish completes an object prepare made once the row is scanned: its
// foreign keys become objects, its times UTC, and it goes through the
// identity map (tm; nil when the read does not file it).
func (info *modelInfo) finish(v reflect.Value, sc *scanCtx, tm *typeMap) (reflect.Value, error) {
	for i, f := range info.fields {
		if !f.intKey {
			continue
		}
		fv := v.FieldByIndex(f.index)
		if key, ok := sc.slotKey(i); ok {
			if sc.scope != nil {
				fv.Set(sc.tm(f.rel.target).stubInt(key))
			} else if err := f.set(fv, key, sc); err != nil {
				return reflect.Value{}, err
			}
		} else {
			fv.SetZero()
		}
	}
	info.utcTimes(v, info.times)
	if tm == nil {
		info.markLoaded(v, sc.d)
		return v.Addr(), nil
	}
	return info.adopt(v, sc, tm), nil
}

// utcTimes puts the time.Time fields among fs, just scanned, in UTC.
func (info *modelInfo) utcTimes(v reflect.Value, fs []*field) {
	var base unsafe.Pointer
	for _, f := range fs {
		if f.kind == kindTime && f.typ == timeType {
			if base == nil {
				base = v.Addr().UnsafePointer()
			}
			t := (*time.Time)(unsafe.Add(base, f.addr.offset))
			*t = t.UTC()
		}
	}
}

// adopt files a freshly read object value v in the identity map and returns
// the object the map holds for its key (v's own address when it is new).
func (info *modelInfo) adopt(v reflect.Value, sc *scanCtx, tm *typeMap) reflect.Value {
	p := tm.adopt(identOf(v.FieldByIndex(info.pk.index)), v.Addr(), sc)
	if p.Pointer() == v.Addr().Pointer() {
		info.markLoaded(v, sc.d)
	}
	return p
}

// scan reads the current row (every stored field, in order) into a T.
func (qs *QuerySet[T]) scan(rows *core.Rows, sc *scanCtx, tm *typeMap) (*T, error) {
	p, err := qs.info.scanRow(rows, sc, tm)
	if err != nil {
		return nil, qs.wrap(err)
	}
	return p.Interface().(*T), nil
}

// All runs the query and returns every object, with the relations of
