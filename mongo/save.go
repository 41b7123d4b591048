package mongo

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/atomdb/atomdb/lookups"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// opKind is what a save sends.
type opKind uint8

const (
	opNone    opKind = iota // nothing changed
	opInsert                // insertOne: a new object
	opUpdate                // updateOne with $set / $unset: a loaded object
	opReplace               // replaceOne: Replace, or an object of a model without Model
)

// saveOp is one object's write, planned before it is sent.
type saveOp struct {
	info      *modelInfo
	ptr       reflect.Value
	kind      opKind
	upsert    bool
	id        any
	filter    bson.D
	doc       bson.D // opInsert, opReplace
	set       bson.D // opUpdate
	unset     []string
	generated bool  // the _id was generated for this write
	oldVer    int64 // the version field's value before, when there is one
	newVer    int64
	prev      *objState // the object's state before (Model only)
	prevOK    bool      // its load state before (models without Model)
}

// plan works out the write of the object ptr points to: fields (Go names
// or BSON keys) limits it to those fields; replace asks for the whole
// document.
func (m *Manager[T]) plan(ptr reflect.Value, fields []string, replace bool) (*saveOp, error) {
	info := m.info
	op := &saveOp{info: info, ptr: ptr}
	base := info.base0(ptr)
	if base != nil {
		op.prev = base.state()
	}
	idv := info.idOf(ptr)
	if info.version != nil {
		op.oldVer = versionOf(fieldOf(ptr.Elem(), info.version))
		op.newVer = op.oldVer
	}
	switch {
	case len(fields) > 0 && !replace:
		if idv.IsZero() {
			return nil, newError(info.name, info.id.name, ErrNotSaved, "Save with field names writes those fields of a saved object; this one has no _id", nil)
		}
		e := newEncoder(info.name)
		seen := map[*fieldInfo]bool{}
		for _, name := range fields {
			f := info.byKey[name]
			if f == nil {
				f = info.byName[strings.ToLower(name)]
			}
			if f == nil {
				return nil, &lookups.Error{Model: info.name, Key: name, Name: name, Err: lookups.ErrUnknownField, Detail: "Save names a field the model does not store"}
			}
			if f == info.id || f == info.version || seen[f] {
				continue
			}
			seen[f] = true
			x, omit, err := e.encodeTop(f, fieldOf(ptr.Elem(), f))
			if err != nil {
				return nil, err
			}
			if omit {
				op.unset = append(op.unset, f.key)
			} else {
				op.set = append(op.set, bson.E{Key: f.key, Value: x})
			}
		}
		op.kind = opUpdate
	case op.prev != nil && !replace:
		changed, err := info.changedFields(ptr, op.prev.snap)
		if err != nil {
			return nil, err
		}
		if len(changed) == 0 {
			return op, nil // opNone
		}
		for _, c := range changed {
			if c.unset {
				op.unset = append(op.unset, c.field.key)
			} else {
				op.set = append(op.set, bson.E{Key: c.field.key, Value: c.value})
			}
		}
		op.kind = opUpdate
	case idv.IsZero():
		switch {
		case idv.Type() == objectIDType:
			idv.Set(reflect.ValueOf(bson.NewObjectID()))
		case idv.Kind() == reflect.String:
			idv.SetString(bson.NewObjectID().Hex())
		default:
			return nil, newError(info.name, info.id.name, ErrNoID, fmt.Sprintf("cannot generate an _id of type %s: set it before saving", idv.Type()), nil)
		}
		op.generated = true
		op.kind = opInsert
	case base != nil && !replace:
		op.kind = opInsert // a new object with an _id of the program's choosing
	default:
		op.kind, op.upsert = opReplace, true
		if replace && op.prev != nil {
			op.upsert = false
		}
	}
	op.id = idv.Interface()
	op.filter = bson.D{{Key: "_id", Value: op.id}}
	if info.version != nil {
		switch op.kind {
		case opInsert:
			op.newVer = max(op.oldVer, 1)
		case opUpdate:
			op.filter = append(op.filter, bson.E{Key: info.version.key, Value: op.oldVer})
			op.newVer = op.oldVer + 1
		case opReplace:
			if !op.upsert {
				op.filter = append(op.filter, bson.E{Key: info.version.key, Value: op.oldVer})
				op.newVer = op.oldVer + 1
			} else {
				op.newVer = max(op.oldVer, 1)
			}
		}
		setVersion(fieldOf(ptr.Elem(), info.version), op.newVer)
		if op.kind == opUpdate {
			op.set = append(op.set, bson.E{Key: info.version.key, Value: op.newVer})
		}
	}
	if op.kind == opInsert || op.kind == opReplace {
		doc, err := newEncoder(info.name).encodeDoc(info, ptr.Elem())
		if err != nil {
			op.rollback()
			return nil, err
		}
		op.doc = doc
	}
	return op, nil
}

func versionOf(v reflect.Value) int64 {
	if v.CanInt() {
		return v.Int()
	}
	return int64(v.Uint())
}

