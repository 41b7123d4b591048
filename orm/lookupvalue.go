package orm

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/shopspring/decimal"
)

// lookupValue prepares a value compared with field f for the field's own
// conversion (assign, then toDB), accepting the forms Django's to_python
// accepts where Go's types would not:
//
//   - a decimal field takes a decimal.Decimal, any integer, a float (by its
//     shortest representation, as Decimal(repr(f)): 0.1 is exactly 0.1, not
//     the binary 0.1000000000000000055...) or a decimal string ("12.50",
//     "1e3"); NaN and the infinities have no decimal value and are refused;
//   - a timestamp field takes a string "2006-01-02", or "2006-01-02 15:04",
//     "2006-01-02 15:04:05" and "2006-01-02 15:04:05.999999", with a "T" or a
//     space between date and time and an optional zone ("Z", "+07", "+0700",
//     "+07:00"); a string with no zone is UTC;
//   - a date field takes a string "2006-01-02";
//   - a time-of-day field (core.TimeOfDay) takes a string "15:04",
//     "15:04:05" or "15:04:05.999999", or a time.Time (its clock, in its
//     own location).
//
// Any other value is returned as it is. The error says what the value was
// and what the field takes.
func lookupValue(f *field, v any) (any, error) {
	t := f.baseType()
	switch {
	case t == decimalType:
		return decimalValue(v)
	case t == timeType:
		s, ok := v.(string)
		if !ok {
			return v, nil
		}
		if f.ctype.Kind == core.KindDate {
			d, err := time.Parse("2006-01-02", s)
			if err != nil {
				return nil, fmt.Errorf(`the string %q is not a date: a date field takes a time.Time or a "2006-01-02" string`, s)
			}
			return d, nil
		}
		return parseTimestamp(s)
	case t == clockType:
		switch x := v.(type) {
		case string:
			c, err := core.ParseTimeOfDay(x)
			if err != nil {
				return nil, fmt.Errorf(`the string %q is not a time of day: a time field takes a core.TimeOfDay, a time.Time (its clock) or a string "15:04", "15:04:05" or "15:04:05.999999"`, x)
			}
			return c, nil
		case time.Time:
			return core.ClockOf(x), nil
		}
	}
	return v, nil
}

// decimalValue converts an integer, float or string to a decimal.Decimal,
// exactly (see lookupValue).
func decimalValue(v any) (any, error) {
	switch x := v.(type) {
	case decimal.Decimal, *decimal.Decimal, decimal.NullDecimal:
		return v, nil
	case string:
		d, err := decimal.NewFromString(strings.TrimSpace(x))
		if err != nil {
			return nil, fmt.Errorf("the string %q is not a decimal number", x)
		}
		return d, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return decimal.NewFromInt(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return decimal.RequireFromString(strconv.FormatUint(rv.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("a %s %v has no decimal value", rv.Type(), f)
		}
		bits := 64
		if rv.Kind() == reflect.Float32 {
			bits = 32
		}
		return decimal.RequireFromString(strconv.FormatFloat(f, 'f', -1, bits)), nil
	case reflect.String:
		return decimalValue(rv.String())
	}
	return v, nil
}

// timestampLayouts are the forms of Django's parse_datetime (and a bare
// date, as DateTimeField.to_python takes), after a "T" between date and
// time has become a space. A fraction of a second is accepted after the
// seconds without being written in the layout.
var timestampLayouts = []string{
	"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05Z0700", "2006-01-02 15:04:05Z07", "2006-01-02 15:04:05",
	"2006-01-02 15:04Z07:00", "2006-01-02 15:04Z0700", "2006-01-02 15:04Z07", "2006-01-02 15:04",
	"2006-01-02",
}

// parseTimestamp reads a timestamp string in one of timestampLayouts; with
// no zone it is UTC.
func parseTimestamp(s string) (time.Time, error) {
	in := strings.TrimSpace(s)
	if len(in) > 10 && in[10] == 'T' {
		in = in[:10] + " " + in[11:]
	}
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, in); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf(`the string %q is not a timestamp: a timestamp field takes a time.Time or a string "2006-01-02", "2006-01-02 15:04", "2006-01-02 15:04:05[.999999]" (a "T" may stand for the space), with an optional zone "Z", "+07", "+0700" or "+07:00" (none is UTC)`, s)
}
