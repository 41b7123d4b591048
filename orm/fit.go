package orm

import (
	"database/sql/driver"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atomdb/atomdb/core"
	"github.com/shopspring/decimal"
)

// A value that does not fit its column is refused by the orm before it is
// written, with the same error on every backend, rather than left to a
// backend that would truncate, round or change it (SQLite stores anything;
// PostgreSQL and MySQL round decimals) or refuse it without naming the field.
// What a column holds is worked out once per field (fitOf); per value only
// the check its kind needs runs.

// fitKind is the check a field's values need.
type fitKind uint8

const (
	fitNone    fitKind = iota // every value of the Go type fits
	fitString                 // length in characters, UTF-8, NUL on PostgreSQL
	fitJSON                   // a JSON document: NUL on PostgreSQL
	fitInt                    // an integer column narrower than the Go type
	fitFloat                  // NaN and infinities; range of a 32-bit column
	fitDecimal                // digits before and after the decimal point
	fitTime                   // the years the backend stores
)

// fit is what a field's column holds.
type fit struct {
	kind     fitKind
	maxLen   int   // fitString: characters (0: unbounded)
	min, max int64 // fitInt
	float32  bool  // fitFloat: a single-precision column
	scale    int32 // fitDecimal: digits after the point
	intDigs  int   // fitDecimal: digits before the point (precision - scale)
	round    bool  // fitDecimal: orm:"round" rounds extra digits away instead of refusing them
	decLimit decimal.Decimal
}

// fitOf works out the check for field f from its column type and Go type.
func fitOf(f *field) fit {
	if f.rel != nil {
		return fit{} // the related object's key, which its own table holds
	}
	ct := f.ctype
	switch ct.Kind {
	case core.KindString, core.KindText:
		return fit{kind: fitString, maxLen: ct.Length}
	case core.KindJSON:
		if f.json {
			return fit{kind: fitJSON}
		}
		return fit{kind: fitString}
	case core.KindSmallInt, core.KindInteger:
		lo, hi := int64(math.MinInt16), int64(math.MaxInt16)
		if ct.Kind == core.KindInteger {
			lo, hi = math.MinInt32, math.MaxInt32
		}
		if goLo, goHi, ok := intRange(f.baseType()); ok && goLo >= lo && goHi <= hi && f.conv == nil {
			return fit{}
		}
		return fit{kind: fitInt, min: lo, max: hi}
	case core.KindFloat, core.KindDouble:
		return fit{kind: fitFloat, float32: ct.Kind == core.KindFloat}
	case core.KindDecimal:
		return fit{kind: fitDecimal, scale: int32(ct.Scale), intDigs: ct.Precision - ct.Scale, round: f.round,
			decLimit: decimal.New(1, int32(ct.Precision-ct.Scale))}
	case core.KindTimestamp, core.KindDate:
		return fit{kind: fitTime}
	}
	return fit{}
}

// intRange is the range of an integer Go type; ok is false for other types.
func intRange(t reflect.Type) (lo, hi int64, ok bool) {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := t.Bits()
		return -1 << (bits - 1), 1<<(bits-1) - 1, true
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return 0, 1<<t.Bits() - 1, true
	}
	return 0, 0, false
}

// toStore returns the value to write for field value v: toDB's, checked
// against what the column holds (and rounded, for a decimal field tagged
// round).
func (f *field) toStore(v reflect.Value, d *core.Dialect) (any, error) {
	val, err := f.toDB(v, d)
	if err != nil || f.fit.kind == fitNone || val == nil {
		return val, err
	}
	return f.check(val, d)
}

// check checks val, a value as toDB returns it, against the column.
func (f *field) check(val any, d *core.Dialect) (any, error) {
	if vr, ok := val.(driver.Valuer); ok && f.fit.kind != fitDecimal {
		// sql.Null*, a type of the caller's: check what it will send.
		if rv := reflect.ValueOf(val); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return val, nil
		}
		dv, err := vr.Value()
		if err != nil {
			return nil, f.valueErr(val, err)
		}
		if _, err := f.check(dv, d); err != nil {
			return nil, err
		}
		return val, nil
	}
	var err error
	switch x := val.(type) {
	case string:
		err = f.checkString(x, d)
	case int64:
		err = f.checkInt(x)
	case float64:
		err = f.checkFloat(x, d)
	case time.Time:
		err = f.checkTime(x, d)
	}
	if err != nil || f.fit.kind != fitDecimal {
		return val, err
	}
	return f.checkDecimal(val)
}

// checkPtr checks the value p points to (a *string, *int64, *float64 or
// *time.Time): the bulk insert's arrays, with no boxing of the value.
func (f *field) checkPtr(p any, d *core.Dialect) error {
	switch x := p.(type) {
	case *string:
		return f.checkString(*x, d)
	case *int64:
		return f.checkInt(*x)
	case *float64:
		return f.checkFloat(*x, d)
	case *time.Time:
		return f.checkTime(*x, d)
	}
	return nil
}

