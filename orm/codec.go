package orm

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/atomdb/atomdb/core"
)

// valueKind says how a field's values move to and from the database. It is
// decided once per field; per row only the switch on it runs.
type valueKind uint8

const (
	kindPlain     valueKind = iota // the drivers convert both ways
	kindBool                       // plain, but MySQL's BIT(1) arrives as []byte
	kindTime                       // time.Time: stored in UTC at microseconds, read back in UTC
	kindUnsigned                   // uints: above math.MaxInt64 only MySQL can store them
	kindJSON                       // orm:"json": encoding/json to and from text
	kindConverter                  // a model Converter
	kindScanner                    // sql.Scanner/driver.Valuer types (decimal, uuid, sql.Null*)
	kindRelation                   // a foreign key: the related object's primary key
)

// scanCtx is what one read (a terminal call) needs besides the rows: the
// dialect, and the identity scope that the objects it reads go through.
type scanCtx struct {
	d     *core.Dialect
	scope *scope   // nil: no identity map (Values)
	jr    *journal // the transaction's, when the read is inside one
	gen   uint64   // this read's number in the scope
	full  bool     // ForceRestore or ForUpdate: refresh every field of held objects
	// main: file the objects of the query's own model in the scope. A call
	// scope skips it when nothing in the read can refer to them (no joins,
	// no prefetch, no foreign key to the model itself): one key comes once.
	main bool
	buf  []any // scan destinations, reused from row to row
	maps map[*modelInfo]*typeMap
	// Integer foreign keys are scanned into these slots (one per field of
	// the model being read), then turned into objects. Every backend fills
	// a sql.NullInt64 on its fast path (PostgreSQL's through pgtype.Int8).
	keys   []sql.NullInt64
	joined []*scanCtx // SelectRelated: one per join, for their own key slots
}

// newScanCtx starts a read made with ctx on db: in the lasting scope ctx
// carries, or in a scope of its own (of kind own).
func newScanCtx(ctx context.Context, db *core.Database, full bool, own scopeKind) *scanCtx {
	s, j := lastingScope(ctx, db)
	if s == nil {
		s = newScope(own)
	}
	return &scanCtx{d: db.Dialect(), scope: s, jr: j, gen: s.nextGen(), full: full, main: true}
}

// touch records, for the transaction, that the read filed key.
func (sc *scanCtx) touch(tm *typeMap, key ident) {
	if sc.jr != nil {
		sc.jr.touch(tm, key)
	}
}

// tm returns the scope's map for a model, looked up once per query.
func (sc *scanCtx) tm(info *modelInfo) *typeMap {
	if tm, ok := sc.maps[info]; ok {
		return tm
	}
	if sc.maps == nil {
		sc.maps = map[*modelInfo]*typeMap{}
	}
	tm := sc.scope.of(info)
	sc.maps[info] = tm
	return tm
}

// keySlot returns the destination an integer foreign key (field i) is
// scanned into.
func (sc *scanCtx) keySlot(i, n int) any {
	if len(sc.keys) < n {
		sc.keys = make([]sql.NullInt64, n)
	}
	return &sc.keys[i]
}

// slotKey reads what keySlot i received.
func (sc *scanCtx) slotKey(i int) (int64, bool) {
	return sc.keys[i].Int64, sc.keys[i].Valid
}

// stub returns the object of model info with primary key key (a value of
// the key field's type), from the identity map when there is one.
func (sc *scanCtx) stub(info *modelInfo, key reflect.Value) reflect.Value {
	if sc != nil && sc.scope != nil {
		return sc.tm(info).stub(key)
	}
	obj := reflect.New(info.typ)
	obj.Elem().FieldByIndex(info.pk.index).Set(key)
	return obj
}

func codecKind(f *field) valueKind {
	t := f.typ
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case f.rel != nil:
		return kindRelation
	case f.conv != nil:
		return kindConverter
	case f.json:
		return kindJSON
	case t == timeType:
		return kindTime
	case t == reflect.TypeFor[sql.NullBool]():
		return kindBool
	case reflect.PointerTo(t).Implements(scannerType):
		return kindScanner
	case t.Kind() == reflect.Bool:
		return kindBool
	case t.Kind() == reflect.Uint || t.Kind() == reflect.Uint64 || t.Kind() == reflect.Uintptr:
		return kindUnsigned
	}
	return kindPlain
}

