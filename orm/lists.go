package orm

import (
	"context"
	"database/sql/driver"
	"fmt"
	"reflect"

	"github.com/atomdb/atomdb/relations"
)

// Relation lists (one-to-many and many-to-many fields) are saved with their
// object, and a list knows whether it was loaded:
//
//   - a list filled by Load, LoadRelated or PrefetchRelated, or saved whole
//     (every list of a new object, since the object had no related rows),
//     is loaded: Save makes the rows match it. A one-to-many child that
//     left the list is deleted, or unlinked (its key set to NULL) when its
//     foreign key is nullable; a many-to-many link that left it is deleted
//     from the join table. An empty (non-nil) loaded list removes every
//     related row;
//   - a list never loaded holds only what the program put in it: Save
//     inserts (or links) those objects and never deletes or unlinks
//     anything, so appending to a list that was not loaded cannot lose the
//     rows it did not show;
//   - a nil list is left alone, loaded or not (set an empty list to remove
//     every related row of a loaded list).
//
// Objects in a list must be saved (have a key), except one-to-many
// children, which are saved with it. A model that does not embed Model
// cannot remember that a list was loaded: its lists only ever gain rows.

// lists returns the list relations of object value v that need syncing:
// every non-nil list when all is set, else those changed since they were
// last loaded or saved.
func (info *modelInfo) lists(v reflect.Value, all bool) []*relation {
	var out []*relation
	for _, r := range info.rels {
		if !r.kind.ToMany() || v.FieldByIndex(r.index).IsNil() {
			continue
		}
		if all || info.listChanged(v, r) {
			out = append(out, r)
		}
	}
	return out
}

// listChanged compares a list with its snapshot, element by element.
func (info *modelInfo) listChanged(v reflect.Value, r *relation) bool {
	snap, ok := info.snapshotOf(v)
	if !ok {
		return true
	}
	was := snap.FieldByIndex(r.index)
	now := v.FieldByIndex(r.index)
	if was.IsNil() || was.Len() != now.Len() {
		return true
	}
	for i := range now.Len() {
		if was.Index(i).Pointer() != now.Index(i).Pointer() {
			return true
		}
	}
	return false
}

// listLoaded reports whether list r of v was loaded or saved whole.
func (info *modelInfo) listLoaded(v reflect.Value, r *relation) bool {
	m := info.modelOf(v)
	return m != nil && m.lists&r.listBit != 0
}

// snapshotList records list (nil: v's own) as what the rows of list r of v
// hold, as far as v knows.
func (info *modelInfo) snapshotList(v reflect.Value, r *relation, list reflect.Value) {
	snap, ok := info.snapshotOf(v)
	if !ok {
		return
	}
	if !list.IsValid() {
		list = v.FieldByIndex(r.index)
	}
	cp := reflect.MakeSlice(list.Type(), list.Len(), list.Len())
	reflect.Copy(cp, list) // its own copy: the list's array may change in place
	snap.FieldByIndex(r.index).Set(cp)
}

// loadList sets list r of v to fresh, the related objects just read, and
// marks it loaded. A list with unsaved changes keeps them unless full is
// set: a loaded list stays as the program left it, and the objects
// appended to a list that was not loaded are added to fresh.
func (info *modelInfo) loadList(v reflect.Value, r *relation, fresh reflect.Value, full bool) {
	cur := v.FieldByIndex(r.index)
	m := info.modelOf(v)
	if m == nil {
		cur.Set(fresh)
		return
	}
	switch {
	case full || cur.IsNil() || !info.listChanged(v, r):
		cur.Set(fresh)
	case info.listLoaded(v, r):
		// Unsaved changes to a loaded list: kept, and still unsaved.
	default:
		in := map[uintptr]bool{}
		for i := range fresh.Len() {
			in[fresh.Index(i).Pointer()] = true
		}
		merged := fresh
		for i := range cur.Len() {
			if e := cur.Index(i); e.IsNil() || !in[e.Pointer()] {
				merged = reflect.Append(merged, e)
			}
		}
		cur.Set(merged)
	}
	info.snapshotList(v, r, fresh)
	m.lists |= r.listBit
}

