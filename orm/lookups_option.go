package orm

import (
	"runtime"
	"sync"
	"weak"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
)

// registries holds the lookup registry given to each database with
// UseLookups, by a weak pointer, so a binding never keeps a database alive.
var registries sync.Map // weak.Pointer[core.Database] -> *lookups.Registry

// UseLookups makes every query on db (Filter, Exclude, Get, GetOrCreate,
// ... of every model) parse and compile its lookups with reg instead of
// lookups.DefaultRegistry, so that lookups and transforms registered in reg
// work in every query. Call it at start-up, before the managers of db are
// made: a manager takes the registry when Objects makes it. A nil reg goes
// back to lookups.DefaultRegistry.
func UseLookups(db *core.Database, reg *lookups.Registry) {
	if db == nil {
		return
	}
	key := weak.Make(db)
	if reg == nil {
		registries.Delete(key)
		return
	}
	if _, loaded := registries.Swap(key, reg); !loaded {
		runtime.AddCleanup(db, func(k weak.Pointer[core.Database]) { registries.Delete(k) }, key)
	}
}

// lookupsOf returns the lookup registry of db's queries.
func lookupsOf(db *core.Database) *lookups.Registry {
	if db != nil {
		if r, ok := registries.Load(weak.Make(db)); ok {
			return r.(*lookups.Registry)
		}
	}
	return lookups.DefaultRegistry
}
