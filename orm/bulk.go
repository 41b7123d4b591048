package orm

import (
	"context"
	"reflect"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
)

// BulkCreate inserts objs with one multi-row INSERT per batch and sets the
// generated primary key of every object, on every backend. Defaults and
// auto timestamps are applied first, as Create does, and the objects are
// in the identity map afterwards. Either every object is inserted or none
// is: several statements run in one transaction (a savepoint inside the
// caller's), and a single statement, atomic by itself, runs without one
// (in a savepoint inside the caller's transaction, which a failure then
// leaves usable). A failed BulkCreate sets no key.
//
// On PostgreSQL a batch is one INSERT ... SELECT FROM unnest(...) with one
// array parameter per column: 10,000 rows, however many columns. Elsewhere,
// and for a model with a column of a Custom type or a batch holding a value
// no array takes (such as a goqu expression from a Converter), a batch is
// a VALUES list under the dialect's bound-parameter limit.
func (m *Manager[T]) BulkCreate(ctx context.Context, objs []*T) error {
	if m.err != nil {
		return m.err
	}
	vals := make([]reflect.Value, len(objs))
	for i, obj := range objs {
		if obj == nil {
			return m.errorf(ErrBadValue, "BulkCreate: objs[%d] is nil", i)
		}
		vals[i] = reflect.ValueOf(obj).Elem()
	}
	return m.w().bulkCreate(ctx, vals)
}

// pgUnnestRows is how many rows one PostgreSQL unnest INSERT carries.
const pgUnnestRows = 10_000

// bulkGroup is the objects of one BulkCreate that share a column list: those
// whose key the database generates, or those that carry their own.
type bulkGroup struct {
	plan *bulkPlan
	objs []reflect.Value
}

// bulkStmt is one statement of a BulkCreate and the objects it inserts:
// raw SQL with its Params, or a goqu dataset.
type bulkStmt struct {
	plan   *bulkPlan
	objs   []reflect.Value
	query  any
	params core.Params
	keys   []int64 // the keys generated for objs, once sent
}

func (w *writer) bulkCreate(ctx context.Context, objs []reflect.Value) error {
	d := w.db.Dialect()
	at := now()
	groups := [2]bulkGroup{
		{plan: bulkPlanFor(w.info, d, false)}, // keys given
		{plan: bulkPlanFor(w.info, d, true)},  // keys generated
	}
	for _, v := range objs {
		generated, err := w.bulkDefaults(v, at)
		if err != nil {
			return err
		}
		g := &groups[0]
		if generated {
			g = &groups[1]
		}
		if g.objs == nil {
			g.objs = make([]reflect.Value, 0, len(objs))
		}
		g.objs = append(g.objs, v)
	}
	// Every statement is made before the first is sent: a value that does
	// not fit its field is an error that sends nothing.
	var stmts []bulkStmt
	for i := range groups {
		g := &groups[i]
		p := g.plan
		for start := 0; start < len(g.objs); start += p.batch {
			part := g.objs[start:min(start+p.batch, len(g.objs))]
			st := bulkStmt{plan: p, objs: part}
			if p.pgSQL != "" {
				params, ok, err := p.pgArrays(part)
				if err != nil {
					return err
				}
				if ok {
					st.query, st.params = p.pgSQL, params
					stmts = append(stmts, st)
					continue
				}
			}
			for from := 0; from < len(part); from += p.valuesBatch {
				sub := part[from:min(from+p.valuesBatch, len(part))]
				q, err := p.values(sub)
				if err != nil {
					return err
				}
				stmts = append(stmts, bulkStmt{plan: p, objs: sub, query: q})
			}
		}
	}
	if len(stmts) == 0 {
		return nil
	}
	// The generated keys are set once every statement has succeeded, and
	// zeroed again when the transaction then fails: a failed BulkCreate
	// leaves no object with the key of a row that does not exist.
	pk := w.info.pk
	run := func(ctx context.Context) error {
		var step int64 // MySQL's auto_increment_increment, read once
		if d == core.MySQL && len(groups[1].objs) > 0 {
			// Read before anything is inserted: without a transaction, a
			// failure after the INSERT would leave its rows behind. The
			// primary's setting: the one that numbers the rows.
			v, err := w.db.FetchVal(core.UsePrimary(ctx), "SELECT @@auto_increment_increment")
			if err != nil {
				return err
			}
			step, _ = v.(int64)
			if step < 1 {
				return w.errorf(ErrBadValue, "BulkCreate: auto_increment_increment is %v", v)
			}
		}
		for i := range stmts {
			if err := w.insertBatch(ctx, &stmts[i], step); err != nil {
				return err
			}
		}
		for _, st := range stmts {
			for i, key := range st.keys {
				if err := pk.assign(st.objs[i].FieldByIndex(pk.index), key); err != nil {
					return err
				}
			}
		}
		return nil
	}
	// One statement is atomic: it needs no transaction of its own, unless
	// a key that comes back may not fit the key field (and the row must
	// not stay). Inside the caller's transaction, a savepoint keeps that
	// transaction usable after a failure.
	var err error
	if k := pk.typ.Kind(); len(stmts) == 1 && !w.db.InTransaction(ctx) &&
		(k == reflect.Int || k == reflect.Int64 || k == reflect.Uint || k == reflect.Uint64) {
		err = run(ctx)
	} else {
		err = w.db.Transaction(ctx, run)
	}
	if err != nil {
		for _, v := range groups[1].objs {
			v.FieldByIndex(pk.index).SetZero()
		}
		return w.wrap(err)
	}
	for _, g := range groups {
		for _, v := range g.objs {
			w.remember(ctx, v)
		}
	}
	return nil
}