// toDB returns the value to bind for field value v.
func (f *field) toDB(v reflect.Value, d *core.Dialect) (any, error) {
	if f.kind == kindRelation {
		return f.keyOf(v, d)
	}
	if f.kind == kindConverter {
		out, err := f.conv.ToDB(v.Interface())
		if err != nil {
			return nil, f.valueErr(v.Interface(), err)
		}
		return out, nil
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil, nil
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 && f.kind == kindPlain {
		if v.IsNil() && !f.nullable {
			return []byte{}, nil // a nil []byte is empty, not NULL, in a NOT NULL column
		}
		return v.Bytes(), nil
	}
	switch f.kind {
	case kindJSON:
		b, err := json.Marshal(v.Interface())
		if err != nil {
			return nil, f.valueErr(v.Interface(), err)
		}
		return string(b), nil
	case kindTime:
		return storedTime(v.Interface().(time.Time)), nil
	case kindScanner:
		return v.Interface(), nil
	case kindUnsigned:
		u := v.Uint()
		if u <= math.MaxInt64 {
			return int64(u), nil
		}
		if d != core.MySQL {
			return nil, f.valueErr(u, fmt.Errorf("%s stores integers up to %d", d, int64(math.MaxInt64)))
		}
		// goqu binds every unsigned integer as an int64; as text, MySQL
		// converts it to BIGINT UNSIGNED exactly.
		return strconv.FormatUint(u, 10), nil
	}
	switch v.Kind() {
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), nil
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return int64(v.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return v.Float(), nil
	case reflect.String:
		return v.String(), nil
	}
	return v.Interface(), nil
}

// storedTime is the form a time takes in the database: the same instant in
// UTC, at the microsecond precision every backend keeps.
func storedTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// keyOf returns the value to bind for a foreign key field holding v (a
// pointer to the related object): its primary key.
func (f *field) keyOf(v reflect.Value, d *core.Dialect) (any, error) {
	if v.IsNil() {
		if !f.nullable {
			return nil, f.valueErr(nil, fmt.Errorf("the relation to %s is required (add null to allow none)", f.rel.target.name))
		}
		return nil, nil
	}
	pk := f.rel.target.pk
	key := v.Elem().FieldByIndex(pk.index)
	if key.IsZero() {
		return nil, f.valueErr(v.Interface(), fmt.Errorf("the %s has no primary key: save it first", f.rel.target.name))
	}
	return pk.toDB(key, d)
}

// target returns the scan destination for field value v (addressable).
func (f *field) target(v reflect.Value, sc *scanCtx) any {
	if f.direct(sc) {
		return v.Addr().Interface()
	}
	return &fieldScanner{f: f, v: v, sc: sc}
}

// direct reports whether the driver scans the field's values into it
// itself, with no conversion of ours.
func (f *field) direct(sc *scanCtx) bool {
	switch f.kind {
	case kindPlain, kindUnsigned, kindScanner:
		return true
	case kindTime:
		return f.typ == timeType // the drivers read times; scanRow puts them in UTC
	case kindBool:
		return sc.d != core.MySQL
	}
	return false
}

// fieldScanner scans one column into a field that needs more than the
// driver's own conversion.
type fieldScanner struct {
	f  *field
	v  reflect.Value
	sc *scanCtx
}

func (s *fieldScanner) Scan(src any) error { return s.f.set(s.v, src, s.sc) }

// set stores a database value (as a driver or core.Row gives it) or a
// caller's value in field value v. A foreign key's value is the related
// object's primary key, or the related object itself.
func (f *field) set(v reflect.Value, src any, sc *scanCtx) error {
	if f.kind == kindRelation {
		if src == nil {
			v.SetZero()
			return nil
		}
		if sv := reflect.ValueOf(src); sv.Type() == v.Type() {
			v.Set(sv)
			return nil
		}
		pk := f.rel.target.pk
		key := reflect.New(pk.typ).Elem()
		if err := pk.set(key, src, sc); err != nil {
			return f.valueErr(src, err)
		}
		v.Set(sc.stub(f.rel.target, key))
		return nil
	}
	if f.kind == kindConverter {
		out, err := f.conv.FromDB(src)
		if err != nil {
			return f.valueErr(src, err)
		}
		return f.assign(v, out)
	}
	if src == nil {
		v.SetZero()
		return nil
	}
	if v.Kind() == reflect.Pointer && v.Type() != reflect.TypeOf(src) {
		elem := reflect.New(v.Type().Elem())
		if err := f.setValue(elem.Elem(), src); err != nil {
			return err
		}
		v.Set(elem)
		return nil
	}
	return f.setValue(v, src)
}

func (f *field) setValue(v reflect.Value, src any) error {
	switch f.kind {
	case kindJSON:
		var data []byte
		switch s := src.(type) {
		case string:
			data = []byte(s)
		case []byte:
			data = s
		default:
			return f.assign(v, src)
		}
		target := reflect.New(v.Type())
		if err := json.Unmarshal(data, target.Interface()); err != nil {
			return f.valueErr(string(data), err)
		}
		v.Set(target.Elem())
		return nil
	case kindTime:
		switch t := src.(type) {
		case time.Time:
			v.Set(reflect.ValueOf(t.UTC()))
			return nil
		case string:
			parsed, err := time.Parse("2006-01-02 15:04:05.999999999-07:00", t)
			if err != nil {
				return f.valueErr(t, err)
			}
			v.Set(reflect.ValueOf(parsed.UTC()))
			return nil
		}
	case kindBool:
		var b bool
		switch x := src.(type) {
		case bool:
			b = x
		case []byte: // MySQL BIT(1)
			b = len(x) > 0 && x[len(x)-1] != 0
		case int64:
			b = x != 0
		default:
			return f.assign(v, src)
		}
		if v.Type() == reflect.TypeFor[sql.NullBool]() {
			v.Set(reflect.ValueOf(sql.NullBool{Bool: b, Valid: true}))
			return nil
		}
		v.SetBool(b)
		return nil
	}
	if sc, ok := v.Addr().Interface().(sql.Scanner); ok {
		if err := sc.Scan(src); err != nil {
			return f.valueErr(src, err)
		}
		return nil
	}
	return f.assign(v, src)
}

// assign stores a Go value in v, converting between numeric kinds (with a
// range check) and from text where the field is a number or a string type.
func (f *field) assign(v reflect.Value, src any) error {
	if src == nil {
		v.SetZero()
		return nil
	}
	if b, ok := src.([]byte); ok && v.Kind() != reflect.Slice {
		src = string(b) // MySQL's text protocol sends every value as bytes
	}
	sv := reflect.ValueOf(src)
	if v.Kind() == reflect.Pointer && sv.Type() != v.Type() {
		elem := reflect.New(v.Type().Elem())
		if err := f.assign(elem.Elem(), src); err != nil {
			return err
		}
		v.Set(elem)
		return nil
	}
	if sv.Type().AssignableTo(v.Type()) {
		v.Set(sv)
		return nil
	}
	if s, ok := src.(string); ok {
		switch v.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			n, err := strconv.ParseInt(s, 10, v.Type().Bits())
			if err != nil {
				return f.valueErr(src, err)
			}
			v.SetInt(n)
			return nil
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			n, err := strconv.ParseUint(s, 10, v.Type().Bits())
			if err != nil {
				return f.valueErr(src, err)
			}
			v.SetUint(n)
			return nil
		case reflect.Float32, reflect.Float64:
			n, err := strconv.ParseFloat(s, v.Type().Bits())
			if err != nil {
				return f.valueErr(src, err)
			}
			v.SetFloat(n)
			return nil
		}
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		switch sv.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if v.OverflowInt(sv.Int()) {
				return f.rangeErr(src, "out of range for %s", v.Type())
			}
			v.SetInt(sv.Int())
			return nil
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			if sv.Uint() > math.MaxInt64 || v.OverflowInt(int64(sv.Uint())) {
				return f.rangeErr(src, "out of range for %s", v.Type())
			}
			v.SetInt(int64(sv.Uint()))
			return nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		switch sv.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if sv.Int() < 0 || v.OverflowUint(uint64(sv.Int())) {
				return f.rangeErr(src, "out of range for %s", v.Type())
			}
			v.SetUint(uint64(sv.Int()))
			return nil
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			if v.OverflowUint(sv.Uint()) {
				return f.rangeErr(src, "out of range for %s", v.Type())
			}
			v.SetUint(sv.Uint())
			return nil
		}
	case reflect.Float32, reflect.Float64:
		switch sv.Kind() {
		case reflect.Float32, reflect.Float64:
			x := sv.Float()
			if v.OverflowFloat(x) {
				// A float32 would hold it as an infinity.
				return f.rangeErr(src, "out of range for %s", v.Type())
			}
			v.SetFloat(x)
			return nil
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			v.SetFloat(float64(sv.Int()))
			return nil
		}
	case reflect.String:
		if sv.Kind() == reflect.String {
			v.SetString(sv.String())
			return nil
		}
	case reflect.Bool:
		if sv.Kind() == reflect.Bool {
			v.SetBool(sv.Bool())
			return nil
		}
	}
	if sv.Type().ConvertibleTo(v.Type()) && sv.Kind() == v.Kind() {
		v.Set(sv.Convert(v.Type()))
		return nil
	}
	return f.valueErr(src, fmt.Errorf("%s does not fit a field of type %s", aType(src), v.Type()))
}

func (f *field) valueErr(value any, err error) error {
	return &ModelError{Model: f.model, Field: f.name, Kind: ErrBadValue, Err: fmt.Errorf("value %#v: %w", value, err)}
}
