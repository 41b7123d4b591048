package orm

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/internal/names"
	"github.com/atomdb/atomdb/relations"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// modelInfo is everything the package knows about one model type, built
// once per reflect.Type and never changed after.
type modelInfo struct {
	typ      reflect.Type
	name     string // the Go type's name, for errors
	table    string
	database string
	fields   []*field // stored fields, in declaration order
	byKey    map[string]*field
	pk       *field
	base     []int   // index path of the embedded Model; nil without one
	baseOff  uintptr // its offset
	meta     Meta
	// rels are the model's relations: foreign keys (also in fields) and
	// the reverse and many-to-many lists (not stored in its table).
	rels     []*relation
	relByKey map[string]*relation
	nLists   int      // how many of rels are lists (each has its listBit)
	times    []*field // time.Time fields, put in UTC after a scan
	// pair is struct{ Obj, Snap T }: with Model embedded, an object read
	// from the database and its snapshot are allocated together.
	pair reflect.Type

	// Set by resolve, once: relations resolved, and the tables.
	once     sync.Once
	readyErr error
	// allReady: this model and every model reachable from it are resolved.
	allReady atomic.Bool
	schema   *core.Table
	joins    []*core.Table // automatic many-to-many join tables
	// rm is the model as the relation layer sees it: built with the
	// metadata, its relations completed by resolve.
	rm *relations.Model
}

// field is one stored field.
type field struct {
	goName   string // Go field name
	name     string // the name used in lookups, OrderBy, Values: the column name
	column   string
	index    []int
	typ      reflect.Type
	ctype    core.Type
	nullable bool
	pk, auto bool
	unique   bool
	indexed  bool
	json     bool
	autoNow  bool // set on every save
	autoAdd  bool // set when created
	def      any  // Go-side default, converted to the field's type; nil for none
	conv     *Converter
	kind     valueKind // how values move between the field and the database
	model    string    // the model's name, for errors
	rel      *relation // for a foreign key: its relation
	meta     *relations.Field
	intKey   bool      // a foreign key to an integer primary key
	round    bool      // orm:"round": a decimal's extra digits are rounded away, not refused
	fit      fit       // what the column holds, checked on write
	addr     fieldAddr // where it lives in the struct
	renamed  string    // the column's previous name (renamed_from=), for migrations
}

var infos sync.Map // reflect.Type -> *modelInfo or error

// infoFor returns the metadata of model type t (a struct type).
func infoFor(t reflect.Type) (*modelInfo, error) {
	if v, ok := infos.Load(t); ok {
		return unpackInfo(v)
	}
	info, err := buildInfo(t)
	var v any = info
	if err != nil {
		v = err
	}
	v, _ = infos.LoadOrStore(t, v)
	return unpackInfo(v)
}

func unpackInfo(v any) (*modelInfo, error) {
	if err, ok := v.(error); ok {
		return nil, err
	}
	return v.(*modelInfo), nil
}

// infoOf returns the metadata of T.
func infoOf[T any]() (*modelInfo, error) {
	return infoFor(reflect.TypeFor[T]())
}

var (
	modelType     = reflect.TypeFor[Model]()
	timeType      = reflect.TypeFor[time.Time]()
	decimalType   = reflect.TypeFor[decimal.Decimal]()
	clockType     = reflect.TypeFor[core.TimeOfDay]()
	uuidType      = reflect.TypeFor[uuid.UUID]()
	bytesType     = reflect.TypeFor[[]byte]()
	scannerType   = reflect.TypeFor[sql.Scanner]()
	valuerType    = reflect.TypeFor[driver.Valuer]()
	rawJSONType   = reflect.TypeFor[json.RawMessage]()
	nullTypeKinds = map[reflect.Type]reflect.Type{
		reflect.TypeFor[sql.NullString]():  reflect.TypeFor[string](),
		reflect.TypeFor[sql.NullInt64]():   reflect.TypeFor[int64](),
		reflect.TypeFor[sql.NullInt32]():   reflect.TypeFor[int32](),
		reflect.TypeFor[sql.NullInt16]():   reflect.TypeFor[int16](),
		reflect.TypeFor[sql.NullByte]():    reflect.TypeFor[uint8](),
		reflect.TypeFor[sql.NullFloat64](): reflect.TypeFor[float64](),
		reflect.TypeFor[sql.NullBool]():    reflect.TypeFor[bool](),
		reflect.TypeFor[sql.NullTime]():    timeType,
	}
)

