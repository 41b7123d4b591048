package mongo

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/atomdb/atomdb/internal/names"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Model is the optional base of a model: embed it to name the collection and
// the model in its tag, and to give each object a load state.
//
//	type Page struct {
//	    mongo.Model `mongo:"collection=pages"`
//	    ID    bson.ObjectID `bson:"_id"`
//	    Title string        `bson:"title"`
//	}
//
// Tag options, separated by commas:
//
//	collection=NAME  the collection (default: the type's name in snake_case, "BlogPost" -> "blog_post")
//	name=NAME        the model's name in references' __model__ (default: the Go type, "app.Page")
//
// Model is not stored. Its zero value is an object that has not been loaded.
// It also holds what dirty tracking needs: the document as last read or
// written, so that Save sends only the fields changed since.
type Model struct {
	// st is the *objState of a loaded object, nil otherwise; read and
	// written atomically.
	st unsafe.Pointer
}

// objState is what is known of a loaded object's document.
type objState struct {
	// snap is the document as last read or written: Save compares the
	// object's fields with it.
	snap bson.Raw
}

// IsLoaded reports whether the object holds the state of its document: it was
// restored from the database, loaded or saved. A reference whose document was
// not found (or an object made by hand with only an _id) is not loaded.
func (m *Model) IsLoaded() bool { return atomic.LoadPointer(&m.st) != nil }

func (m *Model) state() *objState { return (*objState)(atomic.LoadPointer(&m.st)) }

// setState records the object's document (snap), or that it is not loaded
// (nil).
func (m *Model) setState(snap bson.Raw, loaded bool) {
	if !loaded {
		atomic.StorePointer(&m.st, nil)
		return
	}
	atomic.StorePointer(&m.st, unsafe.Pointer(&objState{snap: snap}))
}

var modelType = reflect.TypeFor[Model]()

// modelInfo is what is known of a model type: built once per type.
type modelInfo struct {
	*structInfo
	// name is the model's name in __model__.
	name string
	// collection is the collection's name.
	collection string
	// id is the _id field.
	id *fieldInfo
	// base is the index of the embedded Model, or nil.
	base []int
	// indexes are the model's indexes: from field tags, then Indexes().
	indexes []Index
	// version is the field tagged mongo:"version" (optimistic locking), or
	// nil.
	version *fieldInfo
	// hookSet says which hooks (BeforeSave...) the model implements.
	hookSet hookSet

	// hooks is set by Register: typed functions over *T (weak pointers
	// and cleanups need the static type). nil until registered.
	hooks atomic.Pointer[modelHooks]
}

// structInfo is what is known of a struct type stored as a document: its
// fields in order.
type structInfo struct {
	typ    reflect.Type
	fields []*fieldInfo
	byKey  map[string]*fieldInfo
	// byName maps lower-cased Go field names to fields, for lookups that
	// name a field by its Go name ("id" for the _id field ID).
	byName map[string]*fieldInfo
}

// fieldInfo is one stored field.
type fieldInfo struct {
	name      string // Go name, for errors
	key       string // BSON key
	index     []int  // index path in the struct (longer for inline fields)
	typ       reflect.Type
	omitEmpty bool
	omitZero  bool
	unique    bool
	indexed   bool
	sparse    bool
	desc      bool
	version   bool
	conv      *Converter
	codec     *codec
}

// codecKind says how a type is stored.
type codecKind uint8

const (
	// kLeaf values are encoded and decoded by the driver's default registry.
	kLeaf codecKind = iota
	// kStruct values are documents, field by field (this package's rules).
	kStruct
	// kRef values are pointers to a model: a reference document when the
	// object has an _id, the object embedded when it has not.
	kRef
	// kPtr values are pointers to something else: null when nil.
	kPtr
	// kList values are slices or arrays whose elements need this package.
	kList
	// kMap values are maps with string keys whose values need this package.
	kMap
	// kAny values are interfaces: by the dynamic type when encoding; when
	// decoding, references and embedded models are found by __model__.
	kAny
	// kText values are stored as the text of encoding.TextMarshaler.
	kText
)

// codec is how one type is stored.
type codec struct {
	kind codecKind
	typ  reflect.Type
	elem *codec // kPtr, kList, kMap: the element's codec
}

var (
	marshalerType      = reflect.TypeFor[bson.Marshaler]()
	valueMarshalerType = reflect.TypeFor[bson.ValueMarshaler]()
	textMarshalerType  = reflect.TypeFor[interface{ MarshalText() ([]byte, error) }]()
	textUnmarshalType  = reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()
	bsonPkg            = reflect.TypeFor[bson.ObjectID]().PkgPath()
)

var (
	codecs      sync.Map // reflect.Type -> *codec
	structInfos sync.Map // reflect.Type -> structResult
	modelInfos  sync.Map // reflect.Type -> modelResult
)

