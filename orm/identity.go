package orm

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"
	"weak"

	"github.com/atomdb/atomdb/core"
)

// The identity map: within one scope, one primary key of one model is one
// object. A scope is a unit of work, as SQLAlchemy's Session is:
//
//   - a transaction (db.Transaction, db.Begin) is one: objects read inside
//     it are shared inside it, and it ends with the transaction. A rollback
//     also undoes what the transaction did to objects (see journal);
//   - WithScope gives a context (a request, a job) a scope of its own; a
//     transaction begun inside it shares it;
//   - otherwise each terminal call (Get, All, Iterate, Restore, Load...) is
//     its own scope: within its result one key is one object
//     (child.Parent == parent), and nothing is shared with any other call;
//   - WithDatabaseScope opts into atom-db's database-wide map, held with
//     weak pointers, for single-goroutine programs.
//
// Reads are never stale: a row read for an object the scope already holds
// refreshes every field of that object that has no unsaved change;
// ForUpdate and ForceRestore refresh every field.

// scopeKind says how long a scope lives and how it holds its objects.
type scopeKind uint8

const (
	callScope   scopeKind = iota // one terminal call; strong, dropped with the call
	streamScope                  // one Iterate; weak, so that a long stream's memory stays bounded
	unitScope                    // WithScope or a transaction; strong
	sharedScope                  // the database-wide map; weak
)

// perCall reports whether the scope lives for one call only.
func (k scopeKind) perCall() bool { return k == callScope || k == streamScope }

// scope is one identity map: a map per model type.
type scope struct {
	mu    sync.Mutex
	types map[reflect.Type]*typeMap
	kind  scopeKind
	gen   atomic.Uint64 // numbers the reads made in the scope (see entry.gen)
}

func newScope(kind scopeKind) *scope { return &scope{kind: kind} }

// nextGen numbers a new read (a terminal call) in the scope, from 1, so
// that written entries (gen 0) are refreshed by the next read. A per-call
// scope reads once: its gen stays 0.
func (s *scope) nextGen() uint64 {
	if s.kind.perCall() {
		return 0
	}
	return s.gen.Add(1)
}

