package orm

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
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
		rel, err := info.parseRelation(sf, index)
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
		f, err := info.parseField(sf, index, convs, rel)
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

// tableOptions reads the tag of the embedded Model: table=..., db=...
func (info *modelInfo) tableOptions(tag string) error {
	if tag == "" {
		return nil
	}
	for _, opt := range strings.Split(tag, ",") {
		key, value, _ := strings.Cut(strings.TrimSpace(opt), "=")
		switch key {
		case "table":
			info.table = value
		case "db":
			info.database = value
		default:
			return modelErr(info.name, "Model", ErrInvalidModel, "unknown table option %q in tag %q (want table= or db=)", key, tag)
		}
		if value == "" {
			return modelErr(info.name, "Model", ErrInvalidModel, "option %q in tag %q has no value", key, tag)
		}
	}
	return nil
}

func (info *modelInfo) parseField(sf reflect.StructField, index []int, convs map[string]Converter, rel *relation) (*field, error) {
	f := &field{goName: sf.Name, index: index, typ: sf.Type, rel: rel}
	f.column = sf.Tag.Get("db")
	if f.column == "" {
		f.column = snakeCase(sf.Name)
		if rel != nil {
			f.column += "_id"
		}
	}
	f.name = f.column
	if rel != nil {
		f.name = snakeCase(sf.Name)
		rel.fk = f
	}
	bad := func(format string, args ...any) error {
		return modelErr(info.name, sf.Name, ErrInvalidModel, format, args...)
	}
	var size, precision, scale int
	var typeName, def string
	hasDefault := false
	var manual bool
	for _, opt := range strings.Split(sf.Tag.Get("orm"), ",") {
		opt = strings.TrimSpace(opt)
		if opt == "" {
			continue
		}
		key, value, hasValue := strings.Cut(opt, "=")
		number := func() (int, error) {
			n, err := strconv.Atoi(value)
			if err != nil || n <= 0 {
				return 0, bad("option %s=%q is not a positive integer", key, value)
			}
			return n, nil
		}
		var err error
		switch key {
		case "pk":
			f.pk = true
		case "autoincrement":
			f.auto = true
		case "noautoincrement":
			manual = true
		case "unique":
			f.unique = true
		case "index":
			f.indexed = true
		case "null":
			f.nullable = true
		case "json":
			f.json = true
		case "round":
			f.round = true
		case "auto_now":
			f.autoNow = true
		case "auto_now_add":
			f.autoAdd = true
		case "fk", "o2o", "m2m", "on_delete", "on_update", "reverse", "through":
			// relation options, read by parseRelation
		case "size":
			size, err = number()
		case "precision":
			precision, err = number()
		case "scale":
			scale, err = strconv.Atoi(value)
			if err != nil || scale < 0 {
				err = bad("option scale=%q is not a non-negative integer", value)
			}
		case "type":
			typeName = value
		case "default":
			def, hasDefault = value, true
		case "renamed_from":
			f.renamed = value
		default:
			return nil, bad("unknown option %q in tag `orm:%q`", key, sf.Tag.Get("orm"))
		}
		if err != nil {
			return nil, err
		}
		if takesValue[key] != hasValue {
			if hasValue {
				return nil, bad("option %q takes no value", key)
			}
			return nil, bad("option %q needs a value (%s=...)", key, key)
		}
	}
	if c, ok := convs[f.name]; ok {
		f.conv = &c
	} else if c, ok := convs[f.goName]; ok {
		f.conv = &c
	}
	if rel != nil {
		// The column takes the type of the target's key, known once ready.
		if typeName != "" || size != 0 || f.conv != nil || f.json || hasDefault || f.pk || f.auto || f.round {
			return nil, bad("a relation takes no type, size, converter, json, default, pk, autoincrement or round option")
		}
		f.unique = f.unique || rel.kind == relations.OneToOne
		return f, nil
	}
	if err := f.resolveType(typeName, size, precision, scale); err != nil {
		return nil, bad("%w", err)
	}
	if f.round && f.ctype.Kind != core.KindDecimal {
		return nil, bad("round applies to a decimal column")
	}
	if f.pk && f.nullable {
		return nil, bad("a primary key cannot be null")
	}
	if f.pk && isIntKind(f.typ.Kind()) && !manual {
		f.auto = true
	}
	if f.auto && (!f.pk || !isIntegerKind(f.ctype.Kind)) {
		return nil, bad("autoincrement needs an integer primary key")
	}
	if f.autoNow && f.autoAdd {
		// Django refuses the pair too: auto_now already sets the field on
		// creation, and auto_now_add would stop every later save from
		// updating it; which one the author meant cannot be guessed.
		return nil, bad("auto_now and auto_now_add are mutually exclusive: auto_now sets the field on every save, creation included")
	}
	if (f.autoNow || f.autoAdd) && f.baseType() != timeType {
		return nil, bad("auto_now and auto_now_add need a time.Time field")
	}
	if hasDefault {
		v, err := parseDefault(f, def)
		if err != nil {
			return nil, bad("default=%q: %v", def, err)
		}
		f.def = v
	}
	return f, nil
}

