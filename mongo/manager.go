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
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Manager saves, deletes, loads, restores and queries the objects of model T
// in one database. Make one with Objects; it is cheap, holds no connection
// of its own and is safe for concurrent use.
type Manager[T any] struct {
	db    *mongodriver.Database
	coll  *mongodriver.Collection
	info  *modelInfo
	cache *Cache
	comp  *compiler
	err   error
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
	m.cache = cacheFor(db)
	return m
}

func (m *Manager[T]) ready() error { return m.err }

// Collection returns the driver's collection of the model, for anything the
// manager does not do (aggregations, bulk writes, ...); restore its
// documents with Restore or RestoreAll. It is nil when the manager has no
// database.
func (m *Manager[T]) Collection() *mongodriver.Collection { return m.coll }

// Cache returns the identity cache of the manager's database (shared by the
// managers of every model in it), or nil when the manager has no database.
func (m *Manager[T]) Cache() *Cache { return m.cache }

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

// Filter returns the BSON filter Find would send for cond (see the
// package-level Filter).
func (m *Manager[T]) Filter(cond any) (bson.D, error) {
	if m.comp == nil {
		return nil, m.err
	}
	f, err := m.comp.filter(cond)
	if err != nil {
		return nil, err
	}
	return toD(f)
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

// Save writes obj as its document: inserted when new, replaced otherwise
// (a replaceOne by _id with upsert). An object whose _id is zero gets a new
// one first: bson.NewObjectID() for an ObjectID, its hex form for a
// string; other id types must be set by the caller (ErrNoID).
//
// A field that holds another model object stores a reference,
// {_id, __model__}, when that object has an _id, and the object itself when
// it has not (an unsaved object appearing twice in one document is stored
// once and then as {__ref__: n, __model__}). Saving does not cascade: a
// referenced object is not saved with the one that refers to it; save it
// first (or after, and save the referrer again) to store a reference
// rather than a copy.
//
// After Save the object is loaded and in the identity cache.
func (m *Manager[T]) Save(ctx context.Context, obj *T) error {
	ptr, err := m.check(obj)
	if err != nil {
		return err
	}
	idv := m.info.idOf(ptr)
	generated := false
	if idv.IsZero() {
		switch {
		case idv.Type() == objectIDType:
			idv.Set(reflect.ValueOf(bson.NewObjectID()))
		case idv.Kind() == reflect.String:
			idv.SetString(bson.NewObjectID().Hex())
		default:
			return newError(m.info.name, m.info.id.name, ErrNoID, fmt.Sprintf("cannot generate an _id of type %s: set it before saving", idv.Type()), nil)
		}
		generated = true
	}
	reset := func() {
		if generated {
			idv.SetZero()
		}
	}
	doc, err := newEncoder(m.info.name).encodeStruct(m.info.structInfo, ptr.Elem(), "", nil)
	if err != nil {
		reset()
		return err
	}
	id := idv.Interface()
	_, err = m.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, doc, options.Replace().SetUpsert(true))
	if err != nil {
		reset()
		if mongodriver.IsDuplicateKeyError(err) {
			return newError(m.info.name, "", ErrDuplicateKey, "", err)
		}
		return newError(m.info.name, "", ErrEncode, "saving", err)
	}
	m.cache.mu.Lock()
	m.cache.put(m.info, id, ptr)
	m.cache.setLoaded(m.info, ptr, true)
	m.cache.mu.Unlock()
	return nil
}

// Delete removes obj's document, and only that one (by _id), and takes obj
// out of the identity cache. An object that was never saved (zero _id) is
// a no-op. obj keeps its _id, so saving it again inserts it again.
func (m *Manager[T]) Delete(ctx context.Context, obj *T) error {
	ptr, err := m.check(obj)
	if err != nil {
		return err
	}
	idv := m.info.idOf(ptr)
	if idv.IsZero() {
		return nil
	}
	id := idv.Interface()
	if _, err := m.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return newError(m.info.name, "", ErrEncode, "deleting", err)
	}
	m.cache.mu.Lock()
	m.cache.setLoaded(m.info, ptr, false)
	m.cache.remove(m.info, id, ptr)
	m.cache.mu.Unlock()
	return nil
}