func (s *scope) of(info *modelInfo) *typeMap {
	s.mu.Lock()
	defer s.mu.Unlock()
	tm := s.types[info.typ]
	if tm == nil {
		if s.types == nil {
			s.types = map[reflect.Type]*typeMap{}
		}
		tm = &typeMap{info: info, m: map[ident]entry{}, sweepAt: 1024, weak: s.kind == sharedScope || s.kind == streamScope}
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
	weak    bool
}

type entry struct {
	weak   weak.Pointer[byte] // the object, as a weak pointer to its first byte
	strong unsafe.Pointer     // or the object itself, in a scope that holds it
	loaded bool               // false: a stub that holds only its key
	// gen is the read that last filled or refreshed the object: a row read
	// again by the same read (a join repeating a parent) is not copied
	// again. 0 after a write.
	gen uint64
}

func (tm *typeMap) newEntry(p reflect.Value, loaded bool, gen uint64) entry {
	if tm.weak {
		return entry{weak: weak.Make((*byte)(p.UnsafePointer())), loaded: loaded, gen: gen}
	}
	return entry{strong: p.UnsafePointer(), loaded: loaded, gen: gen}
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
	if !tm.weak || len(tm.m) < tm.sweepAt {
		return
	}
	for k, e := range tm.m {
		if e.weak.Value() == nil {
			delete(tm.m, k)
		}
	}
	tm.sweepAt = max(1024, 2*len(tm.m))
}

// adopt files obj (a pointer to an object just read) under key and returns
// the object the scope holds for key: obj itself when there was none; else
// the one already there, filled from obj when it was a stub, refreshed from
// it when it was loaded (every field with sc.full, else those without an
// unsaved change), or as it is when this same read already did that.
func (tm *typeMap) adopt(key ident, obj reflect.Value, sc *scanCtx) reflect.Value {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if e, ok := tm.m[key]; ok {
		if existing, ok := tm.value(e); ok {
			switch {
			case existing.Pointer() == obj.Pointer():
			case !e.loaded:
				tm.info.copyStored(existing.Elem(), obj.Elem())
			case e.gen == sc.gen:
				return existing // this read already refreshed it
			default:
				tm.info.refresh(existing.Elem(), obj.Elem(), sc.full, sc.d)
			}
			e.loaded, e.gen = true, sc.gen
			tm.m[key] = e
			sc.touch(tm, key)
			return existing
		}
	}
	tm.sweep()
	tm.m[key] = tm.newEntry(obj, true, sc.gen)
	sc.touch(tm, key)
	return obj
}

// put files obj (just written) under key, in place of any object there.
func (tm *typeMap) put(key ident, obj reflect.Value) {
	tm.mu.Lock()
	tm.sweep()
	tm.m[key] = tm.newEntry(obj, true, 0)
	tm.mu.Unlock()
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
	tm.m[id] = tm.newEntry(obj, false, 0)
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

// remove drops key's entry; when obj is valid, only if it holds obj.
func (tm *typeMap) remove(key ident, obj reflect.Value) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if obj.IsValid() {
		if e, ok := tm.m[key]; ok {
			if v, ok := tm.value(e); ok && v.Pointer() != obj.Pointer() {
				return
			}
		}
	}
	delete(tm.m, key)
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

// copyStored copies the stored fields of src into dst (both struct values)
// and records dst as matching its row.
func (info *modelInfo) copyStored(dst, src reflect.Value) {
	for _, f := range info.fields {
		dst.FieldByIndex(f.index).Set(src.FieldByIndex(f.index))
	}
	info.markLoaded(dst, nil)
}

// refresh brings dst, an object the scope holds, up to date with src, the
// same row just read: every stored field when full is set or dst has no
// dirty tracking; otherwise only the fields without an unsaved change, the
// others keeping the caller's value (and staying dirty, since the snapshot
// takes the row's).
func (info *modelInfo) refresh(dst, src reflect.Value, full bool, d *core.Dialect) {
	m := info.modelOf(dst)
	if full || m == nil || m.snapshot == nil || m.owner != dst.Addr().Pointer() {
		info.copyStored(dst, src)
		return
	}
	snap := reflect.ValueOf(m.snapshot).Elem()
	for _, f := range info.fields {
		fresh := src.FieldByIndex(f.index)
		if !info.fieldDirty(f, dst, snap, d) {
			dst.FieldByIndex(f.index).Set(fresh)
		}
		snap.FieldByIndex(f.index).Set(fresh)
	}
	m.loaded = true
}

type scopeKey struct{}

type dbScopeKey struct{}

// databaseScope marks a context whose reads use the database-wide map.
type databaseScope struct{}

// WithScope returns a context that carries a unit of work of its own (as a
// SQLAlchemy Session): objects read with it, or with contexts derived from
// it, are shared within it (Get twice returns one pointer), and not with
// other scopes. A transaction begun with such a context shares its scope.
// The scope holds its objects until it is dropped with the context: use one
// per request or job, from one goroutine at a time, never for the life of a
// program.
//
// Without WithScope or a transaction, each terminal call is a scope of its
// own, so nothing is shared between calls or goroutines.
func WithScope(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeKey{}, newScope(unitScope))
}

// WithDatabaseScope returns a context whose reads (outside a transaction)
// share one identity map per database: atom-db's cache, held with weak
// pointers, so that objects nobody references leave it after a garbage
// collection.
//
// The trade-off: every reader with such a context gets the same *T for a
// row. That suits a single-goroutine program (a script, a CLI) that wants
// one object per row for its whole life; in a server, goroutines would see
// and save each other's unsaved edits, and changing an object while
// another goroutine reads it is a data race. Use WithScope or transactions
// there.
func WithDatabaseScope(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeKey{}, databaseScope{})
}

// lastingScope returns the scope that outlives a call made with ctx on db
// (a transaction's, WithScope's or the database's), with the journal of the
// transaction when there is one; nil when each call is its own scope.
func lastingScope(ctx context.Context, db *core.Database) (*scope, *journal) {
	if j := txJournal(ctx, db); j != nil {
		return j.scope, j
	}
	return ctxScope(ctx, db), nil
}

// ctxScope is the scope WithScope or WithDatabaseScope put in ctx, or nil.
func ctxScope(ctx context.Context, db *core.Database) *scope {
	switch s := ctx.Value(scopeKey{}).(type) {
	case *scope:
		return s
	case databaseScope:
		return db.Attachment(dbScopeKey{}, func() any { return newScope(sharedScope) }).(*scope)
	}
	return nil
}

// Cache is one model's part of an identity map.
type Cache[T any] struct {
	tm *typeMap
}

// Cache returns the model's part of the database-wide identity map, the one
// contexts from WithDatabaseScope read through.
func (m *Manager[T]) Cache() *Cache[T] { return m.CacheIn(WithDatabaseScope(context.Background())) }

// CacheIn returns the model's part of the identity map that reads made
// with ctx go through: its transaction's, its WithScope's, or the
// database's for WithDatabaseScope. Without any of them each call has a
// scope of its own, and CacheIn returns an empty cache.
func (m *Manager[T]) CacheIn(ctx context.Context) *Cache[T] {
	if m.err != nil || m.db == nil {
		return &Cache[T]{tm: &typeMap{info: m.info, m: map[ident]entry{}}}
	}
	s, _ := lastingScope(ctx, m.db)
	if s == nil {
		return &Cache[T]{tm: &typeMap{info: m.info, m: map[ident]entry{}}}
	}
	return &Cache[T]{tm: s.of(m.info)}
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