func setVersion(v reflect.Value, n int64) {
	if v.CanInt() {
		v.SetInt(n)
	} else {
		v.SetUint(uint64(n))
	}
}

// update returns the update document of an opUpdate.
func (op *saveOp) update() bson.D {
	u := bson.D{}
	if len(op.set) > 0 {
		u = append(u, bson.E{Key: "$set", Value: op.set})
	}
	if len(op.unset) > 0 {
		d := make(bson.D, len(op.unset))
		for i, k := range op.unset {
			d[i] = bson.E{Key: k, Value: ""}
		}
		u = append(u, bson.E{Key: "$unset", Value: d})
	}
	return u
}

// model returns the op as a write of a bulkWrite.
func (op *saveOp) model() mongodriver.WriteModel {
	switch op.kind {
	case opInsert:
		return mongodriver.NewInsertOneModel().SetDocument(op.doc)
	case opUpdate:
		return mongodriver.NewUpdateOneModel().SetFilter(op.filter).SetUpdate(op.update())
	default:
		return mongodriver.NewReplaceOneModel().SetFilter(op.filter).SetReplacement(op.doc).SetUpsert(op.upsert)
	}
}

// rollback puts back what plan changed in the object: a generated _id, the
// version.
func (op *saveOp) rollback() {
	if op.generated {
		op.info.idOf(op.ptr).SetZero()
	}
	if op.info.version != nil {
		setVersion(fieldOf(op.ptr.Elem(), op.info.version), op.oldVer)
	}
}

// done records a write that happened: the object is loaded, with the
// document written as its snapshot, and in the scope when the scope
// outlives the call; in a transaction, how to undo that is recorded.
func (op *saveOp) done(ctx context.Context, scope *Cache) error {
	var snap bson.Raw
	var err error
	switch op.kind {
	case opInsert, opReplace:
		snap, err = bson.Marshal(op.doc)
	case opUpdate:
		if op.prev != nil {
			snap, err = splice(op.prev.snap, op.set, op.unset)
		}
	}
	if err != nil {
		return newError(op.info.name, "", ErrEncode, "the snapshot", err)
	}
	if scope != nil {
		scope.mu.Lock()
		op.prevOK = scope.isLoaded(op.info, op.ptr)
		scope.put(op.info, op.id, op.ptr)
		scope.setLoaded(op.info, op.ptr, true, snap)
		scope.mu.Unlock()
	} else {
		op.info.setOwnState(op.ptr, true, snap)
	}
	if tx := txOf(ctx); tx != nil {
		tx.onAbort(func() {
			op.rollback()
			op.info.restoreState(op.ptr, op.prev)
			if scope != nil && op.prev == nil && !op.prevOK {
				scope.mu.Lock()
				scope.remove(op.info, op.id, op.ptr)
				scope.mu.Unlock()
			}
		})
	}
	return nil
}

// setOwnState sets the state an object keeps itself (Model).
func (info *modelInfo) setOwnState(ptr reflect.Value, loaded bool, snap bson.Raw) {
	if m := info.base0(ptr); m != nil {
		m.setState(snap, loaded)
	}
}

// restoreState puts back an object's state (nil: not loaded).
func (info *modelInfo) restoreState(ptr reflect.Value, st *objState) {
	if m := info.base0(ptr); m != nil {
		if st == nil {
			m.setState(nil, false)
		} else {
			m.setState(st.snap, true)
		}
	}
}

// Save writes obj to its document, and only what it must:
//
//   - a loaded object (restored, loaded or saved before) of a model that
//     embeds Model: an updateOne of the fields changed since it was loaded
//     ($set, and $unset for omitempty fields now empty), nothing at all
//     when none changed; two programs that change different fields of one
//     document keep both changes. ErrDoesNotExist when the document is
//     gone;
//   - Save(ctx, obj, "name", "age") writes those fields (Go names or BSON
//     keys) of a saved object, whatever else changed, and leaves the other
//     changes for a later Save;
//   - a new object: an insertOne. An object whose _id is zero gets one
//     first (bson.NewObjectID() for an ObjectID, its hex form for a
//     string; other _id types must be set: ErrNoID). ErrDuplicateKey when
//     a unique index (or the _id) is taken;
//   - an object of a model that does not embed Model, with an _id: a
//     replaceOne by _id with upsert (there is no load state to go by).
//
// With a version field (mongo:"version"), an update or replace is checked
// against the version the object was loaded with and raises it by one; a
// newer document makes it fail with ErrStale. An insert starts it at 1.
//
// A field that holds another model object stores a reference,
// {_id, __model__}, when that object has an _id, and the object itself when
// it has not (an unsaved object appearing twice in one field is stored
// once, then as {__ref__: n, __model__}). Saving does not cascade: save a
// referenced object first to store a reference rather than a copy.
//
// After Save the object is loaded and, when the context carries a scope
// (or the manager uses the database cache), in it. A failed Save leaves the
// object as it was: no generated _id, not loaded, in no scope. BeforeSave
// and AfterSave hooks run around it.
func (m *Manager[T]) Save(ctx context.Context, obj *T, fields ...string) error {
	return m.save(ctx, obj, fields, false)
}

