package orm

import (
	"context"
	"errors"
	"reflect"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// now is the clock of auto_now and auto_now_add.
var now = time.Now

// Create inserts obj and sets its generated primary key; it returns obj.
// Fields with a default= option that hold their zero value get the default
// first, and auto_now / auto_now_add timestamps are set.
func (m *Manager[T]) Create(ctx context.Context, obj *T) (*T, error) {
	v, err := m.check(obj, "Create")
	if err != nil {
		return nil, err
	}
	if err := m.w().insert(ctx, v); err != nil {
		return nil, err
	}
	return obj, nil
}

// Save writes obj: an INSERT when its auto-increment key is zero; otherwise
// an UPDATE of the given fields, or, when none are given, of the fields
// changed since obj was loaded or saved (every field for a model that does
// not embed Model, or an object not loaded). Nothing is written when nothing
// changed. With fields given, only those are written (an auto_now field
// among them is set) and every other change stays unsaved, for a later
// Save; relation lists are saved only without fields (see the package doc,
// "Relations"). An object with a key that matches no row is inserted, as
// Django does; with explicit fields that is an ErrDoesNotExist error
// instead.
func (m *Manager[T]) Save(ctx context.Context, obj *T, fields ...string) error {
	v, err := m.check(obj, "Save")
	if err != nil {
		return err
	}
	return m.w().save(ctx, v, fields)
}

// Delete deletes obj's row. An object without a primary key is an
// ErrNotSaved error; one whose row is already gone is not an error. The
// object is marked as not loaded, and an auto-increment key is zeroed.
func (m *Manager[T]) Delete(ctx context.Context, obj *T) error {
	v, pkVal, err := m.saved(obj, "Delete")
	if err != nil {
		return err
	}
	if _, err := m.db.Execute(ctx, goqu.Delete(core.TableIdent(m.info.table)).Where(goqu.C(m.info.pk.column).Eq(pkVal))); err != nil {
		return m.wrap(err)
	}
	if s, j := lastingScope(ctx, m.db); s != nil {
		if j != nil {
			j.wrote(m.info, v.Addr(), wroteDelete)
		}
		s.of(m.info).remove(identOf(v.FieldByIndex(m.info.pk.index)), v.Addr())
	}
	m.info.forget(v)
	if m.info.pk.auto {
		v.FieldByIndex(m.info.pk.index).SetZero()
	}
	return nil
}

// saved checks that obj has a primary key, for a method that needs its row.
func (m *Manager[T]) saved(obj *T, method string) (reflect.Value, any, error) {
	v, err := m.check(obj, method)
	if err != nil {
		return v, nil, err
	}
	pkVal, hasPK, err := m.w().pkValue(v)
	if err == nil && !hasPK {
		err = m.w().errorfField(m.info.pk, ErrNotSaved, "%s of an object that was never saved", method)
	}
	return v, pkVal, err
}

// Load refreshes obj from its row: every field (unsaved changes are
// discarded), or only those named (the others keep their unsaved changes).
// ErrDoesNotExist when the row is gone.
func (m *Manager[T]) Load(ctx context.Context, obj *T, fields ...string) error {
	v, pkVal, err := m.saved(obj, "Load")
	if err != nil {
		return err
	}
	todo := m.info.fields
	if len(fields) > 0 {
		if todo, err = m.w().fieldsNamed("Load", fields); err != nil {
			return err
		}
	}
	cols := make([]any, len(todo))
	for i, f := range todo {
		cols[i] = goqu.C(f.column)
	}
	rows, err := m.db.Query(ctx, goqu.From(core.TableIdent(m.info.table)).Select(cols...).Where(goqu.C(m.info.pk.column).Eq(pkVal)))
	if err != nil {
		return m.wrap(err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return m.wrap(err)
		}
		return m.errorf(ErrDoesNotExist, "Load: no row with primary key %v", pkVal)
	}
	dest := make([]any, len(todo))
	sc := newScanCtx(ctx, m.db, true, callScope)
	for i, f := range todo {
		dest[i] = f.target(v.FieldByIndex(f.index), sc)
	}
	if err := rows.Scan(dest...); err != nil {
		return m.wrap(err)
	}
	m.info.utcTimes(v, todo)
	if len(fields) == 0 {
		m.info.markLoaded(v, m.db.Dialect())
	} else {
		m.info.markFields(v, todo) // those fields now match the row; other changes stay unsaved
	}
	return rows.Close()
}

// GetOrCreate returns the object matching conds, or creates it from the
// exact values in conds plus defaults. created reports which. It is safe
// under concurrency when conds name fields with a unique constraint
// together: of callers racing to create the same object, one creates it and
// the others get it, also inside transactions of their own. The insert runs
// in a savepoint; when it loses the race inside a caller's transaction, the
// winner's row is read with a shared lock, which sees committed rows even
// under MySQL's REPEATABLE READ (Django does the same). Under PostgreSQL's
// REPEATABLE READ or SERIALIZABLE the winner's row stays out of the
// transaction's snapshot even so: the call fails with core.ErrUniqueViolation
// (joined with ErrDoesNotExist), and the transaction is the one to retry.
func (m *Manager[T]) GetOrCreate(ctx context.Context, conds lookups.Q, defaults map[string]any) (obj *T, created bool, err error) {
	if m.err != nil {
		return nil, false, m.err
	}
	obj, err = m.Get(ctx, conds)
	if err == nil || !errors.Is(err, ErrDoesNotExist) {
		return obj, false, err
	}
	obj, err = m.newFrom(conds, defaults)
	if err != nil {
		return nil, false, err
	}
	err = m.db.Transaction(ctx, func(ctx context.Context) error {
		return m.w().insert(ctx, reflect.ValueOf(obj).Elem())
	})
	if errors.Is(err, core.ErrUniqueViolation) {
		// Someone else created it first.
		qs := m.QuerySet
		if m.db.InTransaction(ctx) {
			qs = qs.forShare()
		}
		got, gerr := qs.Get(ctx, conds)
		if gerr == nil {
			return got, false, nil
		}
		return nil, false, errors.Join(err, gerr)
	}
	if err != nil {
		return nil, false, err
	}
	return obj, true, nil
}

// updateOrCreateAttempts is how many times UpdateOrCreate, in a transaction
// of its own, starts again after losing a race (a unique violation, a
// deadlock or a serialization failure).
const updateOrCreateAttempts = 5

// UpdateOrCreate updates the object matching conds with defaults (which win
// over its current values), or creates it from conds and defaults. created
// reports which. The matching row is locked (FOR UPDATE) while it is updated.
// It is safe under concurrency when conds name fields with a unique
// constraint together: of callers racing on a new key, one creates the row
// and the others update it. Outside a transaction it runs in one of its own,
// started again when it loses a race; inside a caller's transaction it runs
// in a savepoint and, after losing the insert, locks the winner's row, which
// on MySQL may end in core.ErrDeadlock: retry the transaction.
func (m *Manager[T]) UpdateOrCreate(ctx context.Context, conds lookups.Q, defaults map[string]any) (obj *T, created bool, err error) {
	if m.err != nil {
		return nil, false, m.err
	}
	if m.db.InTransaction(ctx) {
		obj, created, err = m.updateOrCreate(ctx, conds, defaults, false)
		if errors.Is(err, core.ErrUniqueViolation) {
			// Lost the insert: the row is there now, committed.
			obj, created, err = m.updateOrCreate(ctx, conds, defaults, true)
		}
		return obj, created, err
	}
	for attempt := 1; ; attempt++ {
		obj, created, err = m.updateOrCreate(ctx, conds, defaults, false)
		if err == nil || attempt == updateOrCreateAttempts || !(errors.Is(err, core.ErrUniqueViolation) ||
			errors.Is(err, core.ErrDeadlock) || errors.Is(err, core.ErrSerialization)) {
			return obj, created, err
		}
	}
}

// updateOrCreate is one attempt of UpdateOrCreate, in a transaction (a
// savepoint inside a caller's). On MySQL a locking read of a row that does
// not exist locks the gap where it would go, and concurrent inserts into the
// gap deadlock: there the row is looked for without a lock first, and
// locked once found (unless found is already known).
func (m *Manager[T]) updateOrCreate(ctx context.Context, conds lookups.Q, defaults map[string]any, exists bool) (obj *T, created bool, err error) {
	err = m.db.Transaction(ctx, func(ctx context.Context) error {
		var found *T
		var err error
		if m.db.Dialect() == core.MySQL && !exists {
			_, err = m.Get(ctx, conds)
		}
		if err == nil {
			found, err = m.ForUpdate().Get(ctx, conds)
		}
		if errors.Is(err, ErrDoesNotExist) {
			if obj, err = m.newFrom(conds, defaults); err != nil {
				return err
			}
			created = true
			return m.w().insert(ctx, reflect.ValueOf(obj).Elem())
		}
		if err != nil {
			return err
		}
		v := reflect.ValueOf(found).Elem()
		names := make([]string, 0, len(defaults))
		for name, val := range defaults {
			if err := m.w().set(v, name, val); err != nil {
				return err
			}
			names = append(names, name)
		}
		obj = found
		if len(names) == 0 {
			return nil
		}
		return m.Save(ctx, found, names...)
	})
	if err != nil {
		return nil, false, err
	}
	return obj, created, nil
}

// newFrom builds an object from the exact-match conditions and defaults.
func (m *Manager[T]) newFrom(conds lookups.Q, defaults map[string]any) (*T, error) {
	obj := new(T)
	v := reflect.ValueOf(obj).Elem()
	for key, val := range conds {
		leaf, err := m.reg.ParseKey(key, val)
		if err != nil {
			return nil, m.wrap(err)
		}
		if leaf.Lookup != "exact" || len(leaf.Transforms) > 0 || len(leaf.Path) != 1 {
			continue // not a value the new object can take
		}
		if err := m.w().set(v, leaf.Path[0], val); err != nil {
			return nil, err
		}
	}
	for name, val := range defaults {
		if err := m.w().set(v, name, val); err != nil {
			return nil, err
		}
	}
	return obj, nil
}

// Update sets fields of every row the query matches and returns how many
// rows it matched. Values are checked against the fields' types; a goqu
// expression is used as it is (goqu.L("position + 1")). auto_now fields are
// not touched, as in Django.
func (qs *QuerySet[T]) Update(ctx context.Context, values map[string]any) (int64, error) {
	if qs.err != nil {
		return 0, qs.err
	}
	if qs.limit >= 0 || qs.offset > 0 {
		return 0, qs.errorf(ErrBadValue, "Update after Limit or Offset is not supported")
	}
	if len(values) == 0 {
		return 0, qs.errorf(ErrBadValue, "Update with no values")
	}
	rec := goqu.Record{}
	for name, val := range values {
		f := qs.info.field(name)
		if f == nil {
			return 0, qs.errorf(ErrBadValue, "Update: unknown field %q", name)
		}
		if e, ok := val.(exp.Expression); ok {
			rec[f.column] = e
			continue
		}
		tmp := reflect.New(f.typ).Elem()
		if err := f.assign(tmp, val); err != nil {
			return 0, err
		}
		dbv, err := f.toStore(tmp, qs.db.Dialect())
		if err != nil {
			return 0, err
		}
		rec[f.column] = dbv
	}
	where, err := qs.condition()
	if err != nil {
		return 0, err
	}
	res, err := qs.db.Execute(ctx, goqu.Update(core.TableIdent(qs.info.table)).Set(rec).Where(where...))
	if err != nil {
		return 0, qs.wrap(err)
	}
	return res.RowsAffected, nil
}

// Delete deletes every row the query matches and returns how many.
func (qs *QuerySet[T]) Delete(ctx context.Context) (int64, error) {
	if qs.err != nil {
		return 0, qs.err
	}
	if qs.limit >= 0 || qs.offset > 0 {
		return 0, qs.errorf(ErrBadValue, "Delete after Limit or Offset is not supported")
	}
	where, err := qs.condition()
	if err != nil {
		return 0, err
	}
	res, err := qs.db.Execute(ctx, goqu.Delete(core.TableIdent(qs.info.table)).Where(where...))
	if err != nil {
		return 0, qs.wrap(err)
	}
	return res.RowsAffected, nil
}
