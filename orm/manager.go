package orm

import (
	"context"
	"reflect"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
)

// Manager is a model's entry point (Django's Model.objects): it creates,
// saves, deletes and loads objects, and, through the QuerySet it embeds,
// starts every query (Filter, Get, All, Count, ...).
//
//	albums := orm.Objects[Album](db)
//	a, err := albums.Create(ctx, &Album{Name: "Malibu"})
//	a, err = albums.Get(ctx, lookups.Q{"name": "Malibu"})
type Manager[T any] struct {
	*QuerySet[T]
}

// Objects returns the manager of model T on the database the model lives
// in: db itself, or, when db is a *core.Databases, the one named by the
// model's db= option or Meta().Database ("default" otherwise). An invalid
// model or a missing database is returned as the error of every call.
func Objects[T any](db core.Resolver) *Manager[T] {
	qs := &QuerySet[T]{limit: -1, reg: lookups.DefaultRegistry}
	qs.info, qs.err = infoOf[T]()
	if qs.err == nil {
		qs.err = qs.info.ready()
	}
	if qs.err == nil {
		if isNil(db) {
			qs.err = qs.errorf(ErrBadValue, "Objects needs a database, got nil")
		} else if d, err := db.Using(qs.info.database); err != nil {
			qs.err = &ModelError{Model: qs.info.name, Err: err}
		} else {
			qs.db, qs.reg = d, lookupsOf(d)
		}
	}
	return &Manager[T]{QuerySet: qs}
}

func isNil(db core.Resolver) bool {
	if db == nil {
		return true
	}
	v := reflect.ValueOf(db)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// Database returns the database the manager works on (nil if it has none).
func (m *Manager[T]) Database() *core.Database { return m.db }

// Table returns the model's table metadata, for DDL and migrations.
func (m *Manager[T]) Table() (*core.Table, error) {
	if m.err != nil {
		return nil, m.err
	}
	return m.info.schema, nil
}

// CreateTable creates the model's table with its indexes and constraints.
func (m *Manager[T]) CreateTable(ctx context.Context, opts ...core.DDLOption) error {
	if m.err != nil {
		return m.err
	}
	// Table by table: the tables its foreign keys point to are created by
	// their own models (orm.CreateTables orders several by their keys).
	var stmts []string
	for _, t := range append([]*core.Table{m.info.schema}, m.info.joins...) {
		s, err := t.CreateSQL(m.db.Dialect(), core.DefaultNaming, opts...)
		if err != nil {
			return m.wrap(err)
		}
		stmts = append(stmts, s...)
	}
	return m.execAll(ctx, stmts)
}

// DropTable drops the model's table.
func (m *Manager[T]) DropTable(ctx context.Context, opts ...core.DDLOption) error {
	if m.err != nil {
		return m.err
	}
	var stmts []string
	for _, t := range m.info.joins {
		stmts = append(stmts, t.DropSQL(m.db.Dialect(), opts...))
	}
	return m.execAll(ctx, append(stmts, m.info.schema.DropSQL(m.db.Dialect(), opts...)))
}

// check validates a method's object argument.
func (m *Manager[T]) check(obj *T, method string) (reflect.Value, error) {
	if m.err != nil {
		return reflect.Value{}, m.err
	}
	if obj == nil {
		return reflect.Value{}, m.errorf(ErrBadValue, "%s(nil)", method)
	}
	return reflect.ValueOf(obj).Elem(), nil
}

func (m *Manager[T]) execAll(ctx context.Context, stmts []string) error {
	for _, s := range stmts {
		if _, err := m.db.Execute(ctx, s); err != nil {
			return m.wrap(err)
		}
	}
	return nil
}