// takesValue says which tag options are key=value rather than flags.
var takesValue = map[string]bool{
	"size": true, "precision": true, "scale": true, "type": true, "default": true,
	"on_delete": true, "on_update": true, "reverse": true, "through": true, "renamed_from": true,
}

// baseType is the field's type with pointers and sql.Null wrappers removed.
func (f *field) baseType() reflect.Type {
	t := f.typ
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if inner, ok := nullTypeKinds[t]; ok {
		return inner
	}
	return t
}

// resolveType sets the column type from the Go type and the tag options.
func (f *field) resolveType(typeName string, size, precision, scale int) error {
	t := f.typ
	if t.Kind() == reflect.Pointer {
		f.nullable = true
		t = t.Elem()
	}
	if inner, ok := nullTypeKinds[t]; ok {
		f.nullable = true
		t = inner
	}
	if typeName != "" {
		ct, err := namedType(typeName, size, precision, scale)
		if err != nil {
			return err
		}
		f.ctype = ct
		return nil
	}
	if f.conv != nil {
		f.ctype = f.conv.Type
		return nil
	}
	switch {
	case f.json:
		f.ctype = core.JSON()
		return nil
	case t == timeType:
		f.ctype = core.Timestamp()
		return nil
	case t == decimalType:
		if precision == 0 {
			precision = 30
		}
		if scale == 0 && precision == 30 {
			scale = 10
		}
		f.ctype = core.Decimal(precision, scale)
		return nil
	case t == uuidType:
		f.ctype = core.UUID()
		return nil
	case t == clockType:
		f.ctype = core.Time()
		return nil
	case t == bytesType || t == rawJSONType:
		f.ctype = core.Bytes()
		return nil
	}
	switch t.Kind() {
	case reflect.Bool:
		f.ctype = core.Boolean()
	case reflect.Int8, reflect.Int16, reflect.Uint8:
		f.ctype = core.SmallInt()
	case reflect.Int32, reflect.Uint16:
		f.ctype = core.Integer()
	case reflect.Int, reflect.Int64, reflect.Uint32:
		f.ctype = core.BigInt()
	case reflect.Uint, reflect.Uint64, reflect.Uintptr:
		f.ctype = core.BigInt()
		f.ctype.Unsigned = true
	case reflect.Float32:
		f.ctype = core.Float()
	case reflect.Float64:
		f.ctype = core.Double()
	case reflect.String:
		if size == 0 {
			size = 255
		}
		f.ctype = core.String(size)
	default:
		if reflect.PointerTo(t).Implements(scannerType) && (t.Implements(valuerType) || reflect.PointerTo(t).Implements(valuerType)) {
			f.ctype = core.Text() // a Scanner/Valuer of unknown shape: say type=... to choose
			return nil
		}
		switch t.Kind() {
		case reflect.Map, reflect.Slice, reflect.Array, reflect.Struct:
			return fmt.Errorf("%w: type %s is not stored by default: tag it orm:\"json\" to store it as JSON, orm:\"-\" to leave it out, or give the model a Converter for it", ErrInvalidModel, f.typ)
		}
		return fmt.Errorf("%w: unsupported field type %s", ErrInvalidModel, f.typ)
	}
	if size != 0 && t.Kind() != reflect.String {
		return fmt.Errorf("%w: size= applies to strings, not %s", ErrInvalidModel, f.typ)
	}
	return nil
}

// namedType reads the type= option.
func namedType(name string, size, precision, scale int) (core.Type, error) {
	switch strings.ToLower(name) {
	case "text":
		return core.Text(), nil
	case "string", "varchar":
		if size == 0 {
			size = 255
		}
		return core.String(size), nil
	case "decimal", "numeric":
		if precision == 0 {
			return core.Type{}, fmt.Errorf("%w: type=%s needs precision=", ErrInvalidModel, name)
		}
		return core.Decimal(precision, scale), nil
	case "json":
		return core.JSON(), nil
	case "uuid":
		return core.UUID(), nil
	case "bytes", "blob", "binary":
		return core.Bytes(), nil
	case "date":
		return core.Date(), nil
	case "timestamp", "datetime":
		return core.Timestamp(), nil
	case "boolean", "bool":
		return core.Boolean(), nil
	case "smallint":
		return core.SmallInt(), nil
	case "integer", "int":
		return core.Integer(), nil
	case "bigint":
		return core.BigInt(), nil
	case "float", "real":
		return core.Float(), nil
	case "double":
		return core.Double(), nil
	}
	return core.Type{}, fmt.Errorf("%w: unknown type=%q", ErrInvalidModel, name)
}

