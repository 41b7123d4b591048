package orm

import (
	"context"
	"reflect"

	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// Table returns model T's table, to use in hand-written goqu queries:
//
//	q := goqu.From(orm.Table[Track]()).
//		Join(orm.Table[Album](), goqu.On(orm.Table[Album]().Col("id").Eq(orm.Table[Track]().Col("album_id")))).
//		Select(orm.Columns[Track](), orm.Columns[Album]())
//
// An invalid model gives a table named after the type; its error comes from
// the manager (or Register).
func Table[T any]() exp.IdentifierExpression {
	info, err := infoOf[T]()
	if err != nil {
		return goqu.T(reflect.TypeFor[T]().Name())
	}
	return core.TableIdent(info.table)
}

// Columns returns every stored column of model T, qualified by its table
// and labelled "table__column", so that several models can share one
// SELECT without name clashes; Restore reads those labels back. A label
// longer than core.MaxIdentifierLength is shortened (see core.Label), so
// that no database cuts it.
func Columns[T any]() exp.ColumnListExpression {
	info, err := infoOf[T]()
	if err != nil {
		return exp.NewColumnListExpression()
	}
	cols := make([]any, len(info.fields))
	for i, f := range info.fields {
		cols[i] = core.ColumnIdent(info.table, f.column).As(core.LabelIdent(label(info, f)))
	}
	return exp.NewColumnListExpression(cols...)
}

func label(info *modelInfo, f *field) string { return core.Label(info.table, f.column) }

// Restore builds an object of the model from a row of any query (FetchAll,
// FetchOne, Iterate of a hand-written goqu query with joins): for each field
// it takes the column labelled by Columns ("table__column") if the row has
// it, else the plain column name, and ignores columns it does not know. The
// row must hold the primary key and, when the model has other columns, at
// least one of them: a row with none is an error naming the model, never an
// object of zero values. When the key is NULL (an outer join that found no
// row of this model) Restore returns nil and no error. The object goes
// through the identity map: restoring a row whose key the scope already
// holds returns that object, refreshed. Each Restore call is its own scope
// unless ctx carries one (WithScope or a transaction): restore the rows of
// a join with such a context to link the objects (track.Album == album).
func (m *Manager[T]) Restore(ctx context.Context, row *core.Row) (*T, error) {
	if m.err != nil {
		return nil, m.err
	}
	if row == nil {
		return nil, m.errorf(ErrBadValue, "Restore(nil)")
	}
	info := m.info
	sc := m.scanCtx(ctx)
	obj := reflect.New(info.typ).Elem()
	sawKey, found := false, 0
	for _, f := range info.fields {
		v, ok := row.Lookup(label(info, f))
		if !ok {
			if v, ok = row.Lookup(f.column); !ok {
				continue
			}
		}
		found++
		if f == info.pk {
			if v == nil {
				return nil, nil // an outer join that found no row of this model
			}
			sawKey = true
		}
		if err := f.set(obj.FieldByIndex(f.index), v, sc); err != nil {
			return nil, err
		}
	}
	if !sawKey {
		return nil, m.w().errorfField(info.pk, ErrBadValue, "Restore: the row has no column %q or %q (columns: %v)",
			label(info, info.pk), info.pk.column, row.Columns())
	}
	if found == 1 && len(info.fields) > 1 {
		return nil, m.errorf(ErrBadValue, "Restore: the row holds the key but none of the other columns of %s (labelled %q or named %q, ...; columns: %v)",
			info.name, label(info, info.fields[firstOther(info)]), info.fields[firstOther(info)].column, row.Columns())
	}
	return info.adopt(obj, sc, sc.scope.of(info)).Interface().(*T), nil
}

// firstOther returns the index of the model's first field that is not its key.
func firstOther(info *modelInfo) int {
	for i, f := range info.fields {
		if f != info.pk {
			return i
		}
	}
	return 0
}