// Replace writes obj as its whole document: a replaceOne by _id, with
// upsert unless obj is loaded (and then checked against its version, when
// the model has one). It is the write of choice for an object whose
// document was changed elsewhere in ways the object should overwrite, or
// made by hand with the _id of a document that may exist.
func (m *Manager[T]) Replace(ctx context.Context, obj *T) error {
	return m.save(ctx, obj, nil, true)
}

func (m *Manager[T]) save(ctx context.Context, obj *T, fields []string, replace bool) error {
	ptr, err := m.check(obj)
	if err != nil {
		return err
	}
	if err := beforeSave(ctx, m.info, ptr); err != nil {
		return err
	}
	op, err := m.plan(ptr, fields, replace)
	if err != nil {
		return err
	}
	if op.kind != opNone {
		if err := m.send(ctx, op); err != nil {
			op.rollback()
			return err
		}
		scope, shared := m.scopeFor(ctx)
		if !shared {
			scope = nil
		}
		if err := op.done(ctx, scope); err != nil {
			return err
		}
	}
	return afterSave(ctx, m.info, ptr)
}

// send runs one op.
func (m *Manager[T]) send(ctx context.Context, op *saveOp) error {
	var err error
	matched := int64(1)
	switch op.kind {
	case opInsert:
		_, err = m.coll.InsertOne(ctx, op.doc)
	case opUpdate:
		var res *mongodriver.UpdateResult
		if res, err = m.coll.UpdateOne(ctx, op.filter, op.update()); err == nil {
			matched = res.MatchedCount
		}
	case opReplace:
		var res *mongodriver.UpdateResult
		if res, err = m.coll.ReplaceOne(ctx, op.filter, op.doc, options.Replace().SetUpsert(op.upsert)); err == nil {
			matched = res.MatchedCount + res.UpsertedCount
		}
	}
	if err != nil {
		return m.writeErr(err, "saving")
	}
	if matched == 0 {
		return m.missing(ctx, op.id)
	}
	return nil
}

// writeErr classifies a driver error of a write.
func (m *Manager[T]) writeErr(err error, what string) error {
	if mongodriver.IsDuplicateKeyError(err) {
		return newError(m.info.name, "", ErrDuplicateKey, "", err)
	}
	return newError(m.info.name, "", ErrEncode, what, err)
}

// missing explains a write by _id (and version) that matched nothing.
func (m *Manager[T]) missing(ctx context.Context, id any) error {
	if m.info.version != nil {
		n, err := m.coll.CountDocuments(ctx, bson.D{{Key: "_id", Value: id}})
		if err != nil {
			return newError(m.info.name, "", ErrDecode, "checking the version", err)
		}
		if n > 0 {
			return newError(m.info.name, m.info.version.name, ErrStale, fmt.Sprintf("_id %v", id), nil)
		}
	}
	return newError(m.info.name, "", ErrDoesNotExist, fmt.Sprintf("no document with _id %v (deleted since it was loaded?)", id), mongodriver.ErrNoDocuments)
}

// Delete removes obj's document, and only that one (by _id, and by version
// when the model has one: ErrStale when the document changed since obj was
// loaded), and takes obj out of the context's scope. An object that was
// never saved (zero _id) is a no-op. obj keeps its _id, so saving it again
// inserts it again. BeforeDelete and AfterDelete hooks run around it.
func (m *Manager[T]) Delete(ctx context.Context, obj *T) error {
	ptr, err := m.check(obj)
	if err != nil {
		return err
	}
	idv := m.info.idOf(ptr)
	if idv.IsZero() {
		return nil
	}
	if err := beforeDelete(ctx, m.info, ptr); err != nil {
		return err
	}
	id := idv.Interface()
	filter := bson.D{{Key: "_id", Value: id}}
	base := m.info.base0(ptr)
	var prev *objState
	if base != nil {
		prev = base.state()
	}
	if m.info.version != nil && prev != nil {
		filter = append(filter, bson.E{Key: m.info.version.key, Value: versionOf(fieldOf(ptr.Elem(), m.info.version))})
	}
	res, err := m.coll.DeleteOne(ctx, filter)
	if err != nil {
		return newError(m.info.name, "", ErrEncode, "deleting", err)
	}
	if res.DeletedCount == 0 && len(filter) > 1 {
		if err := m.missing(ctx, id); errors.Is(err, ErrStale) {
			return err
		}
	}
	scope, shared := m.scopeFor(ctx)
	if shared {
		scope.mu.Lock()
		scope.setLoaded(m.info, ptr, false, nil)
		scope.remove(m.info, id, ptr)
		scope.mu.Unlock()
	} else {
		m.info.setOwnState(ptr, false, nil)
	}
	if tx := txOf(ctx); tx != nil {
		tx.onAbort(func() { m.info.restoreState(ptr, prev) })
	}
	return afterDelete(ctx, m.info, ptr)
}
