package lookups

import (
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// The date and time transforms read the UTC instant of a timestamp, on every
// dialect:
//
//   - PostgreSQL: EXTRACT(... FROM column AT TIME ZONE 'UTC') on a
//     TIMESTAMPTZ (a DATE is used as it is), cast to INTEGER; second is
//     FLOOR'd first, so 15.9 s is second 15 as elsewhere.
//   - MySQL/MariaDB: YEAR(), MONTH(), DAYOFMONTH(), DAYOFWEEK(), HOUR(),
//     MINUTE(), SECOND(), DATE() on the DATETIME(6) column, which holds
//     UTC (core's connections read and write times in UTC).
//   - SQLite: strftime() on the stored text, cast to INTEGER. go-sqlite3
//     writes a time as "2006-01-02 15:04:05.999999999-07:00"; SQLite's
//     date functions read the fraction and apply the offset, so a time
//     written in any zone yields its UTC fields.
//
// week_day is Django's: 1 is Sunday and 7 is Saturday everywhere
// (PostgreSQL's DOW and SQLite's %w count from 0 on Sunday, MySQL's
// DAYOFWEEK from 1).

// timePart is one integer-valued transform: its SQL per dialect, with %s
// standing for the operand.
type timePart struct {
	name     string
	postgres string // the EXTRACT field
	mysql    string // the function
	sqlite   string // the strftime format
	timeOnly bool   // needs a time of day: not for a date column
}

var timeParts = []timePart{
	{"year", "YEAR", "YEAR", "%Y", false},
	{"month", "MONTH", "MONTH", "%m", false},
	{"day", "DAY", "DAYOFMONTH", "%d", false},
	{"week_day", "DOW", "DAYOFWEEK", "%w", false},
	{"hour", "HOUR", "HOUR", "%H", true},
	{"minute", "MINUTE", "MINUTE", "%M", true},
	{"second", "SECOND", "SECOND", "%S", true},
}

// builtinTransforms returns the date and time transforms.
func builtinTransforms() map[string]TransformFunc {
	m := map[string]TransformFunc{"date": dateTransform}
	for _, p := range timeParts {
		m[p.name] = p.transform
	}
	return m
}

// checkTimeOperand fails unless op is a timestamp, a date (when dates are
// allowed) or of unknown kind.
func checkTimeOperand(name string, op Operand, datesToo bool) error {
	switch op.Kind {
	case core.KindTimestamp, core.KindInvalid, core.KindCustom:
		return nil
	case core.KindDate:
		if datesToo {
			return nil
		}
		return BadValue("%s applies to a timestamp, and %s is a date", name, op.Field.Name)
	}
	return BadValue("%s applies to a date or timestamp, and %s is %s", name, op.Field.Name, op.Kind)
}

// utcSource is the PostgreSQL operand to extract from: a timestamp in UTC,
// or a date as it is.
func utcSource(op Operand) exp.Expression {
	if op.Kind == core.KindDate {
		return op.Expr
	}
	return goqu.L("(? AT TIME ZONE 'UTC')", op.Expr)
}

func (p timePart) transform(op Operand) (Operand, error) {
	if err := checkTimeOperand(p.name, op, !p.timeOnly); err != nil {
		return op, err
	}
	var e exp.LiteralExpression
	switch op.Dialect() {
	case core.Postgres:
		switch p.name {
		case "second":
			e = goqu.L("CAST(FLOOR(EXTRACT(SECOND FROM ?)) AS INTEGER)", utcSource(op))
		case "week_day":
			e = goqu.L("(CAST(EXTRACT(DOW FROM ?) AS INTEGER) + 1)", utcSource(op))
		default:
			e = goqu.L("CAST(EXTRACT("+p.postgres+" FROM ?) AS INTEGER)", utcSource(op))
		}
	case core.MySQL:
		e = goqu.L(p.mysql+"(?)", op.Expr)
	default:
		if p.name == "week_day" {
			e = goqu.L("(CAST(strftime('%w', ?) AS INTEGER) + 1)", op.Expr)
		} else {
			e = goqu.L("CAST(strftime('"+p.sqlite+"', ?) AS INTEGER)", op.Expr)
		}
	}
	name := p.name
	return Operand{Field: op.Field, Expr: e, Kind: core.KindInteger, Convert: func(v any) (any, error) {
		n, ok := toInt64(v)
		if !ok {
			return nil, BadValue("%s compares with an integer, got %s", name, typeName(v))
		}
		return n, nil
	}}, nil
}

// dateTransform is the calendar date (in UTC) of a timestamp. It compares
// with a time.Time (its date, in the time's own location) or a
// "2006-01-02" string, bound as that text.
func dateTransform(op Operand) (Operand, error) {
	if err := checkTimeOperand("date", op, true); err != nil {
		return op, err
	}
	var e exp.LiteralExpression
	switch op.Dialect() {
	case core.Postgres:
		e = goqu.L("CAST(? AS DATE)", utcSource(op))
	case core.MySQL:
		e = goqu.L("DATE(?)", op.Expr)
	default:
		e = goqu.L("date(?)", op.Expr)
	}
	return Operand{Field: op.Field, Expr: e, Kind: core.KindDate, Convert: dateText}, nil
}

// dateText is the value a date transform compares with: "2006-01-02".
func dateText(v any) (any, error) {
	switch x := v.(type) {
	case time.Time:
		return x.Format(dateLayout), nil
	case *time.Time:
		if x != nil {
			return x.Format(dateLayout), nil
		}
	}
	if s, ok := asString(v); ok {
		if _, err := time.Parse(dateLayout, s); err == nil {
			return s, nil
		}
		return nil, BadValue("date compares with a time.Time or a \"2006-01-02\" string, got %q", s)
	}
	return nil, BadValue("date compares with a time.Time or a \"2006-01-02\" string, got %s", typeName(v))
}
