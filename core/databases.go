package core

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// DefaultName is the name of the database models use unless they ask for another.
const DefaultName = "default"

// Resolver finds a database by name. Both *Database (which answers only to
// "default") and *Databases implement it, so code that routes models to
// databases takes a Resolver.
type Resolver interface {
	Using(name string) (*Database, error)
}

var (
	_ Resolver = (*Database)(nil)
	_ Resolver = (*Databases)(nil)
)

// Databases is a set of named databases, such as "default" and "other", that
// the orm routes models to by the database name in their options.
type Databases struct {
	dbs map[string]*Database
}

// NewDatabases groups already opened databases under names. One of them must
// be named "default".
func NewDatabases(dbs map[string]*Database) (*Databases, error) {
	if dbs[DefaultName] == nil {
		return nil, fmt.Errorf("%w: no %q database among the %d given", ErrUnknownDatabase, DefaultName, len(dbs))
	}
	m := make(map[string]*Database, len(dbs))
	for name, db := range dbs {
		if db == nil {
			return nil, fmt.Errorf("core: database %q is nil", name)
		}
		m[name] = db
	}
	return &Databases{dbs: m}, nil
}

// OpenAll opens one database per named URL (one of them named "default");
// if any fails, those already opened are closed again.
func OpenAll(ctx context.Context, urls map[string]string, opts ...Option) (*Databases, error) {
	if _, ok := urls[DefaultName]; !ok {
		return nil, fmt.Errorf("%w: no %q URL among the %d given", ErrUnknownDatabase, DefaultName, len(urls))
	}
	dbs := map[string]*Database{}
	for _, name := range sortedKeys(urls) {
		db, err := Open(ctx, urls[name], opts...)
		if err != nil {
			for _, opened := range dbs {
				_ = opened.Close()
			}
			return nil, fmt.Errorf("core: database %q: %w", name, err)
		}
		dbs[name] = db
	}
	return &Databases{dbs: dbs}, nil
}

// Using returns the database of that name; "" means "default".
func (ds *Databases) Using(name string) (*Database, error) {
	if name == "" {
		name = DefaultName
	}
	db, ok := ds.dbs[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q (have %v)", ErrUnknownDatabase, name, sortedKeys(ds.dbs))
	}
	return db, nil
}

// Default returns the "default" database.
func (ds *Databases) Default() *Database { return ds.dbs[DefaultName] }

// Names returns the names, sorted.
func (ds *Databases) Names() []string { return sortedKeys(ds.dbs) }

// Close closes every database and joins their errors.
func (ds *Databases) Close() error {
	var errs []error
	for _, name := range sortedKeys(ds.dbs) {
		if err := ds.dbs[name].Close(); err != nil {
			errs = append(errs, fmt.Errorf("database %q: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
