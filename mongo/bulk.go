package mongo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// bulkBatch is how many writes one bulkWrite of BulkSave carries.
const bulkBatch = 1000

// BulkError is the error of a BulkSave in which some documents failed. It
// names each: its index in the slice given, its _id and the error (an
// *Error wrapping ErrDuplicateKey, ErrStale, ErrDoesNotExist...), so
// errors.Is(err, ErrDuplicateKey) works on the whole.
type BulkError struct {
	// Model is the model's name.
	Model string
	// Failures are the documents that failed, in order.
	Failures []BulkFailure
	// Unwritten is how many objects after the first failure were not sent
	// (ordered writes stop there).
	Unwritten int
}

// BulkFailure is one failed document of a BulkSave.
type BulkFailure struct {
	Index int // in the slice given to BulkSave
	ID    any // the object's _id
	Err   error
}

// Error lists the failed documents.
func (e *BulkError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mongo: %s: BulkSave: %d document(s) failed", e.Model, len(e.Failures))
	if e.Unwritten > 0 {
		fmt.Fprintf(&b, ", %d not written after the first failure", e.Unwritten)
	}
	for _, f := range e.Failures {
		fmt.Fprintf(&b, "; document %d (_id %v): %v", f.Index, f.ID, f.Err)
	}
	return b.String()
}

// Unwrap returns the failures' errors.
func (e *BulkError) Unwrap() []error {
	out := make([]error, len(e.Failures))
	for i, f := range e.Failures {
		out[i] = f.Err
	}
	return out
}

// BulkSave saves objs as Save would save each, in ordered bulkWrites of up
// to 1,000 writes: new objects are inserted, loaded ones updated with their
// changed fields (and checked against their version), unchanged ones not
// sent. As MongoDB documents for ordered writes, the first write that fails
// stops the rest: the objects before it are written (and loaded), it and
// those after are not (no generated _id, not loaded), and the error is a
// *BulkError naming the failed document. A version conflict does not stop
// the server; the conflicting documents are reported (ErrStale) and
// BulkSave stops after that batch. BeforeSave and AfterSave hooks run for
// each object.
func (m *Manager[T]) BulkSave(ctx context.Context, objs []*T) error {
	if err := m.ready(); err != nil {
		return err
	}
	scope, shared := m.scopeFor(ctx)
	if !shared {
		scope = nil
	}
	for i, obj := range objs {
		if obj == nil {
			return newError(m.info.name, "", ErrBadFilter, fmt.Sprintf("BulkSave: object %d is nil", i), nil)
		}
	}
	for start := 0; start < len(objs); {
		var ops []*saveOp
		var index []int // ops[i] saves objs[index[i]]
		end := start
		for ; end < len(objs) && len(ops) < bulkBatch; end++ {
			ptr, _ := m.check(objs[end])
			if err := beforeSave(ctx, m.info, ptr); err != nil {
				rollbackAll(ops)
				return err
			}
			op, err := m.plan(ptr, nil, false)
			if err != nil {
				rollbackAll(ops)
				return fmt.Errorf("BulkSave: object %d: %w", end, err)
			}
			if op.kind == opNone {
				continue
			}
			ops = append(ops, op)
			index = append(index, end)
		}
		var failed map[int]bool // objs indexes not written
		var werr error
		if len(ops) > 0 {
			failed, werr = m.bulkWrite(ctx, ops, index, objs, scope)
		}
		// AfterSave for the objects saved (or with nothing to send), not
		// for those that failed or were not sent.
		for i := start; i < end; i++ {
			if failed[i] {
				continue
			}
			ptr, _ := m.check(objs[i])
			if err := afterSave(ctx, m.info, ptr); err != nil {
				return errors.Join(werr, err)
			}
		}
		if werr != nil {
			return werr
		}
		start = end
	}
	return nil
}

func rollbackAll(ops []*saveOp) {
	for _, op := range ops {
		op.rollback()
	}
}