func (f *field) checkString(s string, d *core.Dialect) error {
	switch f.fit.kind {
	case fitString:
		if f.fit.maxLen > 0 && len(s) > f.fit.maxLen {
			if n := utf8.RuneCountInString(s); n > f.fit.maxLen {
				return f.rangeErr(shorten(s), "%d characters, more than size=%d", n, f.fit.maxLen)
			}
		}
		if !utf8.ValidString(s) {
			return f.rangeErr(shorten(s), "not valid UTF-8")
		}
		if !d.Caps().TextHoldsNUL && strings.IndexByte(s, 0) >= 0 {
			return f.rangeErr(shorten(s), "%s stores no NUL character in text", d.Caps().Product)
		}
	case fitJSON:
		if !d.Caps().TextHoldsNUL && jsonHasNUL(s) {
			return f.rangeErr(shorten(s), "%s stores no NUL character (\\u0000) in JSON", d.Caps().Product)
		}
	case fitInt:
		// An unsigned value above math.MaxInt64, sent as text on MySQL.
		return f.rangeErr(s, "out of range [%d, %d]", f.fit.min, f.fit.max)
	}
	return nil
}

// jsonHasNUL reports whether a JSON text holds the escape \u0000.
func jsonHasNUL(s string) bool {
	for i := strings.Index(s, `\u0000`); i >= 0; {
		slashes := 0
		for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
			slashes++
		}
		if slashes%2 == 0 {
			return true
		}
		next := strings.Index(s[i+1:], `\u0000`)
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return false
}

func (f *field) checkInt(n int64) error {
	if f.fit.kind == fitInt && (n < f.fit.min || n > f.fit.max) {
		return f.rangeErr(n, "out of range [%d, %d]", f.fit.min, f.fit.max)
	}
	return nil
}

func (f *field) checkFloat(x float64, d *core.Dialect) error {
	switch f.fit.kind {
	case fitInt:
		if x != math.Trunc(x) || x < float64(f.fit.min) || x > float64(f.fit.max) {
			return f.rangeErr(x, "not an integer in [%d, %d]", f.fit.min, f.fit.max)
		}
	case fitFloat:
		switch {
		case math.IsNaN(x):
			if !d.Caps().FloatNaN {
				return f.rangeErr(x, "%s stores no NaN", d.Caps().Product)
			}
		case math.IsInf(x, 0):
			if !d.Caps().FloatInfinity {
				return f.rangeErr(x, "%s stores no infinity", d.Caps().Product)
			}
		case f.fit.float32 && math.Abs(x) > math.MaxFloat32:
			return f.rangeErr(x, "out of range for a 32-bit float")
		}
	}
	return nil
}

func (f *field) checkTime(t time.Time, d *core.Dialect) error {
	if f.fit.kind != fitTime {
		return nil
	}
	y := t.UTC().Year()
	lo, hi := d.Caps().MinYear, d.Caps().MaxYear
	if y < lo || y > hi {
		return f.rangeErr(t, "year %d (in UTC): %s stores years %d to %d", y, d.Caps().Product, lo, hi)
	}
	return nil
}

// checkDecimal checks a value bound for a decimal column: at most scale
// digits after the point (or rounded to scale, with orm:"round") and at
// most precision-scale before it. It returns the value to bind.
func (f *field) checkDecimal(val any) (any, error) {
	var dec decimal.Decimal
	switch x := val.(type) {
	case decimal.Decimal:
		dec = x
	case decimal.NullDecimal:
		if !x.Valid {
			return val, nil
		}
		dec = x.Decimal
	case int64:
		dec = decimal.NewFromInt(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, f.rangeErr(x, "a decimal column stores no NaN or infinity")
		}
		dec = decimal.NewFromFloat(x)
	case string:
		var err error
		if dec, err = decimal.NewFromString(x); err != nil {
			return nil, f.valueErr(shorten(x), err)
		}
	case driver.Valuer:
		if rv := reflect.ValueOf(val); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return val, nil
		}
		dv, err := x.Value()
		if err != nil {
			return nil, f.valueErr(val, err)
		}
		if dv == nil {
			return val, nil
		}
		if _, err := f.checkDecimal(dv); err != nil {
			return nil, err
		}
		return val, nil // rounding applies to the decimal types atomdb knows
	default:
		return val, nil
	}
	out := val
	if dec.Exponent() < -f.fit.scale {
		r := dec.Round(f.fit.scale)
		if !r.Equal(dec) {
			if !f.fit.round {
				return nil, f.rangeErr(dec.String(), "more than %d digits after the decimal point (tag the field orm:\"round\" to round)", f.fit.scale)
			}
			dec, out = r, r
		}
	}
	if dec.Abs().Cmp(f.fit.decLimit) >= 0 {
		return nil, f.rangeErr(dec.String(), "more than %d digits before the decimal point", f.fit.intDigs)
	}
	return out, nil
}

// rangeErr is the error of a value that does not fit the field's column.
func (f *field) rangeErr(value any, format string, args ...any) error {
	return &ModelError{Model: f.model, Field: f.name, Kind: ErrValueRange,
		Err: fmt.Errorf("value %v: %s", value, fmt.Sprintf(format, args...))}
}

// shorten quotes a string for an error message, cut after 40 bytes.
func shorten(s string) string {
	if len(s) <= 40 {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:40]) + "..."
}
