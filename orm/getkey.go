package orm

import (
	"context"
	"reflect"
	"strings"
	"sync"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
)

// Get by primary key on a query set with nothing else to it is the most
// common query there is. Its SQL is built once per model and dialect and
// the key bound to it, skipping lookups parsing and goqu rendering (about
// 150 allocations and a few dozen microseconds a call).

// byKey reports whether Get(conds...) on qs is a plain primary-key lookup,
// and returns the key as given.
func (qs *QuerySet[T]) byKey(conds []any) (any, bool) {
	if qs.err != nil || len(conds) != 1 || len(qs.where) > 0 || len(qs.order) > 0 || len(qs.related) > 0 ||
		qs.limit >= 0 || qs.offset > 0 || qs.distinct || qs.update || qs.share {
		return nil, false
	}
	q, ok := conds[0].(lookups.Q)
	if !ok || len(q) != 1 {
		return nil, false
	}
	for k, v := range q {
		k = strings.TrimSuffix(k, "__exact")
		if v == nil || qs.info.field(k) != qs.info.pk {
			return nil, false
		}
		return v, true
	}
	return nil, false
}

// getSQL caches the SELECT of one row by key, per model and dialect.
var getSQL sync.Map // getKey -> string

type getKey struct {
	info *modelInfo
	d    *core.Dialect
}

func (info *modelInfo) selectByKey(d *core.Dialect) string {
	if s, ok := getSQL.Load(getKey{info, d}); ok {
		return s.(string)
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, f := range info.fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.QuoteIdent(f.column))
	}
	b.WriteString(" FROM " + d.QuoteTable(info.table) + " WHERE " + d.QuoteIdent(info.pk.column) + " = :pk LIMIT 2")
	s, _ := getSQL.LoadOrStore(getKey{info, d}, b.String())
	return s.(string)
}

func (qs *QuerySet[T]) getByKey(ctx context.Context, key any) (*T, error) {
	info := qs.info
	holder := reflect.New(info.pk.typ).Elem()
	if err := info.pk.assign(holder, key); err != nil {
		return nil, &lookups.Error{Model: info.name, Key: "pk", Name: info.pk.name, Err: lookups.ErrBadValue, Cause: causeOf(err)}
	}
	bound, err := info.pk.toDB(holder, qs.db.Dialect())
	if err != nil {
		return nil, err
	}
	rows, err := qs.db.Query(ctx, info.selectByKey(qs.db.Dialect()), core.Params{"pk": bound})
	if err != nil {
		return nil, qs.wrap(err)
	}
	defer rows.Close()
	sc := qs.scanCtx(ctx)
	sc.main = !sc.scope.kind.perCall() || len(qs.prefetch) > 0 || info.refersToItself()
	tm := qs.mainMap(sc)
	var found *T
	for rows.Next() {
		if found != nil {
			return nil, qs.errorf(ErrMultipleObjectsReturned, "more than one row has primary key %v", key)
		}
		if found, err = qs.scan(rows, sc, tm); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, qs.wrap(err)
	}
	if found == nil {
		return nil, qs.errorf(ErrDoesNotExist, "no row has primary key %v", key)
	}
	if len(qs.prefetch) > 0 {
		nodes, err := qs.planPrefetch()
		if err == nil {
			err = prefetchAll(ctx, qs.db, sc, []reflect.Value{reflect.ValueOf(found)}, nodes)
		}
		if err != nil {
			return nil, qs.wrap(err)
		}
	}
	return found, nil
}
