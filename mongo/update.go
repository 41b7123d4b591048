package mongo

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
)

// Update is one change of Query.Update: make one with Set, Unset, Inc,
// Push, Pull or AddToSet. Two changes of one field in one Update conflict
// (a server error). Fields are named as in lookups (Go names or BSON
// keys, "__" into nested documents: "address__city") or dotted.
type Update struct {
	op     string // $set, $unset, $inc, $push, $pullAll, $addToSet
	field  string
	values []any
}

// FieldRef stands for the value of another field of the same document:
// Set("total", F("subtotal")). Make one with F.
type FieldRef struct{ name string }

// F returns a reference to a field of the document being updated, for
// Set. MongoDB allows one only in an update written as a pipeline (MongoDB
// 4.2 and later; FerretDB v1 has none): an Update with an F is sent as
// one, where only Set, Unset and Inc may appear.
func F(field string) FieldRef { return FieldRef{name: field} }

// Set sets field to value ($set). The value is stored as the field stores
// it (its converter, references as {_id, __model__}), or is an F.
func Set(field string, value any) Update {
	return Update{op: "$set", field: field, values: []any{value}}
}

// Unset removes field ($unset): it reads back as its zero value.
func Unset(field string) Update { return Update{op: "$unset", field: field} }

// Inc adds by (a number, negative to subtract) to a numeric field ($inc).
func Inc(field string, by any) Update { return Update{op: "$inc", field: field, values: []any{by}} }

// Push appends values to a list field ($push with $each). The field must
// hold an array: a nil slice is stored as null, and MongoDB refuses to push
// to null (Set it to an empty slice first).
func Push(field string, values ...any) Update {
	return Update{op: "$push", field: field, values: values}
}

// AddToSet appends those of values the list does not hold yet ($addToSet
// with $each).
func AddToSet(field string, values ...any) Update {
	return Update{op: "$addToSet", field: field, values: values}
}

// Pull removes every element equal to one of values from a list field
// ($pullAll). A model object removes the references to it.
func Pull(field string, values ...any) Update {
	return Update{op: "$pullAll", field: field, values: values}
}

// Update applies ops to every matching document (an updateMany) and
// returns how many matched. When the model has a version field, it is
// raised by one in each document changed, so that objects loaded before
// fail to save (ErrStale) rather than overwrite the change. It calls no
// hooks, and objects already read keep their values until read again
// (reads refresh them). Sort, Skip and Limit are errors here.
func (q *Query[T]) Update(ctx context.Context, ops ...Update) (int64, error) {
	filter, err := q.writeFilter("Update")
	if err != nil {
		return 0, err
	}
	if len(ops) == 0 {
		return 0, newError(q.m.info.name, "", ErrBadUpdate, "Update without a change", nil)
	}
	upd, err := q.m.comp.update(ops)
	if err != nil {
		return 0, err
	}
	if _, ok := upd.(mongodriver.Pipeline); ok {
		ferret, err := isFerretDB(ctx, q.m.db.Client())
		if err != nil {
			return 0, serverErr(q.m.info.name, "updating", ErrEncode, err)
		}
		if ferret {
			return 0, newError(q.m.info.name, "", ErrUnsupported, "an update with F is an update pipeline, which FerretDB v1 does not have", nil)
		}
	}
	res, err := q.m.coll.UpdateMany(ctx, filter, upd)
	if err != nil {
		if mongodriver.IsDuplicateKeyError(err) {
			return 0, newError(q.m.info.name, "", ErrDuplicateKey, "", err)
		}
		return 0, serverErr(q.m.info.name, "updating", ErrEncode, err)
	}
	return res.MatchedCount, nil
}

// UpdateBSON returns the update document (or pipeline) Update would send.
func (q *Query[T]) UpdateBSON(ops ...Update) (any, error) {
	if q.m.comp == nil {
		return nil, q.m.err
	}
	return q.m.comp.update(ops)
}

func (c *compiler) badUpdate(field, detail string) error {
	return newError(c.info.name, field, ErrBadUpdate, detail, nil)
}

// compiledUpdate is one compiled change.
type compiledUpdate struct {
	op    string
	path  string
	value any // the stored form; for a pipeline, an expression
	ref   bool
}