// Load fills obj from its document, found by obj's _id, unless obj is
// already loaded (restored, saved or loaded before), when it does nothing.
// Use it on the unloaded objects a reference may leave (one whose document
// was missing) or on an object made with only an _id. For a model that does
// not embed Model, "loaded" is known only for the object the identity cache
// holds. ErrNotSaved for a zero _id, ErrDoesNotExist when no document has
// it.
func (m *Manager[T]) Load(ctx context.Context, obj *T) error {
	ptr, err := m.check(obj)
	if err != nil {
		return err
	}
	m.cache.mu.Lock()
	loaded := m.cache.isLoaded(m.info, ptr)
	m.cache.mu.Unlock()
	if loaded {
		return nil
	}
	return m.Refresh(ctx, obj)
}

// Refresh fills obj from its document, found by obj's _id, whether or not
// it is loaded, replacing every field (references are resolved as in
// Find). ErrNotSaved for a zero _id, ErrDoesNotExist when no document has
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
	return newRestorer(ctx, m.db, m.cache).restoreInto(m.info, ptr, raw)
}

// Restore returns the object of a document read some other way (from
// Collection, an aggregation...): doc is a bson.Raw, []byte, bson.D, bson.M
// or map[string]any. When the identity cache holds a loaded object with the
// document's _id, that object is returned as it is; otherwise a new one is
// made (or the cached unloaded one filled) and its references resolved.
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
	return m.restore(ctx, raws, true)
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

func (m *Manager[T]) restore(ctx context.Context, raws []bson.Raw, cached bool) ([]*T, error) {
	r := newRestorer(ctx, m.db, m.cache)
	r.cached = cached
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

// findOptions builds the driver's options.
func (m *Manager[T]) findOptions(opts []FindOption) (*options.FindOptionsBuilder, bool, error) {
	var cfg findConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.err != nil {
		return nil, false, cfg.err
	}
	fo := options.Find()
	if len(cfg.sort) > 0 {
		s := make(bson.D, 0, len(cfg.sort))
		for _, k := range cfg.sort {
			dir := 1
			if rest, ok := cutPrefix(k, "-"); ok {
				k, dir = rest, -1
			}
			p, err := m.comp.fieldPath(k)
			if err != nil {
				return nil, false, err
			}
			s = append(s, bson.E{Key: p, Value: dir})
		}
		fo.SetSort(s)
	}
	if cfg.limit > 0 {
		fo.SetLimit(cfg.limit)
	}
	if cfg.skip > 0 {
		fo.SetSkip(cfg.skip)
	}
	if len(cfg.projection) > 0 {
		p := bson.D{}
		for _, k := range cfg.projection {
			path, err := m.comp.fieldPath(k)
			if err != nil {
				return nil, false, err
			}
			p = append(p, bson.E{Key: path, Value: 1})
		}
		fo.SetProjection(p)
	}
	return fo, len(cfg.projection) > 0, nil
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) > len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return s, false
}

// cursor starts a find.
func (m *Manager[T]) cursor(ctx context.Context, cond any, opts []FindOption) (*mongodriver.Cursor, bool, error) {
	if err := m.ready(); err != nil {
		return nil, false, err
	}
	filter, err := m.comp.filter(cond)
	if err != nil {
		return nil, false, err
	}
	fo, projected, err := m.findOptions(opts)
	if err != nil {
		return nil, false, err
	}
	cur, err := m.coll.Find(ctx, filter, fo)
	if err != nil {
		return nil, false, newError(m.info.name, "", ErrDecode, "find", err)
	}
	return cur, projected, nil
}

