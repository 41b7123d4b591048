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
// DAYOFWEEK from 1). iso_week_day is ISO 8601's: 1 is Monday and 7 is
// Sunday. week and iso_year are the ISO 8601 week number (1 to 53, weeks
// starting on Monday, week 1 holding the year's first Thursday) and the year
// that week belongs to (2024-12-30 is in week 1 of 2025); quarter is 1 to 4.

// timePart is one integer-valued transform: its SQL per dialect, with ?
// standing for the operand (for PostgreSQL, the operand in UTC).
type timePart struct {
	name     string
	postgres string
	mysql    string
	sqlite   string
	timeOnly bool // needs a time of day: not for a date column
}

var timeParts = []timePart{
	{"year", "CAST(EXTRACT(YEAR FROM ?) AS INTEGER)", "YEAR(?)", "CAST(strftime('%Y', ?) AS INTEGER)", false},
	{"iso_year", "CAST(EXTRACT(ISOYEAR FROM ?) AS INTEGER)", "(YEARWEEK(?, 3) DIV 100)", "CAST(strftime('%G', ?) AS INTEGER)", false},
	{"quarter", "CAST(EXTRACT(QUARTER FROM ?) AS INTEGER)", "QUARTER(?)", "((CAST(strftime('%m', ?) AS INTEGER) + 2) / 3)", false},
	{"month", "CAST(EXTRACT(MONTH FROM ?) AS INTEGER)", "MONTH(?)", "CAST(strftime('%m', ?) AS INTEGER)", false},
	{"week", "CAST(EXTRACT(WEEK FROM ?) AS INTEGER)", "WEEK(?, 3)", "CAST(strftime('%V', ?) AS INTEGER)", false},
	{"day", "CAST(EXTRACT(DAY FROM ?) AS INTEGER)", "DAYOFMONTH(?)", "CAST(strftime('%d', ?) AS INTEGER)", false},
	{"week_day", "(CAST(EXTRACT(DOW FROM ?) AS INTEGER) + 1)", "DAYOFWEEK(?)", "(CAST(strftime('%w', ?) AS INTEGER) + 1)", false},
	{"iso_week_day", "CAST(EXTRACT(ISODOW FROM ?) AS INTEGER)", "(WEEKDAY(?) + 1)", "CAST(strftime('%u', ?) AS INTEGER)", false},
	{"hour", "CAST(EXTRACT(HOUR FROM ?) AS INTEGER)", "HOUR(?)", "CAST(strftime('%H', ?) AS INTEGER)", true},
	{"minute", "CAST(EXTRACT(MINUTE FROM ?) AS INTEGER)", "MINUTE(?)", "CAST(strftime('%M', ?) AS INTEGER)", true},
	{"second", "CAST(FLOOR(EXTRACT(SECOND FROM ?)) AS INTEGER)", "SECOND(?)", "CAST(strftime('%S', ?) AS INTEGER)", true},
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
	case core.KindTime:
		if !datesToo {
			return nil // hour, minute, second
		}
		return BadValue("%s applies to a date or timestamp, and %s is a time of day", name, op.Field.Name)
	case core.KindDate:
		if datesToo {
			return nil
		}
		return BadValue("%s applies to a timestamp, and %s is a date", name, op.Field.Name)
	}
	return BadValue("%s applies to a date or timestamp, and %s is %s", name, op.Field.Name, op.Kind)
}

// utcSource is the PostgreSQL operand to extract from: a timestamp in UTC,
// or a date or time of day as it is.
func utcSource(op Operand) exp.Expression {
	if op.Kind == core.KindDate || op.Kind == core.KindTime {
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
		e = goqu.L(p.postgres, utcSource(op))
	case core.MySQL:
		e = goqu.L(p.mysql, op.Expr)
	default:
		e = goqu.L(p.sqlite, op.Expr)
	}
	name := p.name
	return Operand{Field: op.Field, Expr: e, Kind: core.KindInteger, Convert: func(v any) (any, error) {
		n, ok := exactInt64(v)
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
