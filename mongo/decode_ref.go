package mongo

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// decodeRef returns the object a stored reference or embedded object
// stands for. mt is the field's model type, or nil for an interface field
// (the model is then found by __model__).
func (r *restorer) decodeRef(model string, mt reflect.Type, raw bson.RawValue, path string, scope *refScope) (reflect.Value, error) {
	doc, ok := raw.DocumentOK()
	if !ok {
		return reflect.Value{}, decodeFail(model, path, fmt.Sprintf("want a reference document, got BSON %s", raw.Type), nil)
	}
	var info *modelInfo
	nameRaw, hasName := doc.LookupErr(modelKey)
	if hasName == nil {
		name, ok := nameRaw.StringValueOK()
		if !ok {
			return reflect.Value{}, decodeFail(model, path, fmt.Sprintf("a reference whose %s is a BSON %s, not a string", modelKey, nameRaw.Type), nil)
		}
		info = registeredModel(name)
		if info == nil && mt != nil {
			if mi, err := modelInfoFor(mt); err == nil && mi.name == name {
				info = mi
			}
		}
		if info == nil {
			return reflect.Value{}, newError(model, path, ErrUnknownModel, fmt.Sprintf("the stored reference names model %q, which is not registered", name), nil)
		}
		if mt != nil && info.typ != mt {
			return reflect.Value{}, decodeFail(model, path, fmt.Sprintf("the stored object is a %s, the field holds %s", info.name, mt), nil)
		}
	} else {
		if mt == nil {
			return reflect.Value{}, newError(model, path, ErrUnknownModel, "a reference without __model__", nil)
		}
		mi, err := modelInfoFor(mt)
		if err != nil {
			return reflect.Value{}, err
		}
		info = mi
	}
	if idRaw, err := doc.LookupErr("_id"); err == nil {
		if _, err := registeredInfo(info.typ, model, path); err != nil {
			return reflect.Value{}, err
		}
		id, err := r.decodeID(model, info, idRaw, path)
		if err != nil {
			return reflect.Value{}, err
		}
		return r.refTo(info, id), nil
	}
	// No _id: an object stored whole (unsaved when its referrer was
	// saved), numbered by __ref__ within its document; a later occurrence
	// is {__ref__: n, __model__} alone. A document with neither is not a
	// reference this package wrote.
	nRaw, err := doc.LookupErr(refKey)
	if err != nil {
		return reflect.Value{}, decodeFail(model, path, fmt.Sprintf("a reference document with neither _id nor %s", refKey), nil)
	}
	nr, ok := nRaw.AsInt64OK()
	if !ok || nRaw.Type == bson.TypeDouble || nr <= 0 || nr > math.MaxInt32 {
		return reflect.Value{}, decodeFail(model, path, fmt.Sprintf("%s must be a positive integer, got BSON %s %v", refKey, nRaw.Type, nRaw), nil)
	}
	n := int32(nr)
	var held map[int32]reflect.Value
	if scope != nil {
		held = scope.m
	}
	if p, ok := held[n]; ok {
		if p.Type().Elem() != info.typ {
			return reflect.Value{}, decodeFail(model, path, fmt.Sprintf("__ref__ %d is a %s, not a %s", n, p.Type().Elem(), info.typ), nil)
		}
		return p, nil
	}
	if hasName != nil {
		return reflect.Value{}, decodeFail(model, path, fmt.Sprintf("an object stored whole without %s", modelKey), nil)
	}
	p := reflect.New(info.typ)
	if scope != nil {
		if scope.m == nil {
			scope.m = map[int32]reflect.Value{}
		}
		scope.m[n] = p
	}
	if err := r.decodeStruct(model, info.structInfo, p.Elem(), doc, path, scope); err != nil {
		return reflect.Value{}, err
	}
	return p, nil
}

// refTo returns the object of info and id: the cached one, or a new
// unloaded one with only its _id, which the next round of resolve fills.
// The caller holds r.cache.mu.
func (r *restorer) refTo(info *modelInfo, id any) reflect.Value {
	p, _ := r.cache.lookup(info, id)
	if !p.IsValid() {
		p = reflect.New(info.typ)
		info.idOf(p).Set(reflect.ValueOf(id))
		r.cache.put(info, id, p)
	} else if r.done(info, p) {
		return p
	}
	if r.pending == nil {
		r.pending = map[*modelInfo]map[any]reflect.Value{}
	}
	pm := r.pending[info]
	if pm == nil {
		pm = map[any]reflect.Value{}
		r.pending[info] = pm
	}
	pm[id] = p
	return p
}