func buildInfo(t reflect.Type) (*modelInfo, error) {
	if t.Kind() != reflect.Struct {
		return nil, &ModelError{Model: t.String(), Err: fmt.Errorf("%w: a model must be a struct, not %s", ErrInvalidModel, t.Kind())}
	}
	info := &modelInfo{typ: t, name: t.Name(), byKey: map[string]*field{}, relByKey: map[string]*relation{}}
	if info.name == "" {
		info.name = t.String()
	}
	if mp, ok := reflect.New(t).Elem().Interface().(metaProvider); ok {
		info.meta = mp.Meta()
		if info.meta.Abstract {
			return nil, modelErr(info.name, "", ErrInvalidModel, "is abstract (Meta().Abstract): embed it in a model instead of using it as one")
		}
	}
	var convs map[string]Converter
	if cp, ok := reflect.New(t).Elem().Interface().(converterProvider); ok {
		convs = cp.Converters()
	}
	if err := info.collect(t, nil, convs); err != nil {
		return nil, err
	}
	for name := range convs {
		if info.byKey[name] == nil {
			return nil, modelErr(info.name, name, ErrInvalidModel, "Converters names a field the model does not have")
		}
	}
	if info.table == "" {
		info.table = info.meta.Table
	}
	if info.table == "" {
		info.table = snakeCase(info.name)
	}
	if info.database == "" {
		info.database = info.meta.Database
	}
	if info.pk == nil {
		if f := info.byKey["id"]; f != nil && isIntKind(f.typ.Kind()) {
			f.pk, f.auto = true, true
			info.pk = f
		} else {
			return nil, modelErr(info.name, "", ErrInvalidModel, "has no primary key: add an integer field ID (an auto-increment id) or tag one field orm:\"pk\"")
		}
	}
	info.pk.nullable = false
	if info.pk.rel != nil {
		return nil, modelErr(info.name, info.pk.goName, ErrInvalidModel, "a relation cannot be the primary key")
	}
	if info.base != nil {
		info.baseOff = addrOf(t, info.base).offset
	}
	if err := info.checkNames(); err != nil {
		return nil, err
	}
	for _, f := range info.fields {
		f.model = info.name
		f.kind = codecKind(f)
		f.addr = addrOf(t, f.index)
		f.fit = fitOf(f)
		if f.kind == kindTime && f.typ == timeType {
			info.times = append(info.times, f)
		}
	}
	for _, r := range info.rels {
		r.model = info
	}
	info.describe()
	if info.base != nil {
		info.pair = reflect.StructOf([]reflect.StructField{{Name: "Obj", Type: t}, {Name: "Snap", Type: t}})
	}
	return info, nil
}

// ready makes the model usable: its own relations resolved and its tables
// built, and the same done for every model reachable through its relations
// (a query, a prefetch plan or a scan may follow them to any depth). Each
// model is resolved once; resolving reads the first-pass metadata of related
// models but never waits for theirs, so models that refer to each other (or
// to themselves) resolve without recursion.
func (info *modelInfo) ready() error {
	if info.allReady.Load() {
		return nil
	}
	seen := map[*modelInfo]bool{info: true}
	todo := []*modelInfo{info}
	for len(todo) > 0 {
		m := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if err := m.resolve(); err != nil {
			return err
		}
		for _, r := range m.rels {
			for _, next := range []*modelInfo{r.target, r.throughModel} {
				if next != nil && !seen[next] {
					seen[next] = true
					todo = append(todo, next)
				}
			}
		}
	}
	info.allReady.Store(true)
	return nil
}

