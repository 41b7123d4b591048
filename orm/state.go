package orm

import (
	"reflect"
	"unsafe"

	"github.com/atomdb/atomdb/core"
)

// base returns the embedded Model of object value v (a struct), or nil.
func (info *modelInfo) modelOf(v reflect.Value) *Model {
	if info.base == nil {
		return nil
	}
	return (*Model)(unsafe.Add(v.Addr().UnsafePointer(), info.baseOff))
}

// markLoaded records that object value v now matches its row: loaded, and
// a snapshot of its fields for dirty tracking.
func (info *modelInfo) markLoaded(v reflect.Value, _ *core.Dialect) {
	m := info.modelOf(v)
	if m == nil {
		return
	}
	m.loaded = true
	var snap reflect.Value // reuse this object's snapshot storage when it has one
	if self := v.Addr().Pointer(); m.snapshot != nil && m.owner == self {
		snap = reflect.ValueOf(m.snapshot)
	} else {
		snap = reflect.New(info.typ)
		m.owner = self
	}
	snap.Elem().Set(v)
	info.modelOf(snap.Elem()).snapshot = nil // the copy keeps no snapshot of its own
	m.snapshot = snap.Interface()
	for _, r := range info.rels {
		if r.kind.ToMany() && !v.FieldByIndex(r.index).IsNil() {
			info.snapshotList(v, r) // its own copy: the list's array may change in place
		}
	}
}

// forget marks object value v as not (or no longer) in the database.
func (info *modelInfo) forget(v reflect.Value) {
	if m := info.modelOf(v); m != nil {
		m.loaded = false
		m.snapshot = nil
	}
}

// dirty returns the fields of object value v that differ from its snapshot,
// and whether a snapshot existed at all.
func (info *modelInfo) dirty(v reflect.Value, d *core.Dialect) ([]*field, bool, error) {
	m := info.modelOf(v)
	if m == nil || m.snapshot == nil {
		return nil, false, nil
	}
	snap := reflect.ValueOf(m.snapshot).Elem()
	var changed []*field
	for _, f := range info.fields {
		now, err := f.toDB(v.FieldByIndex(f.index), d)
		if err != nil {
			return nil, true, err
		}
		was, err := f.toDB(snap.FieldByIndex(f.index), d)
		if err != nil {
			return nil, true, err
		}
		if !reflect.DeepEqual(now, was) {
			changed = append(changed, f)
		}
	}
	return changed, true, nil
}
