package mongo

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"

	"github.com/atomdb/atomdb/lookups"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
)

// Manager saves, deletes, loads, restores and queries the objects of model T
// in one database. Make one with Objects; it is cheap, holds no connection
// of its own and is safe for concurrent use.
type Manager[T any] struct {
	db      *mongodriver.Database
	coll    *mongodriver.Collection
	info    *modelInfo
	dbCache *Cache // WithDatabaseCache: the database's weak cache
	comp    *compiler
	err     error
}

// Objects returns the manager of model T (a struct type) in db, registering
// T (see Register). A nil db, or a T that is not a valid model, makes every
// call of the manager return the error (ErrNoDatabase, ErrBadModel).
func Objects[T any](db *mongodriver.Database, opts ...Option) *Manager[T] {
	cfg := managerConfig{registry: lookups.DefaultRegistry}
	for _, o := range opts {
		o(&cfg)
	}
	m := &Manager[T]{db: db}
	if err := Register[T](); err != nil {
		m.err = err
		return m
	}
	m.info, _ = modelInfoFor(reflect.TypeFor[T]())
	m.comp = &compiler{info: m.info, reg: cfg.registry}
	if db == nil {
		m.err = newError(m.info.name, "", ErrNoDatabase, "mongo.Objects was given a nil *mongo.Database", nil)
		return m
	}
	m.coll = db.Collection(m.info.collection)
	if cfg.dbCache {
		m.dbCache = cacheFor(db)
	}
	return m
}

func (m *Manager[T]) ready() error { return m.err }

// Collection returns the driver's collection of the model, for anything the
// manager does not do (aggregations, bulk writes, ...); restore its
// documents with Restore or RestoreAll. It is nil when the manager has no
// database.
func (m *Manager[T]) Collection() *mongodriver.Collection { return m.coll }

// Cache returns the database-wide identity cache the manager uses for calls
// whose context carries no scope, when it was made with WithDatabaseCache
// (shared by every such manager of the database); otherwise nil, as each
// call is then its own scope.
func (m *Manager[T]) Cache() *Cache { return m.dbCache }

// CacheIn returns the identity map a call made with ctx uses when it
// outlives the call: the scope ctx carries (WithScope, Transaction), or
// Cache(). nil means each call is its own scope.
func (m *Manager[T]) CacheIn(ctx context.Context) *Cache {
	if c := ScopeOf(ctx); c != nil {
		return c
	}
	return m.dbCache
}

// CollectionName returns the name of the model's collection.
func (m *Manager[T]) CollectionName() string {
	if m.info == nil {
		return ""
	}
	return m.info.collection
}

// ModelName returns the model's name, as references store it in __model__.
func (m *Manager[T]) ModelName() string {
	if m.info == nil {
		return ""
	}
	return m.info.name
}

func (m *Manager[T]) check(obj *T) (reflect.Value, error) {
	if err := m.ready(); err != nil {
		return reflect.Value{}, err
	}
	if obj == nil {
		return reflect.Value{}, newError(m.info.name, "", ErrBadFilter, "a nil object", nil)
	}
	return reflect.ValueOf(obj), nil
}

// Load fills obj from its document, found by obj's _id, unless obj is
// already loaded (restored, saved or loaded before), when it does nothing.
// Use it on the unloaded objects a reference may leave (one whose document
// was missing) or on an object made with only an _id. For a model that does
// not embed Model, "loaded" is known only for the object a scope holds.
// ErrNotSaved for a zero _id, ErrDoesNotExist when no document has it.
func (m *Manager[T]) Load(ctx context.Context, obj *T) error {
	ptr, err := m.check(obj)
	if err != nil {
		return err
	}
	scope, _ := m.scopeFor(ctx)
	scope.mu.Lock()
	loaded := scope.isLoaded(m.info, ptr)
	scope.mu.Unlock()
	if loaded {
		return nil
	}
	return m.Refresh(ctx, obj)
}

// Refresh fills obj from its document, found by obj's _id, whether or not
// it is loaded, replacing every field, changed or not (references are
// resolved as in Find). ErrNotSaved for a zero _id, ErrDoesNotExist when no document has
// it.
func (m *Manager[T]) Refresh(ctx context.Context, obj *T) error {
	ptr, err := m.check(obj)
	if err != nil {
		return err
	}
	idv := m.info.idOf(ptr)
	if idv.IsZero() {
		return newError(m.info.name, m.info.id.name, ErrNotSaved, "the _id is zero", nil)
	}
	raw, err := m.coll.FindOne(ctx, bson.D{{Key: "_id", Value: idv.Interface()}}).Raw()
	if errors.Is(err, mongodriver.ErrNoDocuments) {
		return newError(m.info.name, "", ErrDoesNotExist, fmt.Sprintf("no document with _id %v", idv.Interface()), err)
	}
	if err != nil {
		return newError(m.info.name, "", ErrDecode, "loading", err)
	}
	scope, _ := m.scopeFor(ctx)
	return newRestorer(ctx, m.db, scope).restoreInto(m.info, ptr, raw)
}

