package orm

import (
	"database/sql/driver"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9/exp"
)

// planUnnest makes the PostgreSQL statement that inserts a batch with one
// array parameter per column:
//
//	INSERT INTO t (a, b) SELECT u.c0, u.c1
//	FROM unnest(CAST($1 AS bigint[]), CAST($2 AS text[])) WITH ORDINALITY AS u(c0, c1, n)
//	ORDER BY u.n RETURNING id
//
// The rows are inserted, and their keys returned, in the order of the
// arrays' elements.
func (p *bulkPlan) planUnnest() {
	cols := make([]string, len(p.cols))
	alias := make([]string, len(p.cols))
	for i, c := range p.cols {
		cols[i] = p.d.QuoteIdent(c.f.column)
		alias[i] = "c" + strconv.Itoa(i)
	}
	var q strings.Builder
	q.WriteString("INSERT INTO " + p.d.QuoteTable(p.info.table) + " (" + strings.Join(cols, ", ") + ") SELECT u." +
		strings.Join(alias, ", u.") + " FROM unnest(")
	for i := range p.cols {
		c := &p.cols[i]
		ct := c.f.ctype
		if c.f.rel != nil {
			ct = c.f.rel.target.pk.ctype
		}
		pt, ok := bulkPGTypes[ct.Kind]
		if !ok {
			return
		}
		c.arr, c.fast = pt.arr, fastKind(c.f, pt.arr)
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(strings.Replace(pt.cast, "%s", ":"+alias[i], 1))
	}
	q.WriteString(") WITH ORDINALITY AS u(" + strings.Join(alias, ", ") + ", n) ORDER BY u.n")
	if p.returning {
		q.WriteString(" RETURNING " + p.d.QuoteIdent(p.info.pk.column))
	}
	p.pgSQL, p.pgNames = q.String(), alias
	p.batch = pgUnnestRows
}

// fastKind says how values of field f, whose values go in arrays of kind
// arr, are read straight from the field: for the fields whose value toDB
// passes through as it is, when it is of the array's type.
func fastKind(f *field, arr uint8) uint8 {
	if f.rel != nil || f.conv != nil {
		return fastNone
	}
	t := f.typ
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch f.kind {
	case kindTime:
		if t == timeType && arr == arrTime {
			return fastTime
		}
	case kindBool:
		if t.Kind() == reflect.Bool && arr == arrBool {
			return fastBool
		}
	case kindUnsigned:
		if arr == arrInt {
			return fastUint
		}
	case kindPlain:
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if arr == arrInt {
				return fastInt
			}
		case reflect.Uint8, reflect.Uint16, reflect.Uint32:
			if arr == arrInt {
				return fastUint
			}
		case reflect.Float32, reflect.Float64:
			if arr == arrFloat {
				return fastFloat
			}
		case reflect.String:
			if arr == arrText {
				return fastString
			}
		case reflect.Slice:
			if t.Elem().Kind() == reflect.Uint8 && f.typ.Kind() != reflect.Pointer && arr == arrBytes {
				return fastBytes
			}
		}
	}
	return fastNone
}

// pgArrays makes each column of objs one array parameter. ok is false when
// a value is of a type its column's array does not take: the objects then
// go as a VALUES list.
func (p *bulkPlan) pgArrays(objs []reflect.Value) (params core.Params, ok bool, err error) {
	params = make(core.Params, len(p.cols))
	for j := range p.cols {
		c := &p.cols[j]
		var arr any
		switch c.arr {
		case arrBool:
			arr, ok, err = pgArray(c, objs, p.d, pgBool)
		case arrInt:
			arr, ok, err = pgArray(c, objs, p.d, pgInt)
		case arrFloat:
			arr, ok, err = pgArray(c, objs, p.d, pgFloat)
		case arrText:
			arr, ok, err = pgArray(c, objs, p.d, pgText)
		case arrNumber:
			arr, ok, err = pgArray(c, objs, p.d, pgNumber)
		case arrBytes:
			arr, ok, err = pgArray(c, objs, p.d, pgBytes)
		case arrTime:
			arr, ok, err = pgArray(c, objs, p.d, pgTime)
		}
		if !ok || err != nil {
			return nil, false, err
		}
		params[p.pgNames[j]] = arr
	}
	return params, true, nil
}