type structResult struct {
	info *structInfo
	err  error
}

type modelResult struct {
	info *modelInfo
	err  error
}

// codecFor returns how t is stored.
func codecFor(t reflect.Type) (*codec, error) {
	return buildCodec(t, 0)
}

func buildCodec(t reflect.Type, depth int) (*codec, error) {
	if c, ok := codecs.Load(t); ok {
		return c.(*codec), nil
	}
	if depth > 32 {
		return nil, fmt.Errorf("type %s nests too deeply (a recursive slice, map or pointer type?)", t)
	}
	c := &codec{kind: kLeaf, typ: t}
	switch {
	case isLeafType(t):
	case isTextType(t):
		c.kind = kText
	default:
		switch t.Kind() {
		case reflect.Struct:
			c.kind = kStruct
		case reflect.Interface:
			c.kind = kAny
		case reflect.Pointer:
			e := t.Elem()
			if e.Kind() == reflect.Struct && !isLeafType(e) && !isTextType(e) && hasIDField(e) {
				c.kind = kRef
				break
			}
			ec, err := buildCodec(e, depth+1)
			if err != nil {
				return nil, err
			}
			if ec.kind != kLeaf {
				c.kind, c.elem = kPtr, ec
			}
		case reflect.Slice, reflect.Array:
			if t.Elem().Kind() == reflect.Uint8 {
				break // []byte: binary
			}
			ec, err := buildCodec(t.Elem(), depth+1)
			if err != nil {
				return nil, err
			}
			if ec.kind != kLeaf {
				c.kind, c.elem = kList, ec
			}
		case reflect.Map:
			ec, err := buildCodec(t.Elem(), depth+1)
			if err != nil {
				return nil, err
			}
			if ec.kind != kLeaf {
				if t.Key().Kind() != reflect.String {
					return nil, fmt.Errorf("map type %s: keys must be strings when its values hold structs or models", t)
				}
				c.kind, c.elem = kMap, ec
			}
		}
	}
	actual, _ := codecs.LoadOrStore(t, c)
	return actual.(*codec), nil
}

// isLeafType reports whether the driver stores t by itself: time.Time, the
// bson package's types, and types that marshal themselves.
func isLeafType(t reflect.Type) bool {
	if t.PkgPath() == bsonPkg || (t.PkgPath() == "time" && t.Name() == "Time") {
		return true
	}
	if t.Implements(marshalerType) || t.Implements(valueMarshalerType) {
		return true
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		p := reflect.PointerTo(t)
		if p.Implements(marshalerType) || p.Implements(valueMarshalerType) {
			return true
		}
	}
	return false
}

// isTextType reports whether t is a struct with no exported fields that
// marshals itself to text (big.Int, big.Float, netip.Addr, decimal types):
// the driver would store it as an empty document, so it is stored as its
// text.
func isTextType(t reflect.Type) bool {
	if t.Kind() != reflect.Struct || !implementsText(t) {
		return false
	}
	for i := range t.NumField() {
		if t.Field(i).IsExported() {
			return false
		}
	}
	return true
}

func implementsText(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return (t.Implements(textMarshalerType) || p.Implements(textMarshalerType)) && p.Implements(textUnmarshalType)
}

// hasIDField reports whether struct type t has a field stored as _id: one
// tagged bson:"_id", or an untagged field named ID.
func hasIDField(t reflect.Type) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Anonymous {
			continue
		}
		tag, ok := f.Tag.Lookup("bson")
		name, _, _ := strings.Cut(tag, ",")
		if name == "_id" || (!ok && f.Name == "ID") {
			return true
		}
	}
	return false
}

// structInfoFor returns the fields of struct type t, built once.
func structInfoFor(t reflect.Type) (*structInfo, error) {
	if r, ok := structInfos.Load(t); ok {
		res := r.(structResult)
		return res.info, res.err
	}
	info, err := buildStructInfo(t)
	r, _ := structInfos.LoadOrStore(t, structResult{info, err})
	res := r.(structResult)
	return res.info, res.err
}

func buildStructInfo(t reflect.Type) (*structInfo, error) {
	info := &structInfo{typ: t, byKey: map[string]*fieldInfo{}, byName: map[string]*fieldInfo{}}
	if err := info.addFields(t, nil); err != nil {
		return nil, err
	}
	convs, err := convertersOf(t)
	if err != nil {
		return nil, err
	}
	for name, conv := range convs {
		f := info.byName[strings.ToLower(name)]
		if f == nil || f.name != name {
			return nil, newError(t.String(), name, ErrBadModel, "Converters names a field the struct does not store", nil)
		}
		if err := conv.check(f.typ); err != nil {
			return nil, newError(t.String(), name, ErrBadModel, err.Error(), nil)
		}
		c := conv
		f.conv = &c
	}
	return info, nil
}

