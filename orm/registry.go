package orm

import (
	"context"
	"reflect"
	"sync"

	"github.com/atomdb/atomdb/core"
)

// Registry is a set of models: the schema an application's models make, as
// a core.MetaData (the target that migrations diff against). Make one at
// start-up, or use DefaultRegistry through Register.
type Registry struct {
	mu     sync.Mutex
	models []*modelInfo
	naming core.NamingConvention
}

// NewRegistry returns an empty registry whose MetaData uses the naming
// convention (core.DefaultNaming when none is given).
func NewRegistry(naming ...core.NamingConvention) *Registry {
	r := &Registry{naming: core.DefaultNaming}
	if len(naming) > 0 {
		r.naming = naming[0]
	}
	return r
}

// DefaultRegistry is the registry Register adds to.
var DefaultRegistry = NewRegistry()

// Register checks models (values or pointers of model structs) and adds
// them to DefaultRegistry; an invalid model is an error naming the struct
// and field, and nothing is added.
func Register(models ...any) error { return DefaultRegistry.Register(models...) }

// Register checks models and adds them to r; registering a model twice is
// harmless. Nothing is added when one of them is invalid.
func (r *Registry) Register(models ...any) error {
	infos, err := infosOf(models)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, info := range infos {
		known := false
		for _, m := range r.models {
			known = known || m == info
		}
		if !known {
			r.models = append(r.models, info)
		}
	}
	return nil
}

// MetaData returns the tables of the registered models.
func (r *Registry) MetaData() (*core.MetaData, error) {
	r.mu.Lock()
	infos := append([]*modelInfo(nil), r.models...)
	r.mu.Unlock()
	return metaDataOf(infos, r.naming)
}

// CreateTables creates the tables of models in db, in foreign-key order,
// with their indexes and constraints (see core.MetaData.CreateAll).
func CreateTables(ctx context.Context, db *core.Database, models ...any) error {
	md, err := modelsMetaData(models)
	if err != nil {
		return err
	}
	return md.CreateAll(ctx, db)
}

// DropTables drops the tables of models from db, in reverse foreign-key order.
func DropTables(ctx context.Context, db *core.Database, models ...any) error {
	md, err := modelsMetaData(models)
	if err != nil {
		return err
	}
	return md.DropAll(ctx, db, core.IfExists())
}

// modelsMetaData is the metadata of the given models' tables.
func modelsMetaData(models []any) (*core.MetaData, error) {
	infos, err := infosOf(models)
	if err != nil {
		return nil, err
	}
	return metaDataOf(infos, core.DefaultNaming)
}

func infosOf(models []any) ([]*modelInfo, error) {
	infos := make([]*modelInfo, 0, len(models))
	for _, m := range models {
		t := reflect.TypeOf(m)
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == nil {
			return nil, &ModelError{Model: "<nil>", Err: ErrInvalidModel}
		}
		info, err := infoFor(t)
		if err != nil {
			return nil, err
		}
		infos = append(infos, info)
	}
	for _, info := range infos {
		if err := info.ready(); err != nil {
			return nil, err
		}
	}
	return infos, nil
}

func metaDataOf(infos []*modelInfo, naming core.NamingConvention) (*core.MetaData, error) {
	md := core.NewMetaData(core.WithNaming(naming))
	for _, info := range infos {
		if err := md.Add(info.schema); err != nil {
			return nil, &ModelError{Model: info.name, Err: err}
		}
		for _, jt := range info.joins {
			if err := md.Add(jt); err != nil {
				return nil, &ModelError{Model: info.name, Err: err}
			}
		}
	}
	return md, nil
}
