package lookups

import (
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9/exp"
)

// isNilValue reports whether v is nil or a nil pointer, interface, map,
// slice or func.
func isNilValue(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Func, reflect.Chan:
		return rv.IsNil()
	}
	return false
}

// asString returns v as a string when it is one (or of a string type).
func asString(v any) (string, bool) {
	if s, ok := v.(string); ok {
		return s, true
	}
	if v == nil {
		return "", false
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.String {
		return rv.String(), true
	}
	return "", false
}

// asList returns the elements of a slice or array, except a string or a
// []byte (which are single values).
func asList(v any) ([]any, bool) {
	if v == nil {
		return nil, false
	}
	if l, ok := v.([]any); ok {
		return l, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false
	}
	if rv.Type().Elem().Kind() == reflect.Uint8 {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

// isSubquery reports whether v is a goqu expression that stands for a list
// of values, such as a *goqu.SelectDataset.
func isSubquery(v any) bool {
	switch v.(type) {
	case exp.AppendableExpression, Subquery:
		return !isNilValue(v)
	}
	return false
}

// typeName describes a value's type for error messages.
func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}

// exactInt64 converts a value compared with an integer-valued transform (year,
// hour, ...): any integer type, a float with no fraction, or a decimal
// string.
func exactInt64(v any) (int64, bool) {
	if v == nil {
		return 0, false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := rv.Uint(); u <= math.MaxInt64 {
			return int64(u), true
		}
	case reflect.Float32, reflect.Float64:
		if f := rv.Float(); f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), true
		}
	case reflect.String:
		if n, err := strconv.ParseInt(strings.TrimSpace(rv.String()), 10, 64); err == nil {
			return n, true
		}
	}
	return 0, false
}

// dateLayout is the text form of a date on every dialect.
const dateLayout = "2006-01-02"

// bindValue normalises a value compared with an operand of kind k (see
// Operand.Bind).
func bindValue(k core.TypeKind, v any) any {
	switch x := v.(type) {
	case time.Time:
		if k == core.KindDate {
			return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)
		}
		return x.UTC()
	case *time.Time:
		if x != nil {
			return bindValue(k, *x)
		}
	case string:
		if k == core.KindDate {
			if t, err := time.Parse(dateLayout, x); err == nil {
				return t
			}
		}
	}
	return v
}