// resolve resolves the model's own relations and builds its tables, once.
func (info *modelInfo) resolve() error {
	info.once.Do(func() {
		for _, r := range info.rels {
			if err := r.resolve(); err != nil {
				info.readyErr = err
				return
			}
		}
		info.schema, info.readyErr = info.buildSchema()
	})
	return info.readyErr
}

// collect adds the stored fields of struct type t, found at index path prefix.
func (info *modelInfo) collect(t reflect.Type, prefix []int, convs map[string]Converter) error {
	for i := range t.NumField() {
		sf := t.Field(i)
		index := append(append([]int(nil), prefix...), i)
		tag := sf.Tag.Get("orm")
		if sf.Type == modelType && sf.Anonymous {
			if info.base != nil {
				return modelErr(info.name, sf.Name, ErrInvalidModel, "embeds orm.Model twice")
			}
			info.base = index
			if err := info.tableOptions(tag); err != nil {
				return err
			}
			continue
		}
		if tag == "-" || !sf.IsExported() {
			continue
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct && sf.Type != timeType && sf.Type != decimalType {
			// An embedded struct contributes its fields (model inheritance).
			if err := info.collect(sf.Type, index, convs); err != nil {
				return err
			}
			continue
		}
		opts := parseTag(tag)
		rel, err := info.parseRelation(sf, index, opts)
		if err != nil {
			return err
		}
		if rel != nil && rel.kind.ToMany() {
			// A list (reverse or many-to-many): not a column of this table.
			for _, key := range []string{rel.name, rel.goName} {
				if info.byKey[key] != nil || info.relByKey[key] != nil {
					return modelErr(info.name, sf.Name, ErrInvalidModel, "its name %q is taken", key)
				}
				info.relByKey[key] = rel
			}
			if info.nLists == 64 {
				return modelErr(info.name, sf.Name, ErrInvalidModel, "a model has at most 64 relation lists")
			}
			rel.listBit = 1 << info.nLists
			info.nLists++
			info.rels = append(info.rels, rel)
			continue
		}
		f, err := info.parseField(sf, index, convs, rel, opts)
		if err != nil {
			return err
		}
		if rel != nil {
			info.rels = append(info.rels, rel)
			info.relByKey[rel.name] = rel
			info.relByKey[rel.goName] = rel
		}
		for _, key := range []string{f.name, f.goName, f.column} {
			if other := info.byKey[key]; other != nil && other != f {
				return modelErr(info.name, sf.Name, ErrInvalidModel, "its name %q is taken by field %s", key, other.goName)
			}
			info.byKey[key] = f
		}
		if f.pk {
			if info.pk != nil {
				return modelErr(info.name, sf.Name, ErrInvalidModel, "second primary key (%s is one already); use Meta().UniqueTogether for a composite key", info.pk.goName)
			}
			info.pk = f
		}
		info.fields = append(info.fields, f)
	}
	return nil
}

// checkNames refuses, when the model is defined, a table or column name that
// atomdb could not write the same way in every statement (see
// core.CheckIdent): a quote character, NUL, a dot in a column, more than one
// in a table ("schema.table"), or a name longer than
// core.MaxIdentifierLength.
func (info *modelInfo) checkNames() error {
	if err := core.CheckTable(info.table); err != nil {
		return modelErr(info.name, "", ErrInvalidModel, "%w", err)
	}
	for _, f := range info.fields {
		if err := core.CheckIdent("column", f.column); err != nil {
			return modelErr(info.name, f.goName, ErrInvalidModel, "%w", err)
		}
	}
	return nil
}

// field returns the stored field a key names: its name, its Go name, its
// column, or pk.
func (info *modelInfo) field(key string) *field {
	if key == "pk" {
		return info.pk
	}
	return info.byKey[key]
}

func isIntegerKind(k core.TypeKind) bool {
	return k == core.KindSmallInt || k == core.KindInteger || k == core.KindBigInt
}

func isIntKind(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// snakeCase turns a Go name into a table or column name, as the mongo
// package names collections (names.SnakeCase).
func snakeCase(s string) string { return names.SnakeCase(s) }