// decodeAny sets an interface value: references and embedded models
// (documents with __model__, at any depth) become objects, documents
// bson.D and arrays bson.A; anything else is the driver's.
func (r *restorer) decodeAny(model string, dst reflect.Value, raw bson.RawValue, path string, scope *refScope) error {
	if !containsModel(raw) {
		target := dst
		if !dst.CanAddr() {
			target = reflect.New(dst.Type()).Elem()
		}
		if err := raw.Unmarshal(target.Addr().Interface()); err != nil {
			return decodeFail(model, path, fmt.Sprintf("BSON %s into %s", raw.Type, dst.Type()), err)
		}
		dst.Set(target)
		return nil
	}
	var x reflect.Value
	switch raw.Type {
	case bson.TypeEmbeddedDocument:
		doc := raw.Document()
		if _, err := doc.LookupErr(modelKey); err == nil {
			p, err := r.decodeRef(model, nil, raw, path, scope)
			if err != nil {
				return err
			}
			x = p
			break
		}
		elems, err := doc.Elements()
		if err != nil {
			return decodeFail(model, path, "malformed document", err)
		}
		d := make(bson.D, len(elems))
		for i, el := range elems {
			d[i].Key = el.Key()
			if err := r.decodeAny(model, reflect.ValueOf(&d[i].Value).Elem(), el.Value(), joinField(path, el.Key()), scope); err != nil {
				return err
			}
		}
		x = reflect.ValueOf(d)
	case bson.TypeArray:
		vals, err := raw.Array().Values()
		if err != nil {
			return decodeFail(model, path, "malformed array", err)
		}
		a := make(bson.A, len(vals))
		for i, v := range vals {
			if err := r.decodeAny(model, reflect.ValueOf(&a[i]).Elem(), v, path+"["+strconv.Itoa(i)+"]", scope); err != nil {
				return err
			}
		}
		x = reflect.ValueOf(a)
	}
	if !x.Type().AssignableTo(dst.Type()) {
		return decodeFail(model, path, fmt.Sprintf("a %s does not go into %s", x.Type(), dst.Type()), nil)
	}
	dst.Set(x)
	return nil
}

// containsModel reports whether raw is or holds a document with __model__.
func containsModel(raw bson.RawValue) bool {
	var vals []bson.RawValue
	switch raw.Type {
	case bson.TypeEmbeddedDocument:
		elems, err := raw.Document().Elements()
		if err != nil {
			return false
		}
		for _, el := range elems {
			if el.Key() == modelKey {
				return true
			}
			vals = append(vals, el.Value())
		}
	case bson.TypeArray:
		vals, _ = raw.Array().Values()
	default:
		return false
	}
	for _, v := range vals {
		if containsModel(v) {
			return true
		}
	}
	return false
}

// resolve loads the pending objects, a round at a time: one $in query per
// model per round, each round taking the references the previous one found.
func (r *restorer) resolve() error {
	for len(r.pending) > 0 {
		round := r.pending
		r.pending = nil
		infos := make([]*modelInfo, 0, len(round))
		for info := range round {
			infos = append(infos, info)
		}
		sort.Slice(infos, func(i, j int) bool { return infos[i].name < infos[j].name })
		for _, info := range infos {
			objs := round[info]
			r.cache.mu.Lock()
			ids := make(bson.A, 0, len(objs))
			for id, p := range objs {
				if r.done(info, p) {
					delete(objs, id)
					continue
				}
				ids = append(ids, id)
			}
			r.cache.mu.Unlock()
			if len(ids) == 0 {
				continue
			}
			docs, err := r.findRaw(info, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
			if err != nil {
				return err
			}
			r.cache.mu.Lock()
			for _, doc := range docs {
				idRaw, err := doc.LookupErr("_id")
				if err != nil {
					continue
				}
				id, err := r.decodeID(info.name, info, idRaw, "_id")
				if err != nil {
					r.cache.mu.Unlock()
					return err
				}
				p, ok := objs[id]
				if !ok || r.done(info, p) {
					continue
				}
				if err := r.fill(info, p, doc, true); err != nil {
					r.cache.mu.Unlock()
					return err
				}
			}
			r.cache.mu.Unlock()
		}
	}
	return nil
}

// findRaw runs one find on info's collection and returns copies of the
// documents.
func (r *restorer) findRaw(info *modelInfo, filter any) ([]bson.Raw, error) {
	cur, err := r.db.Collection(info.collection).Find(r.ctx, filter)
	if err != nil {
		return nil, newError(info.name, "", ErrDecode, "resolving references", err)
	}
	defer cur.Close(r.ctx)
	var docs []bson.Raw
	for cur.Next(r.ctx) {
		docs = append(docs, append(bson.Raw(nil), cur.Current...))
	}
	if err := cur.Err(); err != nil {
		return nil, newError(info.name, "", ErrDecode, "resolving references", err)
	}
	return docs, nil
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	unmarshalerType   = reflect.TypeFor[bson.Unmarshaler]()
	valueUnmarshalerT = reflect.TypeFor[bson.ValueUnmarshaler]()
)

// leafTypeOK reports whether a BSON value of type bt may go into Go type t
// (a pointer is checked as what it points to). The driver converts more
// than it should for a mapper: an integer into a time.Time (as
// milliseconds since 1970), a boolean into an integer, a number into a
// bool. Those are refused; types that decode themselves are left to their
// own rules.
func leafTypeOK(t reflect.Type, bt bson.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(unmarshalerType) || t.Implements(valueUnmarshalerT) {
		return true
	}
	if p := reflect.PointerTo(t); p.Implements(unmarshalerType) || p.Implements(valueUnmarshalerT) {
		return true
	}
	if t == timeType {
		return bt == bson.TypeDateTime
	}
	if t.PkgPath() == bsonPkg {
		return true
	}
	switch t.Kind() {
	case reflect.Bool:
		return bt == bson.TypeBoolean
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return bt == bson.TypeInt32 || bt == bson.TypeInt64 || bt == bson.TypeDouble
	}
	return true
}