// syncLists writes the given lists of v: whole (the rows made to match)
// for a loaded list or when whole is set (v was just inserted), else only
// adding what they hold. Lists written whole become loaded.
func (w *writer) syncLists(ctx context.Context, v reflect.Value, rels []*relation, whole bool) error {
	for _, r := range rels {
		full := whole || w.info.listLoaded(v, r)
		var err error
		if r.kind == relations.ManyToMany {
			err = w.syncLinks(ctx, v, r, full)
		} else {
			err = w.syncChildren(ctx, v, r, full)
		}
		if err != nil {
			return err
		}
		w.info.snapshotList(v, r, reflect.Value{})
		if m := w.info.modelOf(v); full && m != nil {
			m.lists |= r.listBit
		}
	}
	return nil
}

// syncLinks makes the join table rows of v match list r (full), or adds
// the missing ones.
func (w *writer) syncLinks(ctx context.Context, v reflect.Value, r *relation, full bool) error {
	d := w.db.Dialect()
	self, err := w.info.pk.toDB(v.FieldByIndex(w.info.pk.index), d)
	if err != nil {
		return err
	}
	list := v.FieldByIndex(r.index)
	want := map[string]any{}
	var order []string
	for i := range list.Len() {
		k, err := objectKey(r.target, list.Index(i).Interface(), d)
		if err != nil {
			return modelErr(w.info.name, r.name, ErrBadValue, "%s[%d]: %v", r.goName, i, err)
		}
		if s := keyString(k); want[s] == nil {
			want[s] = k
			order = append(order, s)
		}
	}
	rows, err := w.db.FetchAll(ctx, relations.LinkedKeys(r.meta, self))
	if err != nil {
		return err
	}
	have := map[string]bool{}
	var stale []any
	for _, row := range rows {
		s := keyString(row.At(0))
		have[s] = true
		if full && want[s] == nil {
			stale = append(stale, row.At(0))
		}
	}
	if len(stale) > 0 {
		if _, err := w.db.Execute(ctx, relations.Unlink(r.meta, self, stale)); err != nil {
			return err
		}
	}
	var add []any
	for _, s := range order {
		if !have[s] {
			add = append(add, want[s])
		}
	}
	if len(add) > 0 {
		if _, err := w.db.Execute(ctx, relations.Link(r.meta, self, add)); err != nil {
			return err
		}
	}
	return nil
}

// syncChildren points every child of list r at v, saving it, and, when the
// list is synced whole, deletes (or unlinks) the rows that left it.
func (w *writer) syncChildren(ctx context.Context, v reflect.Value, r *relation, full bool) error {
	d := w.db.Dialect()
	child := &writer{info: r.target, db: w.db}
	fk := r.back.fk
	list := v.FieldByIndex(r.index)
	var keep []any
	for i := range list.Len() {
		c := list.Index(i)
		if c.IsNil() {
			return modelErr(w.info.name, r.name, ErrBadValue, "%s[%d] is nil", r.goName, i)
		}
		c.Elem().FieldByIndex(fk.index).Set(v.Addr())
		if err := child.save(ctx, c.Elem(), nil); err != nil {
			return err
		}
		k, err := r.target.pk.toDB(c.Elem().FieldByIndex(r.target.pk.index), d)
		if err != nil {
			return err
		}
		keep = append(keep, k)
	}
	if !full {
		return nil
	}
	self, err := w.info.pk.toDB(v.FieldByIndex(w.info.pk.index), d)
	if err != nil {
		return err
	}
	_, err = w.db.Execute(ctx, relations.Release(r.meta, self, keep))
	return err
}

// keyString is a key's comparable form, whatever type the driver gave it.
func keyString(k any) string {
	if v, ok := k.(driver.Valuer); ok {
		if dv, err := v.Value(); err == nil {
			k = dv
		}
	}
	if b, ok := k.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(k)
}
