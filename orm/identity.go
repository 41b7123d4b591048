package orm

import (
	"context"
	"reflect"
	"sync"
	"unsafe"
	"weak"

	"github.com/atomdb/atomdb/core"
)

// The identity map: within one scope, one primary key of one model is one
// object. Get twice gives the same pointer, and a foreign key's stub is the
// object a later load fills in. Objects are held weakly: one that nothing
// else references leaves the map after a garbage collection.
//
// The default scope is per *core.Database (atom-db's behaviour); a context
// from WithCacheScope carries a scope of its own, for a request's unit of
// work. An object already in the scope is returned as it is when its row is
// read again, even if the row changed meanwhile, unless the query set asks
// for ForceRestore.

// scope is one identity map: a map per model type.
type scope struct {
	mu    sync.Mutex
	types map[reflect.Type]*typeMap
}

func newScope() *scope { return &scope{types: map[reflect.Type]*typeMap{}} }

func (s *scope) of(info *modelInfo) *typeMap {
	s.mu.Lock()
	defer s.mu.Unlock()
	tm := s.types[info.typ]
	if tm == nil {
		tm = &typeMap{info: info, m: map[any]*entry{}, sweepAt: 1024}
		s.types[info.typ] = tm
	}
	return tm
}

// typeMap holds one model's objects by primary key value.
type typeMap struct {
	info    *modelInfo
	mu      sync.Mutex
	m       map[any]*entry
	sweepAt int
}

type entry struct {
	ptr    weak.Pointer[byte] // the object, as a weak pointer to its first byte
	loaded bool               // false: a stub that holds only its key
}

func weakOf(p reflect.Value) weak.Pointer[byte] { return weak.Make((*byte)(p.UnsafePointer())) }

// value returns the entry's object, or false once it has been collected.
func (tm *typeMap) value(e *entry) (reflect.Value, bool) {
	b := e.ptr.Value()
	if b == nil {
		return reflect.Value{}, false
	}
	return reflect.NewAt(tm.info.typ, unsafe.Pointer(b)), true
}

// sweep drops the entries of collected objects, when the map has grown.
func (tm *typeMap) sweep() {
	if len(tm.m) < tm.sweepAt {
		return
	}
	for k, e := range tm.m {
		if e.ptr.Value() == nil {
			delete(tm.m, k)
		}
	}
	tm.sweepAt = max(1024, 2*len(tm.m))
}

// adopt files obj (a pointer to a freshly read object) under key. It returns
// the object the scope holds for key: obj itself when there was none; the
// one already there, refreshed from obj in place when it was only a stub or
// force is set, and otherwise as it was.
func (tm *typeMap) adopt(key any, obj reflect.Value, force bool) reflect.Value {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if e := tm.m[key]; e != nil {
		if existing, ok := tm.value(e); ok {
			if existing.Pointer() == obj.Pointer() {
				e.loaded = true
				return existing
			}
			if !e.loaded || force {
				tm.info.copyStored(existing.Elem(), obj.Elem())
				e.loaded = true
			}
			return existing
		}
	}
	tm.sweep()
	tm.m[key] = &entry{ptr: weakOf(obj), loaded: true}
	return obj
}

// stub returns the object for key, making an unloaded one (only its key set)
// when the scope has none.
func (tm *typeMap) stub(key reflect.Value) reflect.Value {
	k := key.Interface()
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if e := tm.m[k]; e != nil {
		if existing, ok := tm.value(e); ok {
			return existing
		}
	}
	obj := reflect.New(tm.info.typ)
	obj.Elem().FieldByIndex(tm.info.pk.index).Set(key)
	tm.sweep()
	tm.m[k] = &entry{ptr: weakOf(obj)}
	return obj
}

func (tm *typeMap) get(key any) (reflect.Value, bool) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if e := tm.m[key]; e != nil {
		return tm.value(e)
	}
	return reflect.Value{}, false
}

func (tm *typeMap) remove(key any) {
	tm.mu.Lock()
	delete(tm.m, key)
	tm.mu.Unlock()
}

func (tm *typeMap) clear() {
	tm.mu.Lock()
	tm.m = map[any]*entry{}
	tm.mu.Unlock()
}

func (tm *typeMap) len() int {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	n := 0
	for _, e := range tm.m {
		if e.ptr.Value() != nil {
			n++
		}
	}
	return n
}

// copyStored copies the stored fields of src into dst (both struct values).
func (info *modelInfo) copyStored(dst, src reflect.Value) {
	for _, f := range info.fields {
		dst.FieldByIndex(f.index).Set(src.FieldByIndex(f.index))
	}
	info.markLoaded(dst, nil)
}

type scopeKey struct{}

type dbScopeKey struct{}

// WithCacheScope returns a context that carries an identity map of its own:
// objects read with it (or with contexts derived from it) are shared within
// it, and not with other scopes or the database-wide one. Use one per
// request or unit of work; it is gone with the context.
func WithCacheScope(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeKey{}, newScope())
}

// scopeFor returns the identity map a read made with ctx on db uses.
func scopeFor(ctx context.Context, db *core.Database) *scope {
	if s, ok := ctx.Value(scopeKey{}).(*scope); ok {
		return s
	}
	return db.Attachment(dbScopeKey{}, func() any { return newScope() }).(*scope)
}

// Cache is one model's part of an identity map.
type Cache[T any] struct {
	tm *typeMap
}

// Cache returns the model's part of the database-wide identity map (see
// WithCacheScope for per-request scopes and CacheIn to reach them).
func (m *Manager[T]) Cache() *Cache[T] { return m.CacheIn(context.Background()) }

// CacheIn returns the model's part of the identity map that ctx reads use.
func (m *Manager[T]) CacheIn(ctx context.Context) *Cache[T] {
	if m.err != nil || m.db == nil {
		return &Cache[T]{tm: &typeMap{info: m.info, m: map[any]*entry{}}}
	}
	return &Cache[T]{tm: scopeFor(ctx, m.db).of(m.info)}
}

// Get returns the cached object with primary key pk, if one is alive.
func (c *Cache[T]) Get(pk any) (*T, bool) {
	if c.tm.info == nil {
		return nil, false
	}
	key := reflect.New(c.tm.info.pk.typ).Elem()
	if err := c.tm.info.pk.assign(key, pk); err != nil {
		return nil, false
	}
	v, ok := c.tm.get(key.Interface())
	if !ok {
		return nil, false
	}
	return v.Interface().(*T), true
}

// Len returns how many live objects the cache holds.
func (c *Cache[T]) Len() int { return c.tm.len() }

// Clear empties the cache: the next read of any row makes a new object.
func (c *Cache[T]) Clear() { c.tm.clear() }
