package mongo

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The keys of reference documents.
const (
	// modelKey holds the model's name in a reference or an embedded object.
	modelKey = "__model__"
	// refKey numbers an embedded (unsaved) object within one document, so
	// that a second occurrence of it is stored as {__ref__: n, __model__}
	// and cycles of unsaved objects end.
	refKey = "__ref__"
)

// encoder turns one object into a document.
type encoder struct {
	model string                    // the model being saved, for errors
	seen  map[uintptr]int32         // unsaved objects embedded so far
	ptrs  map[uintptr]reflect.Value // keeps them alive while seen
}

func newEncoder(model string) *encoder {
	return &encoder{model: model}
}

func (e *encoder) fail(path string, detail string, cause error) error {
	return newError(e.model, path, ErrEncode, detail, cause)
}

// encodeStruct returns the document of struct value v; skip (the zero _id of
// an embedded object) is left out.
func (e *encoder) encodeStruct(si *structInfo, v reflect.Value, path string, skip *fieldInfo) (bson.D, error) {
	d := make(bson.D, 0, len(si.fields))
	for _, f := range si.fields {
		if f == skip {
			continue
		}
		x, omit, err := e.encodeField(f, fieldOf(v, f), path)
		if err != nil {
			return nil, err
		}
		if !omit {
			d = append(d, bson.E{Key: f.key, Value: x})
		}
	}
	return d, nil
}

// encodeDoc returns the document of a model object. Objects stored whole
// are numbered by __ref__ within each top-level field, so that one field
// can be written alone ($set) and read back alone.
func (e *encoder) encodeDoc(info *modelInfo, v reflect.Value) (bson.D, error) {
	d := make(bson.D, 0, len(info.fields))
	for _, f := range info.fields {
		x, omit, err := e.encodeTop(f, fieldOf(v, f))
		if err != nil {
			return nil, err
		}
		if !omit {
			d = append(d, bson.E{Key: f.key, Value: x})
		}
	}
	return d, nil
}

// encodeTop encodes one top-level field of a model object, numbering the
// objects stored whole afresh.
func (e *encoder) encodeTop(f *fieldInfo, fv reflect.Value) (any, bool, error) {
	clear(e.seen)
	clear(e.ptrs)
	return e.encodeField(f, fv, "")
}

// encodeField returns what to store for field f of value fv, or omit when
// omitempty / omitzero leave it out.
func (e *encoder) encodeField(f *fieldInfo, fv reflect.Value, path string) (x any, omit bool, err error) {
	if (f.omitEmpty && isEmptyValue(fv)) || (f.omitZero && fv.IsZero()) {
		return nil, true, nil
	}
	fpath := joinField(path, f.key)
	if f.conv != nil {
		x, err := f.conv.flatten(fv)
		if err != nil {
			return nil, false, e.fail(fpath, "converter", err)
		}
		return x, false, nil
	}
	x, err = e.encodeValue(f.codec, fv, fpath)
	return x, false, err
}

// encodeValue returns what to store for v, of the type c describes.
func (e *encoder) encodeValue(c *codec, v reflect.Value, path string) (any, error) {
	switch c.kind {
	case kLeaf:
		return v.Interface(), nil
	case kText:
		s, err := textEncode(v)
		if err != nil {
			return nil, e.fail(path, "MarshalText", err)
		}
		return s, nil
	case kStruct:
		si, err := structInfoFor(c.typ)
		if err != nil {
			return nil, err
		}
		return e.encodeStruct(si, v, path, nil)
	case kPtr:
		if v.IsNil() {
			return nil, nil
		}
		return e.encodeValue(c.elem, v.Elem(), path)
	case kList:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil, nil
		}
		a := make(bson.A, v.Len())
		for i := range a {
			x, err := e.encodeValue(c.elem, v.Index(i), path+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			a[i] = x
		}
		return a, nil
	case kMap:
		if v.IsNil() {
			return nil, nil
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		d := make(bson.D, 0, len(keys))
		for _, k := range keys {
			x, err := e.encodeValue(c.elem, v.MapIndex(k), joinField(path, k.String()))
			if err != nil {
				return nil, err
			}
			d = append(d, bson.E{Key: k.String(), Value: x})
		}
		return d, nil
	case kRef:
		if v.IsNil() {
			return nil, nil
		}
		return e.encodeRef(c.typ.Elem(), v, path)
	case kAny:
		if v.IsNil() {
			return nil, nil
		}
		dv := v.Elem()
		dc, err := codecFor(dv.Type())
		if err != nil {
			return nil, e.fail(path, err.Error(), nil)
		}
		if dc.kind == kLeaf {
			return dv.Interface(), nil
		}
		if dc.kind == kStruct || dc.kind == kText {
			// Methods and fields of a struct held in an interface
			// need it addressable.
			p := reflect.New(dv.Type())
			p.Elem().Set(dv)
			dv = p.Elem()
		}
		return e.encodeValue(dc, dv, path)
	}
	return nil, e.fail(path, fmt.Sprintf("unsupported type %s", v.Type()), nil)
}

// encodeRef stores a pointer to a model: a reference {_id, __model__} when
// the object has an _id, the object itself otherwise.
func (e *encoder) encodeRef(mt reflect.Type, ptr reflect.Value, path string) (any, error) {
	info, err := modelInfoFor(mt)
	if err != nil {
		return nil, err
	}
	id := info.idOf(ptr)
	if !id.IsZero() {
		if _, err := registeredInfo(mt, e.model, path); err != nil {
			return nil, err
		}
		return bson.D{{Key: "_id", Value: id.Interface()}, {Key: modelKey, Value: info.name}}, nil
	}
	addr := ptr.Pointer()
	if n, ok := e.seen[addr]; ok {
		return bson.D{{Key: refKey, Value: n}, {Key: modelKey, Value: info.name}}, nil
	}
	if e.seen == nil {
		e.seen, e.ptrs = map[uintptr]int32{}, map[uintptr]reflect.Value{}
	}
	n := int32(len(e.seen) + 1)
	e.seen[addr], e.ptrs[addr] = n, ptr
	d, err := e.encodeStruct(info.structInfo, ptr.Elem(), path, info.id)
	if err != nil {
		return nil, err
	}
	return append(bson.D{{Key: modelKey, Value: info.name}, {Key: refKey, Value: n}}, d...), nil
}