// bulkDefaults applies defaults and timestamps to object value v, as
// prepareInsert does, and reports whether the database generates its key.
func (w *writer) bulkDefaults(v reflect.Value, at time.Time) (bool, error) {
	generated := false
	for _, f := range w.info.fields {
		if !f.autoNow && !f.autoAdd && f.def == nil && !f.pk {
			continue
		}
		fv := v.FieldByIndex(f.index)
		switch {
		case f.autoNow || f.autoAdd:
			fv.Set(reflect.ValueOf(storedTime(at)))
		case f.def != nil && fv.IsZero():
			if err := f.assign(fv, f.def); err != nil {
				return false, err
			}
		}
		if f.pk && fv.IsZero() {
			if !f.auto {
				return false, w.errorfField(f, ErrNotSaved, "the primary key is not generated: set it before creating the object")
			}
			generated = true
		}
	}
	return generated, nil
}

// defaultKeyValue is the value that asks for a generated key.
func defaultKeyValue(d *core.Dialect) any {
	if d == core.SQLite {
		return nil
	}
	return goqu.L("DEFAULT")
}

// insertBatch sends one statement and, for keys the database generates,
// records them in st.keys. step is MySQL's auto_increment_increment.
func (w *writer) insertBatch(ctx context.Context, st *bulkStmt, step int64) error {
	var args []any
	if st.params != nil {
		args = []any{st.params}
	}
	if !st.plan.generated {
		_, err := w.db.Execute(ctx, st.query, args...)
		return err
	}
	objs := st.objs
	keys := make([]int64, 0, len(objs))
	d := w.db.Dialect()
	switch {
	case d == core.Postgres:
		// PostgreSQL returns the keys in the order of the rows. An INSERT
		// ... RETURNING read through Query: the primary's, not a replica's.
		rows, err := w.db.Query(core.UsePrimary(ctx), st.query, args...)
		if err != nil {
			return err
		}
		var id int64
		dest := []any{&id}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return err
			}
			keys = append(keys, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
	case d == core.MySQL:
		// LAST_INSERT_ID() is the first row's key; a multi-row INSERT gets
		// consecutive keys, auto_increment_increment apart.
		res, err := w.db.Execute(ctx, st.query, args...)
		if err != nil {
			return err
		}
		for i := range objs {
			keys = append(keys, res.LastInsertID+int64(i)*step)
		}
	default:
		// SQLite's last_insert_rowid() is the last row's key; a single
		// writer gives a statement consecutive keys.
		res, err := w.db.Execute(ctx, st.query, args...)
		if err != nil {
			return err
		}
		for i := range objs {
			keys = append(keys, res.LastInsertID-int64(len(objs)-1-i))
		}
	}
	if len(keys) != len(objs) {
		return w.errorf(ErrBadValue, "BulkCreate: %d keys came back for %d rows", len(keys), len(objs))
	}
	st.keys = keys
	return nil
}
