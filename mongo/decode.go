package mongo

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
)

// restorer turns documents into objects through an identity map (the call's
// scope), and resolves the references they hold with one $in query per
// referenced model and round (a round for each level of references not yet
// in memory).
type restorer struct {
	ctx   context.Context
	db    *mongodriver.Database
	cache *Cache
	// cached is false for projected documents: their objects are not
	// complete, so they are neither taken from nor put in the cache.
	cached bool
	// force refreshes every field of an object the scope holds, changed or
	// not (ForceRestore); otherwise the fields with unsaved changes keep
	// them.
	force bool
	// pending are the objects referenced but not loaded, by model and _id.
	pending map[*modelInfo]map[any]reflect.Value
	// filled are the objects this restorer filled. They are marked loaded
	// only once every reference they lead to is resolved, so that another
	// goroutine never takes one from a shared scope (as loaded) while its
	// references are still being filled; until then a concurrent restore
	// fills them again (under the cache's lock), which is harmless.
	filled    []filledObj
	filledSet map[uintptr]bool
	// top numbers the objects stored whole in one top-level field.
	top refScope
}

// refScope maps the __ref__ numbers of one top-level field to the objects
// read so far.
type refScope struct {
	m map[int32]reflect.Value
}

type filledObj struct {
	info *modelInfo
	ptr  reflect.Value
	doc  bson.Raw // the document it was filled from: its snapshot
}

// done reports whether ptr is filled, by this restorer or (loaded) by
// anyone. The caller holds r.cache.mu.
func (r *restorer) done(info *modelInfo, ptr reflect.Value) bool {
	return r.filledSet[ptr.Pointer()] || r.cache.isLoaded(info, ptr)
}