// update compiles ops into an update document, or into a pipeline when an
// F appears.
func (c *compiler) update(ops []Update) (any, error) {
	var out []compiledUpdate
	pipeline := false
	touchesVersion := false
	for _, u := range ops {
		if u.op == "" {
			return nil, c.badUpdate(u.field, "a zero Update (make one with Set, Inc...)")
		}
		if strings.HasPrefix(u.field, "$") {
			return nil, c.badUpdate(u.field, "a field name may not start with $")
		}
		t, err := c.target(u.field)
		if err != nil {
			return nil, err
		}
		if t.path == "_id" || (t.field == c.info.id && t.path == c.info.id.key) {
			return nil, c.badUpdate(u.field, "the _id of a document cannot change")
		}
		if c.info.version != nil && t.path == c.info.version.key {
			touchesVersion = true
		}
		declared := reflect.Type(nil)
		if t.field != nil {
			declared = t.field.typ
		}
		cu := compiledUpdate{op: u.op, path: t.path}
		switch u.op {
		case "$unset":
			cu.value = ""
		case "$set":
			if f, ok := u.values[0].(FieldRef); ok {
				if strings.HasPrefix(f.name, "$") {
					return nil, c.badUpdate(u.field, "F of a name starting with $")
				}
				ft, err := c.target(f.name)
				if err != nil {
					return nil, err
				}
				cu.value, cu.ref, pipeline = "$"+ft.path, true, true
				break
			}
			v, err := c.updateValue(u.field, t, declared, u.values[0])
			if err != nil {
				return nil, err
			}
			cu.value = v
		case "$inc":
			if declared != nil && !isNumber(deref(declared)) {
				return nil, c.badUpdate(u.field, fmt.Sprintf("Inc on a field of type %s", declared))
			}
			if u.values[0] == nil || !isNumber(reflect.TypeOf(u.values[0])) {
				return nil, c.badUpdate(u.field, fmt.Sprintf("Inc by a %T, not a number", u.values[0]))
			}
			cu.value = u.values[0]
		case "$push", "$addToSet", "$pullAll":
			elem := reflect.Type(nil)
			if declared != nil {
				d := deref(declared)
				if (d.Kind() != reflect.Slice && d.Kind() != reflect.Array) || d.Elem().Kind() == reflect.Uint8 {
					return nil, c.badUpdate(u.field, fmt.Sprintf("%s on a field of type %s, not a list", opName(u.op), declared))
				}
				elem = d.Elem()
			}
			a := make(bson.A, len(u.values))
			for i, v := range u.values {
				x, err := c.updateValue(u.field, t, elem, v)
				if err != nil {
					return nil, err
				}
				a[i] = x
			}
			if u.op == "$pullAll" {
				cu.value = a
			} else {
				cu.value = bson.D{{Key: "$each", Value: a}}
			}
		default:
			return nil, c.badUpdate(u.field, "a zero Update (make one with Set, Inc...)")
		}
		out = append(out, cu)
	}
	if c.info.version != nil && !touchesVersion {
		out = append(out, compiledUpdate{op: "$inc", path: c.info.version.key, value: 1})
	}
	if pipeline {
		return c.pipelineUpdate(out)
	}
	var doc bson.D
	groups := map[string]int{}
	for _, cu := range out {
		i, ok := groups[cu.op]
		if !ok {
			i = len(doc)
			groups[cu.op] = i
			doc = append(doc, bson.E{Key: cu.op, Value: bson.D{}})
		}
		doc[i].Value = append(doc[i].Value.(bson.D), bson.E{Key: cu.path, Value: cu.value})
	}
	return doc, nil
}

// pipelineUpdate writes the changes as an update pipeline: literal values
// wrapped in $literal (a string starting with "$" is then never read as a
// field path).
func (c *compiler) pipelineUpdate(out []compiledUpdate) (mongodriver.Pipeline, error) {
	var p mongodriver.Pipeline
	for _, cu := range out {
		switch cu.op {
		case "$set":
			v := cu.value
			if !cu.ref {
				v = bson.D{{Key: "$literal", Value: v}}
			}
			p = append(p, bson.D{{Key: "$set", Value: bson.D{{Key: cu.path, Value: v}}}})
		case "$unset":
			p = append(p, bson.D{{Key: "$unset", Value: cu.path}})
		case "$inc":
			add := bson.D{{Key: "$add", Value: bson.A{bson.D{{Key: "$ifNull", Value: bson.A{"$" + cu.path, 0}}}, bson.D{{Key: "$literal", Value: cu.value}}}}}
			p = append(p, bson.D{{Key: "$set", Value: bson.D{{Key: cu.path, Value: add}}}})
		default:
			return nil, c.badUpdate(cu.path, fmt.Sprintf("%s cannot be used with F (an update pipeline takes Set, Unset and Inc)", opName(cu.op)))
		}
	}
	return p, nil
}

func opName(op string) string {
	switch op {
	case "$push":
		return "Push"
	case "$pullAll":
		return "Pull"
	case "$addToSet":
		return "AddToSet"
	case "$inc":
		return "Inc"
	case "$unset":
		return "Unset"
	}
	return "Set"
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func isNumber(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// updateValue returns the stored form of v for a field (or list element) of
// type typ (nil when unknown): through the field's converter or codec when
// v has that type, otherwise as lookups values are converted. A value of
// another kind (a string for an int) is an error naming the field.
func (c *compiler) updateValue(key string, t target, typ reflect.Type, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	rv := reflect.ValueOf(v)
	if typ != nil {
		if t.field != nil && t.field.conv != nil && typ == t.field.typ {
			if rv.Type() != t.field.conv.goType {
				return nil, c.badUpdate(key, fmt.Sprintf("a %T for a field of type %s (stored through a converter)", v, typ))
			}
			x, err := t.field.conv.flatten(rv)
			if err != nil {
				return nil, newError(c.info.name, key, ErrEncode, "converter", err)
			}
			return x, nil
		}
		if rv.Type() == typ {
			cd, err := codecFor(typ)
			if err != nil {
				return nil, c.badUpdate(key, err.Error())
			}
			p := reflect.New(typ).Elem()
			p.Set(rv)
			return newEncoder(c.info.name).encodeValue(cd, p, key)
		}
		if !compatible(rv.Type(), typ) {
			return nil, c.badUpdate(key, fmt.Sprintf("a %T for a field of type %s", v, typ))
		}
	}
	x, err := c.value(t, key, v)
	if err != nil {
		return nil, err
	}
	return x, nil
}

// compatible reports whether a value of type vt may be stored in a field of
// type ft (other than vt itself): numbers for numbers, strings for strings
// (and ObjectIDs, as hex), the element for a pointer.
func compatible(vt, ft reflect.Type) bool {
	vt, ft = deref(vt), deref(ft)
	if vt == ft || ft.Kind() == reflect.Interface {
		return true
	}
	if ft == objectIDType {
		return vt.Kind() == reflect.String
	}
	if isNumber(vt) && isNumber(ft) {
		return true
	}
	switch vt.Kind() {
	case reflect.String, reflect.Bool:
		return vt.Kind() == ft.Kind()
	}
	return false
}
