package orm

import (
	"reflect"
	"time"
	"unsafe"

	"github.com/atomdb/atomdb/core"
)

// Dirty tracking. An object of a model that embeds Model carries a
// snapshot: a copy of its stored fields as the database last held them, as
// far as this object knows (read, written, or refreshed by a later read).
// A field whose value differs from the snapshot (compared as the values
// Save would bind) has an unsaved change: Save writes it, and reads keep it.
// Relation lists have a snapshot of their own (see lists.go).

// modelOf returns the embedded Model of object value v (a struct), or nil.
func (info *modelInfo) modelOf(v reflect.Value) *Model {
	if info.base == nil {
		return nil
	}
	return (*Model)(unsafe.Add(v.Addr().UnsafePointer(), info.baseOff))
}

// snapshotOf returns v's snapshot (a struct value), or false when v has
// none of its own.
func (info *modelInfo) snapshotOf(v reflect.Value) (reflect.Value, bool) {
	m := info.modelOf(v)
	if m == nil || m.snapshot == nil || m.owner != v.Addr().Pointer() {
		return reflect.Value{}, false
	}
	return reflect.ValueOf(m.snapshot).Elem(), true
}

// markLoaded records that every stored field of object value v now matches
// its row: loaded, and the snapshot taken. List snapshots are left as they
// are (a new snapshot has none: no list was synced yet).
func (info *modelInfo) markLoaded(v reflect.Value, _ *core.Dialect) {
	m := info.modelOf(v)
	if m == nil {
		return
	}
	m.loaded = true
	if snap, ok := info.snapshotOf(v); ok {
		if info.nLists == 0 {
			snap.Set(v)
		} else {
			for _, f := range info.fields {
				snap.FieldByIndex(f.index).Set(v.FieldByIndex(f.index))
			}
		}
		info.modelOf(snap).snapshot = nil // the copy keeps no snapshot of its own
		return
	}
	snap := reflect.New(info.typ)
	snap.Elem().Set(v)
	info.modelOf(snap.Elem()).snapshot = nil
	for _, r := range info.rels {
		if r.kind.ToMany() {
			snap.Elem().FieldByIndex(r.index).SetZero()
		}
	}
	m.snapshot, m.owner = snap.Interface(), v.Addr().Pointer()
}

// markFields records that fields fs of v now match the row (a partial save
// or load); v's other fields keep their unsaved changes. An object without a
// snapshot is left without one: which of its fields match is not known.
func (info *modelInfo) markFields(v reflect.Value, fs []*field) {
	snap, ok := info.snapshotOf(v)
	if !ok {
		return
	}
	for _, f := range fs {
		snap.FieldByIndex(f.index).Set(v.FieldByIndex(f.index))
	}
}

// forget marks object value v as not (or no longer) in the database.
func (info *modelInfo) forget(v reflect.Value) {
	if m := info.modelOf(v); m != nil {
		m.loaded = false
		m.snapshot = nil
		m.lists = 0
	}
}

// dirty returns the fields of object value v that differ from its snapshot,
// and whether a snapshot existed at all.
func (info *modelInfo) dirty(v reflect.Value, d *core.Dialect) ([]*field, bool, error) {
	snap, ok := info.snapshotOf(v)
	if !ok {
		return nil, false, nil
	}
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

// fieldDirty reports whether field f of v differs from the snapshot snap, as
// Save would see it; a value that cannot be converted counts as changed.
func (info *modelInfo) fieldDirty(f *field, v, snap reflect.Value, d *core.Dialect) bool {
	a, b := v.FieldByIndex(f.index), snap.FieldByIndex(f.index)
	if f.kind == kindPlain || f.kind == kindBool || f.kind == kindUnsigned {
		switch a.Kind() { // the common kinds, compared without boxing
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return a.Int() != b.Int()
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return a.Uint() != b.Uint()
		case reflect.String:
			return a.String() != b.String()
		case reflect.Bool:
			return a.Bool() != b.Bool()
		}
	}
	if f.kind == kindTime && f.typ == timeType {
		ta, tb := (*time.Time)(a.Addr().UnsafePointer()), (*time.Time)(b.Addr().UnsafePointer())
		return !storedTime(*ta).Equal(storedTime(*tb))
	}
	now, err := f.toDB(a, d)
	if err != nil {
		return true
	}
	was, err := f.toDB(b, d)
	if err != nil {
		return true
	}
	return !reflect.DeepEqual(now, was)
}