// finish marks every object filled loaded, once resolve has succeeded, with
// its document as the snapshot dirty tracking compares with, then runs the
// AfterLoad hooks.
func (r *restorer) finish() error {
	r.cache.mu.Lock()
	for _, f := range r.filled {
		r.cache.setLoaded(f.info, f.ptr, true, f.doc)
	}
	r.cache.mu.Unlock()
	var errs []error
	for _, f := range r.filled {
		if err := afterLoad(r.ctx, f.info, f.ptr); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func newRestorer(ctx context.Context, db *mongodriver.Database, cache *Cache) *restorer {
	return &restorer{ctx: ctx, db: db, cache: cache, cached: true}
}

// restoreAll restores docs, all of model info, and resolves their
// references. It returns pointers to the objects, in order.
func (r *restorer) restoreAll(info *modelInfo, docs []bson.Raw) ([]reflect.Value, error) {
	out := make([]reflect.Value, len(docs))
	r.cache.mu.Lock()
	for i, doc := range docs {
		p, err := r.restoreDoc(info, doc)
		if err != nil {
			r.cache.mu.Unlock()
			return nil, err
		}
		out[i] = p
	}
	r.cache.mu.Unlock()
	if err := r.resolve(); err != nil {
		return nil, err
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	return out, nil
}

// restoreInto fills the object ptr points to from doc (Load and Refresh),
// every field, and resolves its references.
func (r *restorer) restoreInto(info *modelInfo, ptr reflect.Value, doc bson.Raw) error {
	r.cache.mu.Lock()
	err := r.fill(info, ptr, doc, true)
	if err == nil {
		id := info.idOf(ptr).Interface()
		if p, _ := r.cache.lookup(info, id); !p.IsValid() {
			r.cache.put(info, id, ptr)
		}
	}
	r.cache.mu.Unlock()
	if err != nil {
		return err
	}
	if err := r.resolve(); err != nil {
		return err
	}
	return r.finish()
}

// restoreDoc returns the object of doc: the one the scope holds, refreshed
// from doc (the fields without unsaved changes; all with force), or a new
// object filled from doc. The caller holds r.cache.mu.
func (r *restorer) restoreDoc(info *modelInfo, doc bson.Raw) (reflect.Value, error) {
	idRaw, err := doc.LookupErr("_id")
	if err != nil {
		return reflect.Value{}, newError(info.name, "_id", ErrDecode, "the document has no _id", nil)
	}
	id, err := r.decodeID(info.name, info, idRaw, "_id")
	if err != nil {
		return reflect.Value{}, err
	}
	if !r.cached {
		p := reflect.New(info.typ)
		return p, r.fill(info, p, doc, false)
	}
	p, _ := r.cache.lookup(info, id)
	switch {
	case !p.IsValid():
		p = reflect.New(info.typ)
		info.idOf(p).Set(reflect.ValueOf(id))
		r.cache.put(info, id, p)
	case r.filledSet[p.Pointer()]:
		return p, nil
	case r.cache.isLoaded(info, p) && !r.force:
		return p, r.refresh(info, p, doc)
	}
	if err := r.fill(info, p, doc, true); err != nil {
		return reflect.Value{}, err
	}
	return p, nil
}

// fill sets every field of the object ptr points to from doc. The caller
// holds r.cache.mu.
func (r *restorer) fill(info *modelInfo, ptr reflect.Value, doc bson.Raw, loaded bool) error {
	v := ptr.Elem()
	for _, f := range info.fields {
		if f != info.id {
			fieldOf(v, f).SetZero()
		}
	}
	if err := r.decodeStruct(info.name, info.structInfo, v, doc, "", nil); err != nil {
		return err
	}
	if loaded {
		r.filledObj(info, ptr, doc)
	}
	return nil
}

// refresh sets the fields of a loaded object (ptr) that have no unsaved
// change from doc, a newer read of its document: what a read returns is
// what the database holds, except what the program changed and has not
// saved yet. The version field is refreshed only when nothing changed, so
// that saving those changes is still checked against the version they were
// made on. The caller holds r.cache.mu.
func (r *restorer) refresh(info *modelInfo, ptr reflect.Value, doc bson.Raw) error {
	var keep map[*fieldInfo]bool
	if m := info.base0(ptr); m != nil {
		if st := m.state(); st != nil {
			changed, err := info.changedFields(ptr, st.snap)
			if err != nil {
				return err
			}
			if len(changed) > 0 {
				keep = map[*fieldInfo]bool{}
				for _, f := range changed {
					keep[f.field] = true
				}
				if info.version != nil {
					keep[info.version] = true
				}
			}
		}
	}
	tmp := reflect.New(info.typ)
	if err := r.decodeStruct(info.name, info.structInfo, tmp.Elem(), doc, "", nil); err != nil {
		return err
	}
	copyFields(info, ptr.Elem(), tmp.Elem(), keep)
	r.filledObj(info, ptr, doc)
	return nil
}

// copyFields copies the stored fields of src to dst (struct values of one
// model), except those in keep and the _id.
func copyFields(info *modelInfo, dst, src reflect.Value, keep map[*fieldInfo]bool) {
	for _, f := range info.fields {
		if f == info.id || keep[f] {
			continue
		}
		fieldOf(dst, f).Set(fieldOf(src, f))
	}
}

func (r *restorer) filledObj(info *modelInfo, ptr reflect.Value, doc bson.Raw) {
	if pm := r.pending[info]; pm != nil {
		delete(pm, info.idOf(ptr).Interface())
	}
	if r.filledSet == nil {
		r.filledSet = map[uintptr]bool{}
	}
	if !r.filledSet[ptr.Pointer()] {
		r.filledSet[ptr.Pointer()] = true
		r.filled = append(r.filled, filledObj{info, ptr, doc})
	}
}

// decodeID reads an _id of model info; errors name model.path (the field
// holding a reference, for a reference's _id).
func (r *restorer) decodeID(model string, info *modelInfo, raw bson.RawValue, path string) (any, error) {
	v := reflect.New(info.id.typ).Elem()
	if err := r.decodeValue(model, info.id.codec, v, raw, path, nil); err != nil {
		return nil, err
	}
	if v.IsZero() {
		return nil, decodeFail(model, path, fmt.Sprintf("a zero or null _id (BSON %s)", raw.Type), nil)
	}
	return v.Interface(), nil
}

func decodeFail(model, path string, detail string, cause error) error {
	return newError(model, path, ErrDecode, detail, cause)
}

// decodeStruct sets the fields of struct value v from doc; keys that are
// not fields are ignored. scope numbers the objects stored whole (__ref__);
// nil (a model's document) gives each top-level field a numbering of its
// own, as encodeDoc writes them.
func (r *restorer) decodeStruct(model string, si *structInfo, v reflect.Value, doc bson.Raw, path string, scope *refScope) error {
	elems, err := doc.Elements()
	if err != nil {
		return decodeFail(model, path, "malformed document", err)
	}
	top := scope == nil
	if top {
		scope = &r.top
	}
	for _, el := range elems {
		if top {
			clear(scope.m)
		}
		f := si.byKey[el.Key()]
		if f == nil {
			continue
		}
		fv := fieldOf(v, f)
		raw := el.Value()
		fpath := joinField(path, f.key)
		if f.conv != nil {
			if raw.Type == bson.TypeNull || raw.Type == bson.TypeUndefined {
				fv.SetZero()
				continue
			}
			x, err := f.conv.unflatten(raw)
			if err != nil {
				return decodeFail(model, fpath, "converter", err)
			}
			fv.Set(x)
			continue
		}
		if err := r.decodeValue(model, f.codec, fv, raw, fpath, scope); err != nil {
			return err
		}
	}
	return nil
}

// decodeValue sets dst (settable, of the type c describes) from raw.
func (r *restorer) decodeValue(model string, c *codec, dst reflect.Value, raw bson.RawValue, path string, scope *refScope) error {
	if raw.Type == bson.TypeNull || raw.Type == bson.TypeUndefined {
		dst.SetZero()
		return nil
	}
	switch c.kind {
	case kLeaf:
		if !leafTypeOK(dst.Type(), raw.Type) {
			return decodeFail(model, path, fmt.Sprintf("BSON %s into %s", raw.Type, dst.Type()), nil)
		}
		target := dst
		if !dst.CanAddr() {
			target = reflect.New(dst.Type()).Elem()
		}
		if err := raw.Unmarshal(target.Addr().Interface()); err != nil {
			return decodeFail(model, path, fmt.Sprintf("BSON %s into %s", raw.Type, dst.Type()), err)
		}
		if target != dst {
			dst.Set(target)
		}
		return nil
	case kText:
		x, err := textDecode(raw, c.typ)
		if err != nil {
			return decodeFail(model, path, "UnmarshalText", err)
		}
		dst.Set(x)
		return nil
	case kStruct:
		doc, ok := raw.DocumentOK()
		if !ok {
			return decodeFail(model, path, fmt.Sprintf("want a document for %s, got BSON %s", c.typ, raw.Type), nil)
		}
		si, err := structInfoFor(c.typ)
		if err != nil {
			return err
		}
		dst.SetZero()
		return r.decodeStruct(model, si, dst, doc, path, scope)
	case kPtr:
		p := reflect.New(c.typ.Elem())
		if err := r.decodeValue(model, c.elem, p.Elem(), raw, path, scope); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case kList:
		arr, ok := raw.ArrayOK()
		if !ok {
			return decodeFail(model, path, fmt.Sprintf("want an array for %s, got BSON %s", c.typ, raw.Type), nil)
		}
		vals, err := arr.Values()
		if err != nil {
			return decodeFail(model, path, "malformed array", err)
		}
		target := dst
		if c.typ.Kind() == reflect.Slice {
			target = reflect.MakeSlice(c.typ, len(vals), len(vals))
		} else if len(vals) > dst.Len() {
			return decodeFail(model, path, fmt.Sprintf("%d values for %s", len(vals), c.typ), nil)
		}
		for i, x := range vals {
			if err := r.decodeValue(model, c.elem, target.Index(i), x, path+"["+strconv.Itoa(i)+"]", scope); err != nil {
				return err
			}
		}
		if target != dst {
			dst.Set(target)
		}
		return nil
	case kMap:
		doc, ok := raw.DocumentOK()
		if !ok {
			return decodeFail(model, path, fmt.Sprintf("want a document for %s, got BSON %s", c.typ, raw.Type), nil)
		}
		elems, err := doc.Elements()
		if err != nil {
			return decodeFail(model, path, "malformed document", err)
		}
		m := reflect.MakeMapWithSize(c.typ, len(elems))
		for _, el := range elems {
			x := reflect.New(c.typ.Elem()).Elem()
			if err := r.decodeValue(model, c.elem, x, el.Value(), joinField(path, el.Key()), scope); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(el.Key()).Convert(c.typ.Key()), x)
		}
		dst.Set(m)
		return nil
	case kRef:
		p, err := r.decodeRef(model, c.typ.Elem(), raw, path, scope)
		if err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case kAny:
		return r.decodeAny(model, dst, raw, path, scope)
	}
	return decodeFail(model, path, fmt.Sprintf("unsupported type %s", c.typ), nil)
}