// Restore returns the object of a document read some other way (from
// Collection, an aggregation...): doc is a bson.Raw, []byte, bson.D, bson.M
// or map[string]any. When the scope holds an object with the document's
// _id, that object is returned, refreshed as Find does; otherwise a new one
// is made. Its references are resolved.
func (m *Manager[T]) Restore(ctx context.Context, doc any) (*T, error) {
	objs, err := m.RestoreAll(ctx, []any{doc})
	if err != nil {
		return nil, err
	}
	return objs[0], nil
}

// RestoreAll is Restore for several documents, resolving the references of
// all of them together: one query per referenced model (and level of
// references).
func (m *Manager[T]) RestoreAll(ctx context.Context, docs []any) ([]*T, error) {
	if err := m.ready(); err != nil {
		return nil, err
	}
	raws := make([]bson.Raw, len(docs))
	for i, d := range docs {
		raw, err := toRaw(d)
		if err != nil {
			return nil, newError(m.info.name, "", ErrDecode, fmt.Sprintf("document %d", i), err)
		}
		raws[i] = raw
	}
	return m.restore(ctx, raws, true, false)
}

func toRaw(doc any) (bson.Raw, error) {
	switch d := doc.(type) {
	case bson.Raw:
		return d, d.Validate()
	case []byte:
		return bson.Raw(d), bson.Raw(d).Validate()
	case bson.D, bson.M, map[string]any:
		return bson.Marshal(d)
	case nil:
		return nil, errors.New("a nil document")
	}
	return nil, fmt.Errorf("a document of type %T (want bson.Raw, bson.D or bson.M)", doc)
}

func (m *Manager[T]) restore(ctx context.Context, raws []bson.Raw, cached, force bool) ([]*T, error) {
	scope, _ := m.scopeFor(ctx)
	r := newRestorer(ctx, m.db, scope)
	r.cached, r.force = cached, force
	vals, err := r.restoreAll(m.info, raws)
	if err != nil {
		return nil, err
	}
	out := make([]*T, len(vals))
	for i, v := range vals {
		out[i] = v.Interface().(*T)
	}
	return out, nil
}

// Find returns the objects whose documents match cond: a lookups condition
// (lookups.Q, lookups.And/Or/Not), a raw filter (bson.D, bson.M, bson.Raw)
// or nil for all. It is Filter(cond).All with the options.
//
// The objects come from the call's scope (see WithScope): an object the
// scope already holds is returned, refreshed from its document (every field
// without an unsaved change: what a read returns is what the database
// holds, except what the program changed and has not saved); ForceRestore
// refreshes every field. The references of the documents are resolved with
// one $in query per referenced model (and level of references), so Find
// makes 1 + (number of referenced models) queries when what they reference
// is not in the scope yet.
func (m *Manager[T]) Find(ctx context.Context, cond any, opts ...FindOption) ([]*T, error) {
	return m.Filter(cond).with(opts).All(ctx)
}

// FindOne returns the first object Find would return, or nil (and no
// error) when nothing matches.
func (m *Manager[T]) FindOne(ctx context.Context, cond any, opts ...FindOption) (*T, error) {
	return m.Filter(cond).with(opts).First(ctx)
}

// Get returns the one object whose document matches cond:
// ErrDoesNotExist when none does, ErrMultipleObjectsReturned when more
// than one does.
func (m *Manager[T]) Get(ctx context.Context, cond any) (*T, error) {
	return m.Filter(cond).Get(ctx)
}

func describe(cond any) string {
	if n, err := lookups.Parse(cond, nil); err == nil {
		return n.String()
	}
	return fmt.Sprint(cond)
}

// Count returns the number of documents that match cond.
func (m *Manager[T]) Count(ctx context.Context, cond any) (int64, error) {
	return m.Filter(cond).Count(ctx)
}

// Iterate streams the objects Find would return, resolving references once
// per batch the server sends (so memory stays bounded by the batch size).
// An error ends the sequence; breaking out of the loop closes the cursor.
func (m *Manager[T]) Iterate(ctx context.Context, cond any, opts ...FindOption) iter.Seq2[*T, error] {
	return m.Filter(cond).with(opts).Iterate(ctx)
}