func (m *Manager[T]) findRaw(ctx context.Context, cond any, opts []FindOption) ([]bson.Raw, bool, error) {
	cur, projected, err := m.cursor(ctx, cond, opts)
	if err != nil {
		return nil, false, err
	}
	defer cur.Close(ctx)
	var docs []bson.Raw
	for cur.Next(ctx) {
		docs = append(docs, append(bson.Raw(nil), cur.Current...))
	}
	if err := cur.Err(); err != nil {
		return nil, false, newError(m.info.name, "", ErrDecode, "find", err)
	}
	return docs, projected, nil
}

// Find returns the objects whose documents match cond: a lookups condition
// (lookups.Q, lookups.And/Or/Not), a raw filter (bson.D, bson.M, bson.Raw)
// or nil for all. Objects already loaded in the identity cache are returned
// as they are; the references of the others are resolved with one $in query
// per referenced model (and level of references), so Find makes
// 1 + (number of referenced models) queries when what they reference is
// not in memory yet.
func (m *Manager[T]) Find(ctx context.Context, cond any, opts ...FindOption) ([]*T, error) {
	docs, projected, err := m.findRaw(ctx, cond, opts)
	if err != nil {
		return nil, err
	}
	return m.restore(ctx, docs, !projected)
}

// FindOne returns the first object Find would return, or nil (and no
// error) when nothing matches.
func (m *Manager[T]) FindOne(ctx context.Context, cond any, opts ...FindOption) (*T, error) {
	objs, err := m.Find(ctx, cond, append(opts, Limit(1))...)
	if err != nil || len(objs) == 0 {
		return nil, err
	}
	return objs[0], nil
}

// Get returns the one object whose document matches cond:
// ErrDoesNotExist when none does, ErrMultipleObjectsReturned when more
// than one does.
func (m *Manager[T]) Get(ctx context.Context, cond any) (*T, error) {
	docs, _, err := m.findRaw(ctx, cond, []FindOption{Limit(2)})
	if err != nil {
		return nil, err
	}
	switch len(docs) {
	case 0:
		return nil, newError(m.info.name, "", ErrDoesNotExist, fmt.Sprintf("no document matches %v", describe(cond)), mongodriver.ErrNoDocuments)
	case 1:
	default:
		return nil, newError(m.info.name, "", ErrMultipleObjectsReturned, fmt.Sprintf("more than one document matches %v", describe(cond)), nil)
	}
	objs, err := m.restore(ctx, docs, true)
	if err != nil {
		return nil, err
	}
	return objs[0], nil
}

func describe(cond any) string {
	if n, err := lookups.Parse(cond, nil); err == nil {
		return n.String()
	}
	return fmt.Sprint(cond)
}

// Count returns the number of documents that match cond.
func (m *Manager[T]) Count(ctx context.Context, cond any) (int64, error) {
	if err := m.ready(); err != nil {
		return 0, err
	}
	filter, err := m.comp.filter(cond)
	if err != nil {
		return 0, err
	}
	n, err := m.coll.CountDocuments(ctx, filter)
	if err != nil {
		return 0, newError(m.info.name, "", ErrDecode, "count", err)
	}
	return n, nil
}

// Iterate streams the objects Find would return, resolving references once
// per batch the server sends (so memory stays bounded by the batch size).
// An error ends the sequence; breaking out of the loop closes the cursor.
func (m *Manager[T]) Iterate(ctx context.Context, cond any, opts ...FindOption) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		cur, projected, err := m.cursor(ctx, cond, opts)
		if err != nil {
			yield(nil, err)
			return
		}
		defer cur.Close(ctx)
		var docs []bson.Raw
		flush := func() bool {
			objs, err := m.restore(ctx, docs, !projected)
			docs = docs[:0]
			if err != nil {
				yield(nil, err)
				return false
			}
			for _, o := range objs {
				if !yield(o, nil) {
					return false
				}
			}
			return true
		}
		for cur.Next(ctx) {
			docs = append(docs, append(bson.Raw(nil), cur.Current...))
			if cur.RemainingBatchLength() == 0 && !flush() {
				return
			}
		}
		if err := cur.Err(); err != nil {
			yield(nil, newError(m.info.name, "", ErrDecode, "iterate", err))
			return
		}
		if len(docs) > 0 {
			flush()
		}
	}
}