// pgArray makes column c of objs a []T, or a []*T when an element is NULL
// (a [][]byte holds NULL as nil). elem reads a value that is not read
// straight from the field.
func pgArray[T any](c *bulkCol, objs []reflect.Value, d *core.Dialect, elem func(v any) (T, bool)) (any, bool, error) {
	vals := make([]T, len(objs))
	var nulls []bool
	for i, o := range objs {
		fv := o.FieldByIndex(c.f.index)
		null, ok := false, true
		if c.fast != fastNone {
			if fv.Kind() == reflect.Pointer {
				if null = fv.IsNil(); !null {
					fv = fv.Elem()
				}
			}
			if !null {
				if ok = c.read(fv, &vals[i]); ok && c.f.fit.kind != fitNone {
					if err := c.f.checkPtr(&vals[i], d); err != nil {
						return nil, false, err
					}
				}
			}
		}
		if c.fast == fastNone || !ok {
			val, err := c.f.toStore(fv, d)
			if err != nil {
				return nil, false, err
			}
			if val, ok, err = plainValue(val); !ok || err != nil {
				return nil, false, err
			}
			if null = val == nil; !null {
				if vals[i], ok = elem(val); !ok {
					return nil, false, nil
				}
			}
		}
		if null {
			if nulls == nil {
				nulls = make([]bool, len(objs))
			}
			nulls[i] = true
		}
	}
	if nulls == nil || c.arr == arrBytes {
		return vals, true, nil
	}
	ptrs := make([]*T, len(vals))
	for i := range vals {
		if !nulls[i] {
			ptrs[i] = &vals[i]
		}
	}
	return ptrs, true, nil
}

// read stores field value fv (not a pointer) in *dst, a *T of pgArray, for
// a column with a fast kind. It reports false for a value toDB must see.
func (c *bulkCol) read(fv reflect.Value, dst any) bool {
	switch c.fast {
	case fastInt:
		*dst.(*int64) = fv.Int()
	case fastUint:
		u := fv.Uint()
		if u > math.MaxInt64 {
			return false // toDB says why it does not fit
		}
		*dst.(*int64) = int64(u)
	case fastFloat:
		*dst.(*float64) = fv.Float()
	case fastString:
		*dst.(*string) = fv.String()
	case fastBool:
		*dst.(*bool) = fv.Bool()
	case fastTime:
		*dst.(*time.Time) = storedTime(*fv.Addr().Interface().(*time.Time))
	case fastBytes:
		if fv.IsNil() {
			return false // NULL or empty, as toDB says
		}
		*dst.(*[]byte) = fv.Bytes()
	}
	return true
}

// The elem functions of pgArray: the values plainValue gives that each
// array takes.

func pgBool(v any) (bool, bool) { b, ok := v.(bool); return b, ok }

func pgInt(v any) (int64, bool) { n, ok := v.(int64); return n, ok }

func pgFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		if f := float64(x); int64(f) == x {
			return f, true
		}
	}
	return 0, false
}

func pgText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	return "", false
}

func pgNumber(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		if !math.IsInf(x, 0) && !math.IsNaN(x) {
			return strconv.FormatFloat(x, 'f', -1, 64), true
		}
	}
	return "", false
}

func pgBytes(v any) ([]byte, bool) { b, ok := v.([]byte); return b, ok }

func pgTime(v any) (time.Time, bool) { t, ok := v.(time.Time); return t, ok }

// plainValue turns a value as toDB returns it into what goqu would bind for
// it: nil, int64, float64, string, bool, time.Time or []byte, a Valuer's
// value, a named type's underlying value. ok is false for anything goqu
// would render otherwise (an expression, a slice it spreads into a list).
func plainValue(v any) (any, bool, error) {
	switch x := v.(type) {
	case nil, int64, float64, string, bool, time.Time:
		return v, true, nil
	case []byte:
		if x == nil {
			return nil, true, nil // the drivers send a nil []byte as NULL
		}
		return v, true, nil
	case int:
		return int64(x), true, nil
	case int32:
		return int64(x), true, nil
	case float32:
		return float64(x), true, nil
	case *time.Time:
		if x == nil {
			return nil, true, nil
		}
		return *x, true, nil
	case exp.Expression:
		return nil, false, nil
	case driver.Valuer:
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nil, true, nil
		}
		dv, err := x.Value()
		if err != nil {
			return nil, false, err
		}
		return plainValue(dv)
	}
	rv := reflect.Indirect(reflect.ValueOf(v))
	switch rv.Kind() {
	case reflect.Invalid:
		return nil, true, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return int64(rv.Uint()), true, nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true, nil
	case reflect.String:
		return rv.String(), true, nil
	case reflect.Bool:
		return rv.Bool(), true, nil
	}
	return nil, false, nil
}
