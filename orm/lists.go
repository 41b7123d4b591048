package orm

import (
	"context"
	"database/sql/driver"
	"fmt"
	"reflect"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/relations"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// Relation lists (one-to-many and many-to-many fields) are saved with their
// object: Save and Create make the rows match the list. A nil list was not
// loaded or set and is left alone; an empty one removes every related row.
// A one-to-many child that leaves the list is deleted, or unlinked (its key
// set to NULL) when its foreign key is nullable; a many-to-many link that
// leaves the list is deleted from the join table. Objects in a list must be
// saved (have a key), except one-to-many children, which are saved with it.

// lists returns the list relations of object value v that need syncing:
// every non-nil list when all is set, else those changed since the object
// was loaded or saved.
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
	m := info.modelOf(v)
	if m == nil || m.snapshot == nil {
		return true
	}
	was := reflect.ValueOf(m.snapshot).Elem().FieldByIndex(r.index)
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

// snapshotList records list r of v as saved (or loaded).
func (info *modelInfo) snapshotList(v reflect.Value, r *relation) {
	m := info.modelOf(v)
	if m == nil || m.snapshot == nil {
		return
	}
	now := v.FieldByIndex(r.index)
	cp := reflect.MakeSlice(now.Type(), now.Len(), now.Len())
	reflect.Copy(cp, now)
	reflect.ValueOf(m.snapshot).Elem().FieldByIndex(r.index).Set(cp)
}

// syncLists makes the rows of the given lists match them.
func (w *writer) syncLists(ctx context.Context, v reflect.Value, rels []*relation) error {
	for _, r := range rels {
		var err error
		if r.kind == relations.ManyToMany {
			err = w.syncLinks(ctx, v, r)
		} else {
			err = w.syncChildren(ctx, v, r)
		}
		if err != nil {
			return err
		}
		w.info.snapshotList(v, r)
	}
	return nil
}

// syncLinks makes the join table rows of v match list r.
func (w *writer) syncLinks(ctx context.Context, v reflect.Value, r *relation) error {
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
	j := core.TableIdent(r.joinName)
	rows, err := w.db.FetchAll(ctx, goqu.From(j).Select(j.Col(r.joinRemote)).Where(j.Col(r.joinLocal).Eq(self)))
	if err != nil {
		return err
	}
	have := map[string]bool{}
	var stale []any
	for _, row := range rows {
		s := keyString(row.At(0))
		have[s] = true
		if want[s] == nil {
			stale = append(stale, row.At(0))
		}
	}
	if len(stale) > 0 {
		if _, err := w.db.Execute(ctx, goqu.Delete(j).Where(j.Col(r.joinLocal).Eq(self), j.Col(r.joinRemote).In(stale))); err != nil {
			return err
		}
	}
	var add []any
	for _, s := range order {
		if !have[s] {
			add = append(add, goqu.Record{r.joinLocal: self, r.joinRemote: want[s]})
		}
	}
	if len(add) > 0 {
		if _, err := w.db.Execute(ctx, goqu.Insert(j).Rows(add...)); err != nil {
			return err
		}
	}
	return nil
}

// syncChildren points every child of list r at v, saving it, and deletes
// (or unlinks) the rows that left the list.
func (w *writer) syncChildren(ctx context.Context, v reflect.Value, r *relation) error {
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
	self, err := w.info.pk.toDB(v.FieldByIndex(w.info.pk.index), d)
	if err != nil {
		return err
	}
	t := core.TableIdent(r.target.table)
	conds := []exp.Expression{t.Col(fk.column).Eq(self)}
	if len(keep) > 0 {
		conds = append(conds, t.Col(r.target.pk.column).NotIn(keep))
	}
	if fk.nullable {
		_, err = w.db.Execute(ctx, goqu.Update(t).Set(goqu.Record{fk.column: nil}).Where(conds...))
	} else {
		_, err = w.db.Execute(ctx, goqu.Delete(t).Where(conds...))
	}
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
