package orm

import (
	"context"
	"errors"
	"reflect"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
)

// writer writes objects of one model to one database. Manager[T] uses it,
// and so do the relation lists, whose objects are of other types.
type writer struct {
	info *modelInfo
	db   *core.Database
}

func (m *Manager[T]) w() *writer { return &writer{info: m.info, db: m.db} }

func (w *writer) errorf(sentinel error, format string, args ...any) error {
	return modelErr(w.info.name, "", sentinel, format, args...)
}

// wrap adds the model to an error that lacks it.
func (w *writer) wrap(err error) error {
	var me *ModelError
	if err == nil || errors.As(err, &me) {
		return err
	}
	return &ModelError{Model: w.info.name, Err: err}
}

// prepareInsert applies defaults and timestamps, and returns the record to
// insert; the auto-increment key is left out while it is zero.
func (w *writer) prepareInsert(v reflect.Value, at time.Time) (goqu.Record, bool, error) {
	rec := goqu.Record{}
	generated := false
	for _, f := range w.info.fields {
		fv := v.FieldByIndex(f.index)
		switch {
		case f.autoNow || f.autoAdd:
			fv.Set(reflect.ValueOf(storedTime(at)))
		case f.def != nil && fv.IsZero():
			if err := f.assign(fv, f.def); err != nil {
				return nil, false, err
			}
		}
		if f.pk && fv.IsZero() {
			if !f.auto {
				return nil, false, w.errorfField(f, ErrNotSaved, "the primary key is not generated: set it before creating the object")
			}
			generated = true
			continue
		}
		val, err := f.toStore(fv, w.db.Dialect())
		if err != nil {
			return nil, false, err
		}
		rec[f.column] = val
	}
	if len(rec) == 0 {
		// Nothing but a generated key: ask for it explicitly, since an
		// INSERT needs a column (SQLite generates a rowid for NULL).
		var gen any = goqu.L("DEFAULT")
		if w.db.Dialect() == core.SQLite {
			gen = nil
		}
		rec[w.info.pk.column] = gen
	}
	return rec, generated, nil
}

// insert inserts the object value v, with the rows of its relation lists,
// in one transaction.
func (w *writer) insert(ctx context.Context, v reflect.Value) error {
	rels := w.info.lists(v, true)
	if len(rels) == 0 {
		return w.insertRow(ctx, v)
	}
	return w.db.Transaction(ctx, func(ctx context.Context) error {
		if err := w.insertRow(ctx, v); err != nil {
			return err
		}
		return w.syncLists(ctx, v, rels, true)
	})
}

// insertRow inserts the object value v's own row.
func (w *writer) insertRow(ctx context.Context, v reflect.Value) error {
	rec, generated, err := w.prepareInsert(v, now())
	if err != nil {
		return err
	}
	ins := goqu.Insert(core.TableIdent(w.info.table)).Rows(rec)
	pk := w.info.pk
	if generated && w.db.Dialect() == core.Postgres {
		ins = ins.Returning(goqu.C(pk.column))
	}
	res, err := w.db.Execute(ctx, ins)
	if err != nil {
		return w.wrap(err)
	}
	if generated {
		if err := pk.assign(v.FieldByIndex(pk.index), res.LastInsertID); err != nil {
			return err
		}
	}
	w.remember(ctx, v)
	return nil
}

// remember marks a just-inserted object loaded and files it in the lasting
// scope ctx carries, if any, in place of any object held for its key.
func (w *writer) remember(ctx context.Context, v reflect.Value) {
	w.info.markLoaded(v, w.db.Dialect())
	s, j := lastingScope(ctx, w.db)
	if s == nil {
		return
	}
	if j != nil {
		j.wrote(w.info, v.Addr(), wroteInsert)
	}
	s.of(w.info).put(identOf(v.FieldByIndex(w.info.pk.index)), v.Addr())
}

// pkValue returns the object's primary key value and whether it is set.
func (w *writer) pkValue(v reflect.Value) (any, bool, error) {
	pv := v.FieldByIndex(w.info.pk.index)
	if pv.IsZero() {
		return nil, false, nil
	}
	val, err := w.info.pk.toDB(pv, w.db.Dialect())
	return val, true, err
}

