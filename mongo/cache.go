package mongo

import (
	"reflect"
	"runtime"
	"sync"
	"weak"

	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
)

// Cache is the identity cache of one database: at most one object per model
// and _id, so that restoring a document whose object is already in memory
// returns that object, and references between objects (cycles included)
// come back as pointers to the same objects.
//
// Objects are held weakly (Go's weak package): an object nothing else
// refers to leaves the cache after a garbage collection. Every manager of
// one database (same *mongo.Client and database name) shares its Cache. It is
// safe for concurrent use.
type Cache struct {
	mu      sync.Mutex
	entries map[cacheKey]*cacheEntry
}

type cacheKey struct {
	model *modelInfo
	id    any // the _id as its Go field value
}

type cacheEntry struct {
	ref weakRef
	// loaded is the load state of objects of models that do not embed
	// Model (those that do keep it in the object).
	loaded bool
}

func newCache() *Cache { return &Cache{entries: map[cacheKey]*cacheEntry{}} }

// Clear empties the cache: later restores make new objects. Objects already
// handed out are not changed. A nil Cache (of a manager without a database)
// does nothing.
func (c *Cache) Clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
}

// Len returns the number of objects in the cache that are still alive.
func (c *Cache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, e := range c.entries {
		if e.ref.get().IsValid() {
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
	p := e.ref.get()
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
		if p := e.ref.get(); p.IsValid() && p.Pointer() == ptr.Pointer() {
			return e
		}
	}
	e := &cacheEntry{ref: info.hooks.Load().track(ptr, c, key)}
	c.entries[key] = e
	return e
}

// remove forgets the object of info and id if it is ptr. The caller holds
// c.mu.
func (c *Cache) remove(info *modelInfo, id any, ptr reflect.Value) {
	key := cacheKey{info, id}
	if e := c.entries[key]; e != nil {
		if p := e.ref.get(); !p.IsValid() || p.Pointer() == ptr.Pointer() {
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

// setLoaded sets the load state of the object ptr points to. The caller
// holds c.mu.
func (c *Cache) setLoaded(info *modelInfo, ptr reflect.Value, v bool) {
	if m := info.base0(ptr); m != nil {
		m.setLoaded(v)
	}
	if !info.hooksReady() {
		return
	}
	if p, e := c.lookup(info, info.idOf(ptr).Interface()); e != nil && p.Pointer() == ptr.Pointer() {
		e.loaded = v
	}
}

func (m *modelInfo) hooksReady() bool { return m.hooks.Load() != nil }

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

// cacheFor returns the identity cache of db.
func cacheFor(db *mongodriver.Database) *Cache {
	client := db.Client()
	wc := weak.Make(client)
	key := dbKey{wc, db.Name()}
	caches.Lock()
	defer caches.Unlock()
	if c := caches.m[key]; c != nil {
		return c
	}
	c := newCache()
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
