package mongo

import (
	"context"
	"fmt"
	"iter"
	"reflect"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Query is the documents of one model that match some conditions, with
// how to read them: made by Manager.Filter, narrowed by Filter and Exclude,
// read by All, First, Get, Iterate, Count and Distinct, changed by Update
// and Delete. A Query is immutable (every builder returns a copy), so a
// base query can be shared; a bad condition or option is returned by the
// terminal call.
type Query[T any] struct {
	m     *Manager[T]
	conds []cond
	cfg   findConfig
}

type cond struct {
	c   any
	not bool
}

// Filter returns the query of the documents that match every cond: lookups
// conditions (lookups.Q, lookups.And/Or/Not) or raw filters (bson.D,
// bson.M, bson.Raw). No cond: every document.
func (m *Manager[T]) Filter(conds ...any) *Query[T] {
	q := &Query[T]{m: m}
	return q.Filter(conds...)
}

func (q *Query[T]) clone() *Query[T] {
	c := *q
	c.conds = append([]cond(nil), q.conds...)
	c.cfg.sort = append([]string(nil), q.cfg.sort...)
	c.cfg.projection = append([]string(nil), q.cfg.projection...)
	return &c
}

// with returns a copy with options applied.
func (q *Query[T]) with(opts []FindOption) *Query[T] {
	c := q.clone()
	for _, o := range opts {
		o(&c.cfg)
	}
	return c
}

// Filter narrows the query to the documents that also match every cond.
func (q *Query[T]) Filter(conds ...any) *Query[T] {
	c := q.clone()
	for _, x := range conds {
		if x != nil {
			c.conds = append(c.conds, cond{c: x})
		}
	}
	return c
}

// Exclude narrows the query to the documents that do not match cond
// (Django's exclude: {$nor: [cond]}, so a document missing the field is
// kept).
func (q *Query[T]) Exclude(c any) *Query[T] {
	cp := q.clone()
	cp.conds = append(cp.conds, cond{c: c, not: true})
	return cp
}

// Sort orders the results (see the Sort option).
func (q *Query[T]) Sort(fields ...string) *Query[T] { return q.with([]FindOption{Sort(fields...)}) }

// Skip leaves out the first n results.
func (q *Query[T]) Skip(n int64) *Query[T] { return q.with([]FindOption{Skip(n)}) }

// Limit reads at most n results.
func (q *Query[T]) Limit(n int64) *Query[T] { return q.with([]FindOption{Limit(n)}) }

// Project reads only the given fields (see the Project option).
func (q *Query[T]) Project(fields ...string) *Query[T] {
	return q.with([]FindOption{Project(fields...)})
}

// ForceRestore refreshes every field of the objects the scope holds (see
// the ForceRestore option).
func (q *Query[T]) ForceRestore() *Query[T] { return q.with([]FindOption{ForceRestore()}) }

// BSON returns the filter the query sends.
func (q *Query[T]) BSON() (bson.D, error) {
	if q.m.comp == nil {
		return nil, q.m.err
	}
	parts := make([]bson.D, 0, len(q.conds))
	for _, c := range q.conds {
		f, err := q.m.comp.filter(c.c)
		if err != nil {
			return nil, err
		}
		d, err := toD(f)
		if err != nil {
			return nil, newError(q.m.info.name, "", ErrBadFilter, "", err)
		}
		if c.not {
			d = bson.D{{Key: "$nor", Value: bson.A{d}}}
		}
		if len(d) > 0 {
			parts = append(parts, d)
		}
	}
	return and(parts), nil
}

// findOptions builds the driver's options.
func (q *Query[T]) findOptions() (*options.FindOptionsBuilder, error) {
	cfg := q.cfg
	if cfg.err != nil {
		return nil, cfg.err
	}
	m := q.m
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
				return nil, err
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
				return nil, err
			}
			p = append(p, bson.E{Key: path, Value: 1})
		}
		fo.SetProjection(p)
	}
	return fo, nil
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) > len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return s, false
}