// fieldsNamed returns the fields names name, or an error naming the bad one.
func (w *writer) fieldsNamed(method string, names []string) ([]*field, error) {
	out := make([]*field, 0, len(names))
	for _, n := range names {
		f := w.info.field(n)
		if f == nil {
			return nil, w.errorf(ErrBadValue, "%s: unknown field %q", method, n)
		}
		out = append(out, f)
	}
	return out, nil
}

// set assigns value to the field named name of object value v.
func (w *writer) set(v reflect.Value, name string, value any) error {
	f := w.info.field(name)
	if f == nil {
		return w.errorf(ErrBadValue, "unknown field %q", name)
	}
	return f.assign(v.FieldByIndex(f.index), value)
}

func (w *writer) errorfField(f *field, sentinel error, format string, args ...any) error {
	return modelErr(w.info.name, f.name, sentinel, format, args...)
}

// save is Manager.Save after its argument check: the object's row, then
// its changed relation lists, in one transaction. With fields named, only
// those are written.
func (w *writer) save(ctx context.Context, v reflect.Value, fields []string) error {
	rels := w.info.lists(v, false)
	if len(rels) == 0 || len(fields) > 0 {
		_, err := w.saveRow(ctx, v, fields)
		return err
	}
	return w.db.Transaction(ctx, func(ctx context.Context) error {
		inserted, err := w.saveRow(ctx, v, nil)
		if err != nil {
			return err
		}
		return w.syncLists(ctx, v, rels, inserted)
	})
}

// saveRow writes the object value v's own row; inserted reports that it
// was an INSERT.
func (w *writer) saveRow(ctx context.Context, v reflect.Value, fields []string) (inserted bool, err error) {
	pkVal, hasPK, err := w.pkValue(v)
	if err != nil {
		return false, err
	}
	if !hasPK && w.info.pk.auto {
		return true, w.insertRow(ctx, v)
	}
	if !hasPK {
		return false, w.errorfField(w.info.pk, ErrNotSaved, "Save needs a primary key value")
	}
	at := now()
	var todo []*field
	explicit := len(fields) > 0
	if explicit {
		if todo, err = w.fieldsNamed("Save", fields); err != nil {
			return false, err
		}
		for _, f := range todo {
			if f.autoNow {
				v.FieldByIndex(f.index).Set(reflect.ValueOf(storedTime(at)))
			}
		}
	} else {
		for _, f := range w.info.fields {
			if f.autoNow {
				v.FieldByIndex(f.index).Set(reflect.ValueOf(storedTime(at)))
			}
		}
		changed, tracked, err := w.info.dirty(v, w.db.Dialect())
		if err != nil {
			return false, err
		}
		if tracked {
			if len(changed) == 0 {
				return false, nil
			}
			todo = changed
		} else {
			todo = w.info.fields
		}
	}
	rec := goqu.Record{}
	for _, f := range todo {
		if f.pk {
			continue
		}
		val, err := f.toStore(v.FieldByIndex(f.index), w.db.Dialect())
		if err != nil {
			return false, err
		}
		rec[f.column] = val
	}
	if len(rec) > 0 {
		res, err := w.db.Execute(ctx, goqu.Update(core.TableIdent(w.info.table)).Set(rec).Where(goqu.C(w.info.pk.column).Eq(pkVal)))
		if err != nil {
			return false, w.wrap(err)
		}
		if res.RowsAffected == 0 {
			if explicit {
				return false, w.errorf(ErrDoesNotExist, "Save(%v): no row with primary key %v", fields, pkVal)
			}
			return true, w.insertRow(ctx, v)
		}
		if j := txJournal(ctx, w.db); j != nil {
			j.wrote(w.info, v.Addr(), wroteUpdate)
		}
	}
	if explicit {
		w.info.markFields(v, todo) // the other fields keep their unsaved changes
	} else {
		w.info.markLoaded(v, w.db.Dialect())
	}
	return false, nil
}