// parseDefault converts the default= text to a value of the field's type.
func parseDefault(f *field, text string) (any, error) {
	t := f.baseType()
	if f.json || f.conv != nil {
		return nil, fmt.Errorf("%w: default= is not supported on JSON or converted fields", ErrInvalidModel)
	}
	v := reflect.New(t).Elem()
	switch {
	case t == timeType:
		if strings.EqualFold(text, "now") {
			return nil, fmt.Errorf("%w: use auto_now_add for the current time", ErrInvalidModel)
		}
		tm, err := time.Parse(time.RFC3339Nano, text)
		if err != nil {
			return nil, err
		}
		return tm, nil
	case t == decimalType:
		return decimal.NewFromString(text)
	case t == uuidType:
		return uuid.Parse(text)
	}
	switch t.Kind() {
	case reflect.Bool:
		b, err := strconv.ParseBool(text)
		v.SetBool(b)
		return v.Interface(), err
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(text, 10, t.Bits())
		v.SetInt(n)
		return v.Interface(), err
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(text, 10, t.Bits())
		v.SetUint(n)
		return v.Interface(), err
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(text, t.Bits())
		v.SetFloat(n)
		return v.Interface(), err
	case reflect.String:
		v.SetString(text)
		return v.Interface(), nil
	}
	return nil, fmt.Errorf("%w: default= is not supported for %s", ErrInvalidModel, f.typ)
}

// buildSchema makes the core.Table of the model.
func (info *modelInfo) buildSchema() (*core.Table, error) {
	t := &core.Table{Name: info.table, RenamedFrom: info.meta.RenamedFrom}
	md := core.NewMetaData()
	stubs := map[string]bool{info.table: true}
	stub := func(target *modelInfo) {
		// Validate checks that a foreign key's table and column exist:
		// give it the target's key, whose table may not be built yet.
		if !stubs[target.table] {
			stubs[target.table] = true
			_ = md.Add(core.NewTable(target.table, &core.Column{Name: target.pk.column, Type: target.pk.ctype, PrimaryKey: true}))
		}
	}
	for _, f := range info.fields {
		col := &core.Column{Name: f.column, Type: f.ctype, Nullable: f.nullable, PrimaryKey: f.pk,
			AutoIncrement: f.auto, Unique: f.unique && !f.pk, Index: f.indexed && !f.unique && !f.pk, RenamedFrom: f.renamed}
		if f.def != nil {
			col.Default = schemaDefault(f.def)
		}
		if r := f.rel; r != nil {
			col.ForeignKey = &core.ForeignKey{Table: r.target.table, Column: r.target.pk.column, OnDelete: r.onDelete, OnUpdate: r.onUpdate}
			stub(r.target)
		}
		t.Columns = append(t.Columns, col)
	}
	cols := func(what string, names []string) ([]string, error) {
		out := make([]string, len(names))
		for i, n := range names {
			f := info.byKey[n]
			if f == nil {
				return nil, modelErr(info.name, n, ErrInvalidModel, "%s names a field the model does not have", what)
			}
			out[i] = f.column
		}
		return out, nil
	}
	for _, u := range info.meta.UniqueTogether {
		c, err := cols("UniqueTogether", u)
		if err != nil {
			return nil, err
		}
		t.Uniques = append(t.Uniques, &core.UniqueConstraint{Columns: c})
	}
	for _, ix := range info.meta.Indexes {
		c, err := cols("Indexes", ix.Fields)
		if err != nil {
			return nil, err
		}
		t.Indexes = append(t.Indexes, &core.Index{Name: ix.Name, Columns: c, Unique: ix.Unique})
	}
	for _, ck := range info.meta.Constraints {
		t.Checks = append(t.Checks, &core.CheckConstraint{Name: ck.Name, Expr: ck.Expr})
	}
	err := md.Add(t)
	for _, r := range info.rels {
		if r.joinTable != nil && err == nil {
			stub(r.target)
			err = md.Add(r.joinTable)
			info.joins = append(info.joins, r.joinTable)
		}
	}
	if err == nil {
		err = md.Validate()
	}
	if err != nil {
		return nil, &ModelError{Model: info.name, Err: fmt.Errorf("%w: %w", ErrInvalidModel, err)}
	}
	return t, nil
}

// schemaDefault turns a Go default into a value core's DDL accepts.
func schemaDefault(v any) any {
	rv := reflect.ValueOf(v)
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.999999")
	case decimal.Decimal:
		return x.String()
	case uuid.UUID:
		return x.String()
	}
	switch rv.Kind() {
	case reflect.Bool:
		return rv.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	case reflect.String:
		return rv.String()
	}
	return v
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
