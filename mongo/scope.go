package mongo

import (
	"context"
	"reflect"
	"runtime"
	"sync"
	"weak"

	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
)

// The identity map. Within one scope, one _id of one model is one object:
// restoring a document whose object the scope holds returns that object
// (refreshed, see below), and references between objects (cycles included)
// come back as pointers to the same objects.
//
// Which scope a call uses, the first that applies:
//   - the scope its context carries: WithScope, or Transaction (which opens
//     one for its function);
//   - the database-wide cache of a manager made with WithDatabaseCache;
//   - otherwise a scope of its own, dropped when the call returns, so that
//     two calls (two goroutines, two requests) never share an object.

// Cache is an identity map: at most one object per model and _id. Each
// WithScope context has one (holding its objects for as long as the scope
// is used), and each database (client and name) has a weak one, used by the
// managers made with WithDatabaseCache. It is safe for concurrent use; the
// objects it holds are not (see WithDatabaseCache).
type Cache struct {
	mu      sync.Mutex
	entries map[cacheKey]*cacheEntry
	// weak caches hold their objects with weak pointers.
	weak bool
}

type cacheKey struct {
	model *modelInfo
	id    any // the _id as its Go field value
}

type cacheEntry struct {
	ref weakRef       // the object, in a weak cache
	obj reflect.Value // the object, in a scope
	// loaded is the load state of objects of models that do not embed
	// Model (those that do keep it in the object).
	loaded bool
}

func (e *cacheEntry) get() reflect.Value {
	if e.ref != nil {
		return e.ref.get()
	}
	return e.obj
}

func newCache(weak bool) *Cache { return &Cache{entries: map[cacheKey]*cacheEntry{}, weak: weak} }

// Clear empties the cache: later restores make new objects. Objects already
// handed out are not changed. A nil Cache does nothing.
func (c *Cache) Clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
}

// Len returns the number of objects in the cache that are still alive (0 for
// a nil Cache).
func (c *Cache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, e := range c.entries {
		if e.get().IsValid() {
			n++
		}
	}
	return n
}

// evict removes key when it still refers to ref (its object is garbage).
func (c *Cache) evict(key cacheKey, ref weakRef) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[key]; e != nil && e.ref == ref {
		delete(c.entries, key)
	}
}

// lookup returns the live object cached for info and id, or an invalid
// Value. The caller holds c.mu.
func (c *Cache) lookup(info *modelInfo, id any) (reflect.Value, *cacheEntry) {
	e := c.entries[cacheKey{info, id}]
	if e == nil {
		return reflect.Value{}, nil
	}
	p := e.get()
	if !p.IsValid() {
		return reflect.Value{}, nil
	}
	return p, e
}

// put caches ptr as the object of info and id, replacing another. The
// caller holds c.mu.
func (c *Cache) put(info *modelInfo, id any, ptr reflect.Value) *cacheEntry {
	key := cacheKey{info, id}
	if e := c.entries[key]; e != nil {
		if p := e.get(); p.IsValid() && p.Pointer() == ptr.Pointer() {
			return e
		}
	}
	var e *cacheEntry
	if c.weak {
		e = &cacheEntry{ref: info.hooks.Load().track(ptr, c, key)}
	} else {
		e = &cacheEntry{obj: ptr}
	}
	c.entries[key] = e
	return e
}

// remove forgets the object of info and id if it is ptr. The caller holds
// c.mu.
func (c *Cache) remove(info *modelInfo, id any, ptr reflect.Value) {
	key := cacheKey{info, id}
	if e := c.entries[key]; e != nil {
		if p := e.get(); !p.IsValid() || p.Pointer() == ptr.Pointer() {
			delete(c.entries, key)
		}
	}
}

// isLoaded reports the load state of the object ptr points to. The caller
// holds c.mu.
func (c *Cache) isLoaded(info *modelInfo, ptr reflect.Value) bool {
	if m := info.base0(ptr); m != nil {
		return m.IsLoaded()
	}
	if !info.hooksReady() {
		return false
	}
	p, e := c.lookup(info, info.idOf(ptr).Interface())
	return e != nil && p.Pointer() == ptr.Pointer() && e.loaded
}

// setLoaded sets the load state of the object ptr points to, and the
// document it was loaded from or saved as (snap, for dirty tracking). The
// caller holds c.mu (or c is nil: only the object's own state is set).
func (c *Cache) setLoaded(info *modelInfo, ptr reflect.Value, v bool, snap []byte) {
	if m := info.base0(ptr); m != nil {
		m.setState(snap, v)
	}
	if c == nil || !info.hooksReady() {
		return
	}
	if p, e := c.lookup(info, info.idOf(ptr).Interface()); e != nil && p.Pointer() == ptr.Pointer() {
		e.loaded = v
	}
}

func (m *modelInfo) hooksReady() bool { return m.hooks.Load() != nil }

type scopeKey struct{}

// WithScope returns a context that carries an identity map of its own (a
// unit of work, as SQLAlchemy's Session): the calls made with it, or with a
// context derived from it, share their objects (a Get twice returns one
// pointer), and no other scope sees them. Open one per request or unit of
// work and let it go with the context; it holds its objects until then, so
// do not keep one for the life of a program. Transaction opens one for its
// function.
//
// Without a scope, each call (Find, Get, Aggregate...) is its own scope:
// references within its results still come back as one object per _id
// (p.Related[0].Related[0] == p), but two calls return two objects.
func WithScope(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeKey{}, newCache(false))
}

// ScopeOf returns the identity map ctx carries (WithScope, Transaction), or
// nil.
func ScopeOf(ctx context.Context) *Cache {
	c, _ := ctx.Value(scopeKey{}).(*Cache)
	return c
}

// scopeFor returns the identity map a call made with ctx uses, and whether
// it outlives the call.
func (m *Manager[T]) scopeFor(ctx context.Context) (*Cache, bool) {
	if c := ScopeOf(ctx); c != nil {
		return c, true
	}
	if m.dbCache != nil {
		return m.dbCache, true
	}
	return newCache(false), false
}

// caches holds the Cache of each database, by client and name; the entries
// of a client go when the client is garbage.
var caches = struct {
	sync.Mutex
	m       map[dbKey]*Cache
	clients map[weak.Pointer[mongodriver.Client]]bool
}{m: map[dbKey]*Cache{}, clients: map[weak.Pointer[mongodriver.Client]]bool{}}

type dbKey struct {
	client weak.Pointer[mongodriver.Client]
	name   string
}

// cacheFor returns the database-wide identity cache of db.
func cacheFor(db *mongodriver.Database) *Cache {
	client := db.Client()
	wc := weak.Make(client)
	key := dbKey{wc, db.Name()}
	caches.Lock()
	defer caches.Unlock()
	if c := caches.m[key]; c != nil {
		return c
	}
	c := newCache(true)
	caches.m[key] = c
	if !caches.clients[wc] {
		caches.clients[wc] = true
		runtime.AddCleanup(client, func(wc weak.Pointer[mongodriver.Client]) {
			caches.Lock()
			defer caches.Unlock()
			delete(caches.clients, wc)
			for k := range caches.m {
				if k.client == wc {
					delete(caches.m, k)
				}
			}
		}, wc)
	}
	return c
}
