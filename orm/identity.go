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

// scope is one identity map: a map per model type. The database-wide
// scope holds its objects weakly; a WithCacheScope scope holds them for as
// long as the scope (its context) lives, which costs less per object.
type scope struct {
	mu     sync.Mutex
	types  map[reflect.Type]*typeMap
	strong bool
}

func newScope(strong bool) *scope {
	return &scope{types: map[reflect.Type]*typeMap{}, strong: strong}
}

func (s *scope) of(info *modelInfo) *typeMap {
	s.mu.Lock()
	defer s.mu.Unlock()
	tm := s.types[info.typ]
	if tm == nil {
		tm = &typeMap{info: info, m: map[ident]entry{}, sweepAt: 1024, strong: s.strong}
		s.types[info.typ] = tm
	}
	return tm
}

// ident is a primary key as a map key: an integer key in n, unboxed; any
// other key in v.
type ident struct {
	n int64
	v any
}

// identOf returns the ident of a primary key field's value.
func identOf(key reflect.Value) ident {
	switch key.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return ident{n: key.Int()}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return ident{n: int64(key.Uint())}
	}
	return ident{v: key.Interface()}
}

// typeMap holds one model's objects by primary key value.
type typeMap struct {
	info    *modelInfo
	mu      sync.Mutex
	m       map[ident]entry
	sweepAt int
	strong  bool
}

type entry struct {
	weak   weak.Pointer[byte] // the object, as a weak pointer to its first byte
	strong unsafe.Pointer     // or the object itself, in a scope that holds it
	loaded bool               // false: a stub that holds only its key
}

func (tm *typeMap) newEntry(p reflect.Value, loaded bool) entry {
	if tm.strong {
		return entry{strong: p.UnsafePointer(), loaded: loaded}
	}
	return entry{weak: weak.Make((*byte)(p.UnsafePointer())), loaded: loaded}
}

// value returns the entry's object, or false once it has been collected.
func (tm *typeMap) value(e entry) (reflect.Value, bool) {
	p := e.strong
	if p == nil {
		b := e.weak.Value()
		if b == nil {
			return reflect.Value{}, false
		}
		p = unsafe.Pointer(b)
	}
	return reflect.NewAt(tm.info.typ, p), true
}

// sweep drops the entries of collected objects, when the map has grown.
func (tm *typeMap) sweep() {
	if tm.strong || len(tm.m) < tm.sweepAt {
		return
	}
	for k, e := range tm.m {
		if e.weak.Value() == nil {
			delete(tm.m, k)
		}
	}
	tm.sweepAt = max(1024, 2*len(tm.m))
}

// adopt files obj (a pointer to a freshly read object) under key. It returns
// the object the scope holds for key: obj itself when there was none; the
// one already there, refreshed from obj in place when it was only a stub or
// force is set, and otherwise as it was.
func (tm *typeMap) adopt(key ident, obj reflect.Value, force bool) reflect.Value {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if e, ok := tm.m[key]; ok {
		if existing, ok := tm.value(e); ok {
			if existing.Pointer() == obj.Pointer() {
				e.loaded = true
				tm.m[key] = e
				return existing
			}
			if !e.loaded || force {
				tm.info.copyStored(existing.Elem(), obj.Elem())
				e.loaded = true
				tm.m[key] = e
			}
			return existing
		}
	}
	tm.sweep()
	tm.m[key] = tm.newEntry(obj, true)
	return obj
}

// stub returns the object for key (a value of the primary key field's
// type), making an unloaded one (only its key set) when the scope has none.
func (tm *typeMap) stub(key reflect.Value) reflect.Value {
	id := identOf(key)
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if e, ok := tm.m[id]; ok {
		if existing, ok := tm.value(e); ok {
			return existing
		}
	}
	obj := reflect.New(tm.info.typ)
	obj.Elem().FieldByIndex(tm.info.pk.index).Set(key)
	tm.sweep()
	tm.m[id] = tm.newEntry(obj, false)
	return obj
}

// stubInt is stub for an integer key, without boxing it.
func (tm *typeMap) stubInt(n int64) reflect.Value {
	tm.mu.Lock()
	if e, ok := tm.m[ident{n: n}]; ok {
		if existing, ok := tm.value(e); ok {
			tm.mu.Unlock()
			return existing
		}
	}
	tm.mu.Unlock()
	key := reflect.New(tm.info.pk.typ).Elem()
	if key.CanInt() {
		key.SetInt(n)
	} else {
		key.SetUint(uint64(n))
	}
	return tm.stub(key)
}

func (tm *typeMap) get(key ident) (reflect.Value, bool) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if e, ok := tm.m[key]; ok {
		return tm.value(e)
	}
	return reflect.Value{}, false
}

func (tm *typeMap) remove(key ident) {
	tm.mu.Lock()
	delete(tm.m, key)
	tm.mu.Unlock()
}

func (tm *typeMap) clear() {
	tm.mu.Lock()
	tm.m = map[ident]entry{}
	tm.mu.Unlock()
}

func (tm *typeMap) len() int {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	n := 0
	for _, e := range tm.m {
		if _, ok := tm.value(e); ok {
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
// request or unit of work. The scope holds its objects (strongly) until it
// is gone with the context, which makes it cheaper than the weak
// database-wide map: do not keep one for the life of a program.
func WithCacheScope(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeKey{}, newScope(true))
}

// scopeFor returns the identity map a read made with ctx on db uses.
func scopeFor(ctx context.Context, db *core.Database) *scope {
	if s, ok := ctx.Value(scopeKey{}).(*scope); ok {
		return s
	}
	return db.Attachment(dbScopeKey{}, func() any { return newScope(false) }).(*scope)
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
		return &Cache[T]{tm: &typeMap{info: m.info, m: map[ident]entry{}}}
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
	v, ok := c.tm.get(identOf(key))
	if !ok {
		return nil, false
	}
	return v.Interface().(*T), true
}

// Len returns how many live objects the cache holds.
func (c *Cache[T]) Len() int { return c.tm.len() }

// Clear empties the cache: the next read of any row makes a new object.
func (c *Cache[T]) Clear() { c.tm.clear() }
