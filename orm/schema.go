package orm

import (
	"fmt"
	"reflect"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// buildSchema makes the core.Table of the model.
func (info *modelInfo) buildSchema() (*core.Table, error) {
	t := &core.Table{Name: info.table, RenamedFrom: info.meta.RenamedFrom}
	md := core.NewMetaData()
	stubs := map[string]bool{info.table: true}
	stub := func(target *modelInfo) {
		// Validate checks that a foreign key's table and column exist:
		// give it the target's key, whose table may not be built yet.
		if !stubs[target.table] {
			stubs[target.table] = true
			_ = md.Add(core.NewTable(target.table, &core.Column{Name: target.pk.column, Type: target.pk.ctype, PrimaryKey: true}))
		}
	}
	for _, f := range info.fields {
		col := &core.Column{Name: f.column, Type: f.ctype, Nullable: f.nullable, PrimaryKey: f.pk,
			AutoIncrement: f.auto, Unique: f.unique && !f.pk, Index: f.indexed && !f.unique && !f.pk, RenamedFrom: f.renamed}
		if f.def != nil {
			col.Default = schemaDefault(f.def)
		}
		if r := f.rel; r != nil {
			col.ForeignKey = &core.ForeignKey{Table: r.target.table, Column: r.target.pk.column, OnDelete: r.onDelete, OnUpdate: r.onUpdate}
			stub(r.target)
		}
		t.Columns = append(t.Columns, col)
	}
	cols := func(what string, names []string) ([]string, error) {
		out := make([]string, len(names))
		for i, n := range names {
			f := info.byKey[n]
			if f == nil {
				return nil, modelErr(info.name, n, ErrInvalidModel, "%s names a field the model does not have", what)
			}
			out[i] = f.column
		}
		return out, nil
	}
	for _, u := range info.meta.UniqueTogether {
		c, err := cols("UniqueTogether", u)
		if err != nil {
			return nil, err
		}
		t.Uniques = append(t.Uniques, &core.UniqueConstraint{Columns: c})
	}
	for _, ix := range info.meta.Indexes {
		c, err := cols("Indexes", ix.Fields)
		if err != nil {
			return nil, err
		}
		t.Indexes = append(t.Indexes, &core.Index{Name: ix.Name, Columns: c, Unique: ix.Unique})
	}
	for _, ck := range info.meta.Constraints {
		t.Checks = append(t.Checks, &core.CheckConstraint{Name: ck.Name, Expr: ck.Expr})
	}
	err := md.Add(t)
	for _, r := range info.rels {
		if r.joinTable != nil && err == nil {
			stub(r.target)
			err = md.Add(r.joinTable)
			info.joins = append(info.joins, r.joinTable)
		}
	}
	if err == nil {
		err = md.Validate()
	}
	if err != nil {
		return nil, &ModelError{Model: info.name, Err: fmt.Errorf("%w: %w", ErrInvalidModel, err)}
	}
	return t, nil
}

// schemaDefault turns a Go default into a value core's DDL accepts.
func schemaDefault(v any) any {
	rv := reflect.ValueOf(v)
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.999999")
	case decimal.Decimal:
		return x.String()
	case uuid.UUID:
		return x.String()
	}
	switch rv.Kind() {
	case reflect.Bool:
		return rv.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	case reflect.String:
		return rv.String()
	}
	return v
}