func (info *structInfo) addFields(t reflect.Type, prefix []int) error {
	for i := range t.NumField() {
		sf := t.Field(i)
		index := append(append([]int(nil), prefix...), i)
		if sf.Anonymous && sf.Type == modelType {
			continue
		}
		if !sf.IsExported() {
			continue
		}
		bsonTag, hasTag := sf.Tag.Lookup("bson")
		if bsonTag == "-" {
			continue
		}
		f := &fieldInfo{name: sf.Name, index: index, typ: sf.Type}
		key, opts, _ := strings.Cut(bsonTag, ",")
		inline := false
		if opts != "" {
			for _, o := range strings.Split(opts, ",") {
				switch strings.TrimSpace(o) {
				case "omitempty":
					f.omitEmpty = true
				case "omitzero":
					f.omitZero = true
				case "inline":
					inline = true
				case "minsize", "truncate", "":
				default:
					return newError(t.String(), sf.Name, ErrBadModel, fmt.Sprintf("unknown bson tag option %q", o), nil)
				}
			}
		}
		mongoTag := sf.Tag.Get("mongo")
		if mongoTag == "-" {
			continue
		}
		if inline {
			ft := sf.Type
			if ft.Kind() != reflect.Struct {
				return newError(t.String(), sf.Name, ErrBadModel, "bson inline is supported only on struct fields", nil)
			}
			if mongoTag != "" {
				return newError(t.String(), sf.Name, ErrBadModel, "a mongo tag on an inline field", nil)
			}
			if err := info.addFields(ft, index); err != nil {
				return err
			}
			continue
		}
		switch {
		case key != "":
			f.key = key
		case !hasTag && sf.Name == "ID":
			f.key = "_id"
		default:
			f.key = strings.ToLower(sf.Name)
		}
		if strings.HasPrefix(f.key, "$") || strings.Contains(f.key, ".") {
			return newError(t.String(), sf.Name, ErrBadModel, fmt.Sprintf("key %q may not start with $ or contain a dot", f.key), nil)
		}
		if f.key == modelKey || f.key == refKey {
			return newError(t.String(), sf.Name, ErrBadModel, fmt.Sprintf("key %q is reserved for references", f.key), nil)
		}
		if mongoTag != "" {
			for _, o := range strings.Split(mongoTag, ",") {
				switch strings.TrimSpace(o) {
				case "unique":
					f.unique, f.indexed = true, true
				case "index":
					f.indexed = true
				case "sparse":
					f.sparse = true
				case "desc":
					f.desc = true
				case "version":
					switch sf.Type.Kind() {
					case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint32, reflect.Uint64:
					default:
						return newError(t.String(), sf.Name, ErrBadModel, fmt.Sprintf("mongo:\"version\" on %s: a version is an int, int32, int64, uint32 or uint64", sf.Type), nil)
					}
					f.version = true
				case "text":
					if !implementsText(sf.Type) && !(sf.Type.Kind() == reflect.Pointer && implementsText(sf.Type.Elem())) {
						return newError(t.String(), sf.Name, ErrBadModel, fmt.Sprintf("mongo:\"text\" on %s, which does not implement encoding.TextMarshaler and TextUnmarshaler", sf.Type), nil)
					}
					f.conv = textConverter(sf.Type)
				case "":
				default:
					return newError(t.String(), sf.Name, ErrBadModel, fmt.Sprintf("unknown mongo tag option %q (want unique, index, sparse, desc, text, version or -)", o), nil)
				}
			}
			if (f.sparse || f.desc) && !f.indexed {
				return newError(t.String(), sf.Name, ErrBadModel, "sparse and desc need index or unique", nil)
			}
		}
		c, err := codecFor(sf.Type)
		if err != nil {
			return newError(t.String(), sf.Name, ErrBadModel, err.Error(), nil)
		}
		f.codec = c
		if prev := info.byKey[f.key]; prev != nil {
			return newError(t.String(), sf.Name, ErrBadModel, fmt.Sprintf("key %q is also the key of field %s", f.key, prev.name), nil)
		}
		info.fields = append(info.fields, f)
		info.byKey[f.key] = f
		if _, dup := info.byName[strings.ToLower(sf.Name)]; !dup {
			info.byName[strings.ToLower(sf.Name)] = f
		}
	}
	return nil
}