// bulkWrite sends one batch and settles each op: done when written, rolled
// back otherwise. It returns the objs indexes of the ops not written (all
// of them when the outcome is unknown).
func (m *Manager[T]) bulkWrite(ctx context.Context, ops []*saveOp, index []int, objs []*T, scope *Cache) (map[int]bool, error) {
	notWritten := func(from int) map[int]bool {
		nw := map[int]bool{}
		for _, i := range index[from:] {
			nw[i] = true
		}
		return nw
	}
	models := make([]mongodriver.WriteModel, len(ops))
	updates := 0
	for i, op := range ops {
		models[i] = op.model()
		if op.kind == opUpdate {
			updates++
		}
	}
	res, err := m.coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(true))
	failed := map[int]error{} // op index -> error
	written := len(ops)
	if err != nil {
		var bwe mongodriver.BulkWriteException
		if !errors.As(err, &bwe) || len(bwe.WriteErrors) == 0 {
			rollbackAll(ops)
			return notWritten(0), m.writeErr(err, "BulkSave")
		}
		written = len(ops)
		for _, we := range bwe.WriteErrors {
			sentinel := ErrEncode
			if we.HasErrorCode(11000) || we.HasErrorCode(11001) || we.HasErrorCode(12582) {
				sentinel = ErrDuplicateKey
			}
			failed[we.Index] = newError(m.info.name, "", sentinel, "", we.WriteError)
			written = min(written, we.Index)
		}
	}
	// Updates that matched nothing: a newer version, or a deleted
	// document.
	if res != nil && updates > 0 {
		sent := 0
		for i := 0; i < written; i++ {
			if ops[i].kind == opUpdate {
				sent++
			}
		}
		if res.MatchedCount < int64(sent) {
			if err := m.findStale(ctx, ops[:written], failed); err != nil {
				rollbackAll(ops)
				return notWritten(0), err
			}
		}
	}
	var be *BulkError
	nw := map[int]bool{}
	for i, op := range ops {
		if ferr, bad := failed[i]; bad || i >= written {
			op.rollback()
			nw[index[i]] = true
			if bad {
				if be == nil {
					be = &BulkError{Model: m.info.name}
				}
				be.Failures = append(be.Failures, BulkFailure{Index: index[i], ID: op.id, Err: ferr})
			}
			continue
		}
		if err := op.done(ctx, scope); err != nil {
			return nw, err
		}
	}
	if be != nil {
		if written < len(ops) {
			be.Unwritten = len(objs) - index[written] - 1
			for i := index[written]; i < len(objs); i++ {
				nw[i] = true
			}
		}
		return nw, be
	}
	return nw, nil
}

// findStale finds which updates among ops matched nothing: their document
// has another version (ErrStale) or is gone (ErrDoesNotExist). A bulkWrite
// tells how many updates matched, not which, and another write may have
// raised a version to the very number this one would have set: a document
// counts as written by this update when it holds every value the update
// set (and lacks those it unset), stale otherwise.
func (m *Manager[T]) findStale(ctx context.Context, ops []*saveOp, failed map[int]error) error {
	ids := bson.A{}
	for _, op := range ops {
		if op.kind == opUpdate {
			ids = append(ids, op.id)
		}
	}
	cur, err := m.coll.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return newError(m.info.name, "", ErrDecode, "BulkSave: checking versions", err)
	}
	defer cur.Close(ctx)
	docs := map[any]bson.Raw{}
	r := newRestorer(ctx, m.db, newCache(false))
	for cur.Next(ctx) {
		id, err := r.decodeID(m.info.name, m.info, cur.Current.Lookup("_id"), "_id")
		if err != nil {
			return err
		}
		docs[id] = append(bson.Raw(nil), cur.Current...)
	}
	if err := cur.Err(); err != nil {
		return newError(m.info.name, "", ErrDecode, "BulkSave: checking versions", err)
	}
	for i, op := range ops {
		if op.kind != opUpdate {
			continue
		}
		doc, ok := docs[op.id]
		switch {
		case !ok:
			failed[i] = newError(m.info.name, "", ErrDoesNotExist, fmt.Sprintf("no document with _id %v", op.id), mongodriver.ErrNoDocuments)
		case !holds(doc, op):
			field := ""
			if m.info.version != nil {
				field = m.info.version.name
			}
			failed[i] = newError(m.info.name, field, ErrStale, fmt.Sprintf("_id %v", op.id), nil)
		}
	}
	return nil
}

// holds reports whether doc holds what op set and lacks what it unset.
func holds(doc bson.Raw, op *saveOp) bool {
	for _, e := range op.set {
		v, err := doc.LookupErr(e.Key)
		if err != nil {
			return false
		}
		t, b, err := marshalValue(e.Value)
		if err != nil || !sameValue(t, b, v.Type, v.Value) {
			return false
		}
	}
	for _, k := range op.unset {
		if _, err := doc.LookupErr(k); err == nil {
			return false
		}
	}
	return true
}
