package mongo

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
)

// Pipeline is an aggregation pipeline for Aggregate and AggregateTo: raw
// stages (bson.D, bson.M, bson.Raw) and stages this package writes for the
// model (Match, Group). A mongo.Pipeline of the driver ([]bson.D) or a
// bson.A works too.
type Pipeline []any

// Stage is a pipeline stage written for the model being aggregated: field
// names and values are translated as in lookups.
type Stage interface {
	stage(c *compiler) (bson.D, error)
}

type matchStage struct{ cond any }

// Match is a $match stage of a lookups condition (or a raw filter), the
// filter Find would send: Match(lookups.Q{"title__icontains": "go"}).
func Match(cond any) Stage { return matchStage{cond} }

func (s matchStage) stage(c *compiler) (bson.D, error) {
	f, err := c.filter(s.cond)
	if err != nil {
		return nil, err
	}
	d, err := toD(f)
	if err != nil {
		return nil, newError(c.info.name, "", ErrBadFilter, "", err)
	}
	return bson.D{{Key: "$match", Value: d}}, nil
}

// Accumulator is one output field of Group: Count, Sum, Avg, Min or Max.
type Accumulator struct {
	as, op, field string
}

// Count counts the documents of each group, into field as.
func Count(as string) Accumulator { return Accumulator{as: as, op: "$sum"} }

// Sum adds up field over each group, into as.
func Sum(as, field string) Accumulator { return Accumulator{as: as, op: "$sum", field: field} }

// Avg averages field over each group, into as (null when no document of
// the group has a number there). FerretDB v1 has no $avg (ErrUnsupported
// there).
func Avg(as, field string) Accumulator { return Accumulator{as: as, op: "$avg", field: field} }

// Min is the least value of field in each group, into as. FerretDB v1
// has no $min (ErrUnsupported there).
func Min(as, field string) Accumulator { return Accumulator{as: as, op: "$min", field: field} }

// Max is the greatest value of field in each group, into as. FerretDB v1
// has no $max (ErrUnsupported there).
func Max(as, field string) Accumulator { return Accumulator{as: as, op: "$max", field: field} }

type groupStage struct {
	by   string
	accs []Accumulator
}

// Group is a $group stage: the documents grouped by the value of field by
// (a lookups-style or dotted path; "" makes one group of all), each group
// one result {_id: value, as: ...} with the accumulators' fields. FerretDB
// v1 computes only the first accumulator of a $group and gives 0 for the
// others: there Aggregate refuses a Group of several (ErrUnsupported). Decode
// the results with AggregateTo into a struct such as
//
//	struct {
//	    Author bson.ObjectID `bson:"_id"`
//	    Pages  int           `bson:"pages"`
//	}
func Group(by string, accs ...Accumulator) Stage { return groupStage{by, accs} }

func (s groupStage) stage(c *compiler) (bson.D, error) {
	var id any
	if strings.HasPrefix(s.by, "$") {
		return nil, newError(c.info.name, s.by, ErrBadFilter, "Group: a field name may not start with $", nil)
	}
	if s.by != "" {
		p, err := c.fieldPath(s.by)
		if err != nil {
			return nil, err
		}
		id = "$" + p
	}
	g := bson.D{{Key: "_id", Value: id}}
	for _, a := range s.accs {
		if a.as == "" || a.as == "_id" || a.as[0] == '$' {
			return nil, newError(c.info.name, a.as, ErrBadFilter, "Group: an accumulator's name may not be empty, _id or start with $", nil)
		}
		if a.op == "" {
			return nil, newError(c.info.name, a.as, ErrBadFilter, "Group: a zero Accumulator (make one with Count, Sum...)", nil)
		}
		var arg any = 1
		if strings.HasPrefix(a.field, "$") {
			return nil, newError(c.info.name, a.field, ErrBadFilter, "Group: a field name may not start with $", nil)
		}
		if a.field != "" {
			p, err := c.fieldPath(a.field)
			if err != nil {
				return nil, err
			}
			arg = "$" + p
		}
		g = append(g, bson.E{Key: a.as, Value: bson.D{{Key: a.op, Value: arg}}})
	}
	return bson.D{{Key: "$group", Value: g}}, nil
}

// pipeline compiles a pipeline given to Aggregate.
func (c *compiler) pipeline(p any) (bson.A, error) {
	var stages []any
	switch p := p.(type) {
	case Pipeline:
		stages = p
	case []any:
		stages = p
	case bson.A:
		stages = p
	case mongodriver.Pipeline:
		for _, s := range p {
			stages = append(stages, s)
		}
	case []bson.D:
		for _, s := range p {
			stages = append(stages, s)
		}
	case nil:
	default:
		return nil, newError(c.info.name, "", ErrBadFilter, fmt.Sprintf("a pipeline of type %T (want mongo.Pipeline, []any, bson.A or the driver's mongo.Pipeline)", p), nil)
	}
	out := make(bson.A, 0, len(stages))
	for i, s := range stages {
		switch s := s.(type) {
		case Stage:
			d, err := s.stage(c)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		case bson.D, bson.M, bson.Raw:
			out = append(out, s)
		default:
			return nil, newError(c.info.name, "", ErrBadFilter, fmt.Sprintf("pipeline stage %d is a %T (want bson.D, bson.M, bson.Raw or a mongo.Stage)", i, s), nil)
		}
	}
	return out, nil
}