// checkNested builds the struct info of every struct type reachable from
// info's fields (not through references), so that a bad tag anywhere shows
// when the model is registered rather than when a value is first stored.
func checkNested(info *structInfo, seen map[reflect.Type]bool) error {
	if seen[info.typ] {
		return nil
	}
	seen[info.typ] = true
	for _, f := range info.fields {
		if f.conv != nil {
			continue
		}
		for c := f.codec; c != nil; c = c.elem {
			switch c.kind {
			case kStruct:
				si, err := structInfoFor(c.typ)
				if err != nil {
					return err
				}
				if err := checkNested(si, seen); err != nil {
					return err
				}
			case kRef:
				// Only the fields: the referenced model's own checks
				// run when it is registered (and a model that refers
				// to itself must not wait for its own metadata).
				si, err := structInfoFor(c.typ.Elem())
				if err != nil {
					return err
				}
				if err := checkNested(si, seen); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// modelInfoFor returns the model metadata of struct type t, built once.
func modelInfoFor(t reflect.Type) (*modelInfo, error) {
	if r, ok := modelInfos.Load(t); ok {
		res := r.(modelResult)
		return res.info, res.err
	}
	info, err := buildModelInfo(t)
	r, _ := modelInfos.LoadOrStore(t, modelResult{info, err})
	res := r.(modelResult)
	return res.info, res.err
}

func buildModelInfo(t reflect.Type) (*modelInfo, error) {
	if t.Kind() != reflect.Struct {
		return nil, newError(t.String(), "", ErrBadModel, "a model must be a struct type (use mongo.Objects[Page], not [*Page])", nil)
	}
	si, err := structInfoFor(t)
	if err != nil {
		return nil, err
	}
	info := &modelInfo{structInfo: si, name: t.String(), collection: names.SnakeCase(t.Name()), hookSet: hooksOf(t)}
	if info.id = si.byKey["_id"]; info.id == nil {
		return nil, newError(t.String(), "", ErrBadModel, "no _id field (add `ID bson.ObjectID `bson:\"_id\"``)", nil)
	}
	if !info.id.typ.Comparable() || info.id.typ.Kind() == reflect.Interface || info.id.conv != nil {
		return nil, newError(t.String(), info.id.name, ErrBadModel, fmt.Sprintf("the _id field's type %s must be comparable, not an interface, without a converter", info.id.typ), nil)
	}
	if len(info.id.index) != 1 {
		return nil, newError(t.String(), info.id.name, ErrBadModel, "the _id field must be a field of the model itself, not of an inline struct", nil)
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.Anonymous || sf.Type != modelType {
			continue
		}
		info.base = []int{i}
		if tag := sf.Tag.Get("mongo"); tag != "" {
			for _, o := range strings.Split(tag, ",") {
				k, v, _ := strings.Cut(strings.TrimSpace(o), "=")
				switch {
				case k == "collection" && v != "":
					info.collection = v
				case k == "name" && v != "":
					info.name = v
				case k == "":
				default:
					return nil, newError(t.String(), "Model", ErrBadModel, fmt.Sprintf("unknown option %q in the mongo.Model tag (want collection=NAME or name=NAME)", o), nil)
				}
			}
		}
	}
	if info.collection == "" {
		return nil, newError(t.String(), "", ErrBadModel, "an anonymous struct needs collection= in its mongo.Model tag", nil)
	}
	if err := checkNested(si, map[reflect.Type]bool{}); err != nil {
		return nil, err
	}
	for _, f := range si.fields {
		if !f.version {
			continue
		}
		if len(f.index) != 1 || info.version != nil {
			return nil, newError(t.String(), f.name, ErrBadModel, "one mongo:\"version\" field per model, a field of the model itself", nil)
		}
		if f.conv != nil || f.omitEmpty || f.omitZero {
			return nil, newError(t.String(), f.name, ErrBadModel, "a version field takes no converter, omitempty or omitzero", nil)
		}
		info.version = f
	}
	idx, err := indexesOf(info)
	if err != nil {
		return nil, err
	}
	info.indexes = idx
	return info, nil
}

// fieldOf returns the field f of struct value v (addressable), allocating
// nothing: inline fields are values, not pointers.
func fieldOf(v reflect.Value, f *fieldInfo) reflect.Value {
	if len(f.index) == 1 {
		return v.Field(f.index[0])
	}
	return v.FieldByIndex(f.index)
}

// idOf returns the _id of the model object ptr points to.
func (m *modelInfo) idOf(ptr reflect.Value) reflect.Value {
	return ptr.Elem().Field(m.id.index[0])
}

// base0 returns the embedded Model of the object ptr points to, or nil.
func (m *modelInfo) base0(ptr reflect.Value) *Model {
	if m.base == nil {
		return nil
	}
	return ptr.Elem().Field(m.base[0]).Addr().Interface().(*Model)
}

// isEmptyValue reports whether a field value is empty for omitempty: false, 0, "",
// nil, an empty slice, map or array, or a zero struct.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map, reflect.String, reflect.Array:
		return v.Len() == 0
	}
	return v.IsZero()
}
