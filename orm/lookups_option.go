package orm

import (
	"sync/atomic"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
)

// lookupsKey keys a database's lookup registry among its attachments.
type lookupsKey struct{}

// lookupsSlot is the registry UseLookups gave a database; nil for
// lookups.DefaultRegistry.
func lookupsSlot(db *core.Database) *atomic.Pointer[lookups.Registry] {
	return db.Attachment(lookupsKey{}, func() any { return new(atomic.Pointer[lookups.Registry]) }).(*atomic.Pointer[lookups.Registry])
}

// UseLookups makes every query on db (Filter, Exclude, Get, GetOrCreate,
// ... of every model) parse and compile its lookups with reg instead of
// lookups.DefaultRegistry, so that lookups and transforms registered in reg
// work in every query. Call it at start-up, before the managers of db are
// made: a manager takes the registry when Objects makes it. A nil reg goes
// back to lookups.DefaultRegistry.
func UseLookups(db *core.Database, reg *lookups.Registry) {
	if db != nil {
		lookupsSlot(db).Store(reg)
	}
}

// lookupsOf returns the lookup registry of db's queries.
func lookupsOf(db *core.Database) *lookups.Registry {
	if db != nil {
		if r := lookupsSlot(db).Load(); r != nil {
			return r
		}
	}
	return lookups.DefaultRegistry
}