// cursor starts the find.
func (q *Query[T]) cursor(ctx context.Context) (*mongodriver.Cursor, error) {
	if err := q.m.ready(); err != nil {
		return nil, err
	}
	filter, err := q.BSON()
	if err != nil {
		return nil, err
	}
	fo, err := q.findOptions()
	if err != nil {
		return nil, err
	}
	cur, err := q.m.coll.Find(ctx, filter, fo)
	if err != nil {
		return nil, newError(q.m.info.name, "", ErrDecode, "find", err)
	}
	return cur, nil
}

func (q *Query[T]) findRaw(ctx context.Context) ([]bson.Raw, error) {
	cur, err := q.cursor(ctx)
	if err != nil {
		return nil, err
	}
	defer cur.Close(ctx)
	var docs []bson.Raw
	for cur.Next(ctx) {
		docs = append(docs, append(bson.Raw(nil), cur.Current...))
	}
	if err := cur.Err(); err != nil {
		return nil, newError(q.m.info.name, "", ErrDecode, "find", err)
	}
	return docs, nil
}

// All returns the objects of the matching documents (see Manager.Find).
func (q *Query[T]) All(ctx context.Context) ([]*T, error) {
	docs, err := q.findRaw(ctx)
	if err != nil {
		return nil, err
	}
	return q.m.restore(ctx, docs, len(q.cfg.projection) == 0, q.cfg.force)
}

// First returns the first object All would return, or nil (and no error)
// when nothing matches.
func (q *Query[T]) First(ctx context.Context) (*T, error) {
	objs, err := q.Limit(1).All(ctx)
	if err != nil || len(objs) == 0 {
		return nil, err
	}
	return objs[0], nil
}

// Get returns the one object whose document matches: ErrDoesNotExist when
// none does, ErrMultipleObjectsReturned when more than one does.
func (q *Query[T]) Get(ctx context.Context) (*T, error) {
	docs, err := q.Limit(2).findRaw(ctx)
	if err != nil {
		return nil, err
	}
	switch len(docs) {
	case 0:
		return nil, newError(q.m.info.name, "", ErrDoesNotExist, fmt.Sprintf("no document matches %v", q.describe()), mongodriver.ErrNoDocuments)
	case 1:
	default:
		return nil, newError(q.m.info.name, "", ErrMultipleObjectsReturned, fmt.Sprintf("more than one document matches %v", q.describe()), nil)
	}
	objs, err := q.m.restore(ctx, docs, len(q.cfg.projection) == 0, q.cfg.force)
	if err != nil {
		return nil, err
	}
	return objs[0], nil
}

func (q *Query[T]) describe() string {
	if len(q.conds) == 1 && !q.conds[0].not {
		return describe(q.conds[0].c)
	}
	d, _ := q.BSON()
	return fmt.Sprint(d)
}

// Count returns the number of matching documents (Skip and Limit apply).
func (q *Query[T]) Count(ctx context.Context) (int64, error) {
	if err := q.m.ready(); err != nil {
		return 0, err
	}
	if q.cfg.err != nil {
		return 0, q.cfg.err
	}
	filter, err := q.BSON()
	if err != nil {
		return 0, err
	}
	co := options.Count()
	if q.cfg.limit > 0 {
		co.SetLimit(q.cfg.limit)
	}
	if q.cfg.skip > 0 {
		co.SetSkip(q.cfg.skip)
	}
	n, err := q.m.coll.CountDocuments(ctx, filter, co)
	if err != nil {
		return 0, newError(q.m.info.name, "", ErrDecode, "count", err)
	}
	return n, nil
}

// Iterate streams the objects All would return, resolving references once
// per batch the server sends (so memory stays bounded by the batch size).
// An error ends the sequence; breaking out of the loop closes the cursor.
// Each batch is a scope of its own unless ctx carries one.
func (q *Query[T]) Iterate(ctx context.Context) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		cur, err := q.cursor(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		defer cur.Close(ctx)
		var docs []bson.Raw
		flush := func() bool {
			objs, err := q.m.restore(ctx, docs, len(q.cfg.projection) == 0, q.cfg.force)
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
			yield(nil, newError(q.m.info.name, "", ErrDecode, "iterate", err))
			return
		}
		if len(docs) > 0 {
			flush()
		}
	}
}