// multiAccumulator reports whether the pipeline has a Group of more than
// one accumulator.
func multiAccumulator(p any) bool {
	var stages []any
	switch p := p.(type) {
	case Pipeline:
		stages = p
	case []any:
		stages = p
	case bson.A:
		stages = p
	}
	for _, s := range stages {
		if g, ok := s.(groupStage); ok && len(g.accs) > 1 {
			return true
		}
	}
	return false
}

// PipelineBSON returns the pipeline Aggregate would send.
func (m *Manager[T]) PipelineBSON(pipeline any) (bson.A, error) {
	if m.comp == nil {
		return nil, m.err
	}
	return m.comp.pipeline(pipeline)
}

func (m *Manager[T]) aggregateRaw(ctx context.Context, pipeline any) ([]bson.Raw, error) {
	if err := m.ready(); err != nil {
		return nil, err
	}
	p, err := m.comp.pipeline(pipeline)
	if err != nil {
		return nil, err
	}
	if multiAccumulator(pipeline) {
		ferret, err := isFerretDB(ctx, m.db.Client())
		if err != nil {
			return nil, serverErr(m.info.name, "aggregate", ErrDecode, err)
		}
		if ferret {
			return nil, newError(m.info.name, "", ErrUnsupported, "FerretDB v1 computes only the first accumulator of a $group (the others come back 0): use one accumulator per Group there", nil)
		}
	}
	cur, err := m.coll.Aggregate(ctx, p)
	if err != nil {
		return nil, serverErr(m.info.name, "aggregate", ErrDecode, err)
	}
	defer cur.Close(ctx)
	var docs []bson.Raw
	for cur.Next(ctx) {
		docs = append(docs, append(bson.Raw(nil), cur.Current...))
	}
	if err := cur.Err(); err != nil {
		return nil, newError(m.info.name, "", ErrDecode, "aggregate", err)
	}
	return docs, nil
}

// Aggregate runs pipeline over the model's collection and restores its
// results as objects of the model (as RestoreAll: through the call's
// scope, references resolved in batches, never with $lookup). The results
// must be the model's documents, with their _id ($match, $sort, $limit,
// $sample...); for anything else use AggregateTo.
func (m *Manager[T]) Aggregate(ctx context.Context, pipeline any) ([]*T, error) {
	docs, err := m.aggregateRaw(ctx, pipeline)
	if err != nil {
		return nil, err
	}
	return m.restore(ctx, docs, true, false)
}

// AggregateTo runs pipeline over the model's collection and decodes its
// results into dst, a pointer to a slice. Structs (or pointers to structs)
// are read by this package's rules (bson tags, converters, references
// resolved in batches as Find does); objects of a registered model go
// through the call's scope as Aggregate's do; other element types (bson.M,
// bson.D, maps) are the driver's.
func (m *Manager[T]) AggregateTo(ctx context.Context, pipeline any, dst any) error {
	if err := m.ready(); err != nil {
		return err
	}
	dv := reflect.ValueOf(dst)
	if dv.Kind() != reflect.Pointer || dv.IsNil() || dv.Elem().Kind() != reflect.Slice {
		return newError(m.info.name, "", ErrBadFilter, fmt.Sprintf("AggregateTo takes a pointer to a slice, got %T", dst), nil)
	}
	docs, err := m.aggregateRaw(ctx, pipeline)
	if err != nil {
		return err
	}
	return m.decodeAll(ctx, docs, dv.Elem())
}

// decodeAll decodes docs into the slice sv.
func (m *Manager[T]) decodeAll(ctx context.Context, docs []bson.Raw, sv reflect.Value) error {
	et := sv.Type().Elem()
	st, isPtr := et, false
	if st.Kind() == reflect.Pointer {
		st, isPtr = st.Elem(), true
	}
	out := reflect.MakeSlice(sv.Type(), len(docs), len(docs))
	if st.Kind() != reflect.Struct || isLeafType(st) || isTextType(st) {
		for i, d := range docs {
			if err := bson.Unmarshal(d, out.Index(i).Addr().Interface()); err != nil {
				return newError(m.info.name, "", ErrDecode, fmt.Sprintf("result %d into %s", i, et), err)
			}
		}
		sv.Set(out)
		return nil
	}
	scope, _ := m.scopeFor(ctx)
	r := newRestorer(ctx, m.db, scope)
	if info, err := modelInfoFor(st); err == nil && info.hooksReady() && isPtr {
		vals, err := r.restoreAll(info, docs)
		if err != nil {
			return err
		}
		for i, v := range vals {
			out.Index(i).Set(v)
		}
		sv.Set(out)
		return nil
	}
	si, err := structInfoFor(st)
	if err != nil {
		return err
	}
	name := st.String()
	scope.mu.Lock()
	for i, d := range docs {
		v := out.Index(i)
		if isPtr {
			v.Set(reflect.New(st))
			v = v.Elem()
		}
		if err := r.decodeStruct(name, si, v, d, "", nil); err != nil {
			scope.mu.Unlock()
			return err
		}
	}
	scope.mu.Unlock()
	if err := r.resolve(); err != nil {
		return err
	}
	if err := r.finish(); err != nil {
		return err
	}
	sv.Set(out)
	return nil
}
