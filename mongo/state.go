package mongo

import (
	"bytes"
	"context"
	"reflect"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Dirty tracking. A loaded object (of a model that embeds Model) keeps the
// document it was read from or last written as (its snapshot). Save
// compares each field's stored form now with the snapshot's and sends
// $set / $unset for those that differ, so two programs that change
// different fields of one document never overwrite each other.

// change is one field to write: its stored form, or unset.
type change struct {
	field *fieldInfo
	value any
	unset bool
}

// changedFields returns the fields of the object ptr points to whose stored
// form differs from the snapshot's (the _id and version fields aside).
func (info *modelInfo) changedFields(ptr reflect.Value, snap bson.Raw) ([]change, error) {
	e := newEncoder(info.name)
	v := ptr.Elem()
	var out []change
	for _, f := range info.fields {
		if f == info.id || f == info.version {
			continue
		}
		x, omit, err := e.encodeTop(f, fieldOf(v, f))
		if err != nil {
			return nil, err
		}
		old, err := snap.LookupErr(f.key)
		has := err == nil
		if omit {
			if has {
				out = append(out, change{field: f, unset: true})
			}
			continue
		}
		if has && info.sameStored(f, x, old) {
			continue
		}
		out = append(out, change{field: f, value: x})
	}
	return out, nil
}

// sameStored reports whether x, the stored form of field f now, is what old
// (the snapshot's value) holds. The bytes are compared first; when they
// differ, old is read into the field's type and encoded again, so that a
// value another program wrote in another form (an int32 for an int64, a
// reference without __model__) is not taken for a change.
func (info *modelInfo) sameStored(f *fieldInfo, x any, old bson.RawValue) bool {
	t, b, err := marshalValue(x)
	if err != nil {
		return false
	}
	if sameValue(t, b, old.Type, old.Value) {
		return true
	}
	tmp := reflect.New(f.typ).Elem()
	r := newRestorer(context.Background(), nil, newCache(false)) // never resolves
	switch {
	case old.Type == bson.TypeNull || old.Type == bson.TypeUndefined:
	case f.conv != nil:
		y, err := f.conv.unflatten(old)
		if err != nil {
			return false
		}
		tmp.Set(y)
	default:
		if err := r.decodeValue(info.name, f.codec, tmp, old, f.key, &refScope{}); err != nil {
			return false
		}
	}
	y, omit, err := newEncoder(info.name).encodeTop(f, tmp)
	if err != nil || omit {
		return false
	}
	t2, b2, err := marshalValue(y)
	return err == nil && sameValue(t, b, t2, b2)
}

// marshalValue is bson.MarshalValue, with nil as null.
func marshalValue(x any) (bson.Type, []byte, error) {
	if x == nil {
		return bson.TypeNull, nil, nil
	}
	return bson.MarshalValue(x)
}

// sameValue compares two BSON values, documents as sets of keys: the
// driver writes a Go map's keys in random order.
func sameValue(t1 bson.Type, b1 []byte, t2 bson.Type, b2 []byte) bool {
	if t1 == t2 && bytes.Equal(b1, b2) {
		return true
	}
	if t1 != t2 {
		return false
	}
	switch t1 {
	case bson.TypeEmbeddedDocument:
		e1, err1 := bson.Raw(b1).Elements()
		e2, err2 := bson.Raw(b2).Elements()
		if err1 != nil || err2 != nil || len(e1) != len(e2) {
			return false
		}
		byKey := make(map[string]bson.RawValue, len(e2))
		for _, e := range e2 {
			byKey[e.Key()] = e.Value()
		}
		for _, e := range e1 {
			v2, ok := byKey[e.Key()]
			v1 := e.Value()
			if !ok || !sameValue(v1.Type, v1.Value, v2.Type, v2.Value) {
				return false
			}
		}
		return true
	case bson.TypeArray:
		a1, err1 := bson.RawArray(b1).Values()
		a2, err2 := bson.RawArray(b2).Values()
		if err1 != nil || err2 != nil || len(a1) != len(a2) {
			return false
		}
		for i := range a1 {
			if !sameValue(a1[i].Type, a1[i].Value, a2[i].Type, a2[i].Value) {
				return false
			}
		}
		return true
	}
	return false
}

// splice returns the snapshot after an update: snap with the keys of set
// replaced (or added) and those of unset removed.
func splice(snap bson.Raw, set bson.D, unset []string) (bson.Raw, error) {
	gone := make(map[string]bool, len(unset)+len(set))
	for _, k := range unset {
		gone[k] = true
	}
	idx := make(map[string]int, len(set))
	for i, e := range set {
		idx[e.Key] = i
	}
	elems, err := snap.Elements()
	if err != nil {
		return nil, err
	}
	d := make(bson.D, 0, len(elems)+len(set))
	used := make([]bool, len(set))
	for _, el := range elems {
		k := el.Key()
		if gone[k] {
			continue
		}
		if i, ok := idx[k]; ok {
			d = append(d, set[i])
			used[i] = true
			continue
		}
		d = append(d, bson.E{Key: k, Value: el.Value()})
	}
	for i, e := range set {
		if !used[i] {
			d = append(d, e)
		}
	}
	return bson.Marshal(d)
}