// Delete deletes every matching document (a deleteMany) and returns how
// many. It calls no hooks, and objects already read keep their state:
// saving one later reports ErrDoesNotExist. Sort, Skip and Limit are
// errors here (MongoDB deletes all that match).
func (q *Query[T]) Delete(ctx context.Context) (int64, error) {
	filter, err := q.writeFilter("Delete")
	if err != nil {
		return 0, err
	}
	res, err := q.m.coll.DeleteMany(ctx, filter)
	if err != nil {
		return 0, newError(q.m.info.name, "", ErrEncode, "deleting", err)
	}
	return res.DeletedCount, nil
}

// writeFilter is the filter of Update and Delete, which take no options.
func (q *Query[T]) writeFilter(what string) (bson.D, error) {
	if err := q.m.ready(); err != nil {
		return nil, err
	}
	if q.cfg.err != nil {
		return nil, q.cfg.err
	}
	if len(q.cfg.sort) > 0 || q.cfg.skip > 0 || q.cfg.limit > 0 || len(q.cfg.projection) > 0 {
		return nil, newError(q.m.info.name, "", ErrBadFilter, what+" applies to every matching document: Sort, Skip, Limit and Project do not apply", nil)
	}
	return q.BSON()
}

// Distinct returns the distinct values of field (a lookups-style path,
// "author___id", or a dotted one) among the matching documents, in no
// particular order, each read into the field's Go type (the element type
// for a list: the elements of arrays are the values, as MongoDB's distinct
// has it; null, missing and empty arrays give none): a reference field
// gives objects, resolved as Find resolves them. For a field this
// package does not know the type of (inside a map or an any), the values
// are the driver's (bson.D for documents).
func (q *Query[T]) Distinct(ctx context.Context, field string) ([]any, error) {
	if err := q.m.ready(); err != nil {
		return nil, err
	}
	filter, err := q.BSON()
	if err != nil {
		return nil, err
	}
	t, err := q.m.comp.target(field)
	if err != nil {
		return nil, err
	}
	// An aggregation rather than the distinct command: the driver adds
	// maxTimeMS to that under a client timeout, which FerretDB v1 refuses.
	cur, err := q.m.coll.Aggregate(ctx, bson.A{
		bson.D{{Key: "$match", Value: filter}},
		bson.D{{Key: "$unwind", Value: "$" + t.path}},
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$" + t.path}}}},
	})
	if err != nil {
		return nil, serverErr(q.m.info.name, "distinct", ErrDecode, err)
	}
	var vals []bson.RawValue
	for cur.Next(ctx) {
		doc := append(bson.Raw(nil), cur.Current...) // the cursor reuses its buffer
		vals = append(vals, doc.Lookup("_id"))
	}
	err = cur.Err()
	cur.Close(ctx)
	if err != nil {
		return nil, newError(q.m.info.name, field, ErrDecode, "distinct", err)
	}
	scope, _ := q.m.scopeFor(ctx)
	r := newRestorer(ctx, q.m.db, scope)
	out := make([]any, len(vals))
	c, typ := t.elemCodec()
	scope.mu.Lock()
	for i, v := range vals {
		if c == nil {
			var x any
			if err := v.Unmarshal(&x); err != nil {
				scope.mu.Unlock()
				return nil, newError(q.m.info.name, field, ErrDecode, "distinct", err)
			}
			out[i] = x
			continue
		}
		x := reflect.New(typ).Elem()
		var err error
		if t.field != nil && t.field.conv != nil && t.field.conv.goType == typ {
			if v.Type != bson.TypeNull {
				var y reflect.Value
				if y, err = t.field.conv.unflatten(v); err == nil {
					x.Set(y)
				}
			}
		} else {
			err = r.decodeValue(q.m.info.name, c, x, v, field, &refScope{})
		}
		if err != nil {
			scope.mu.Unlock()
			return nil, err
		}
		out[i] = x.Interface()
	}
	scope.mu.Unlock()
	if err := r.resolve(); err != nil {
		return nil, err
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	return out, nil
}
