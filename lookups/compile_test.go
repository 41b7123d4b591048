package lookups_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// The test model's fields, by name: their kinds and nullability.
var testKinds = map[string]core.TypeKind{
	"title": core.KindString, "n": core.KindBigInt, "created": core.KindTimestamp, "day": core.KindDate,
	"flag": core.KindBoolean, "rating": core.KindInteger, "u": core.KindUUID, "any": core.KindInvalid,
}

func resolver(d *core.Dialect) func(*lookups.Leaf) (lookups.Field, error) {
	return func(l *lookups.Leaf) (lookups.Field, error) {
		name := l.Path[0]
		kind, ok := testKinds[name]
		if !ok || len(l.Path) > 1 {
			return lookups.Field{}, lookups.UnknownField("Track", l.Key, name)
		}
		return lookups.Field{Model: "Track", Name: name, Column: goqu.C(name), Dialect: d, Kind: kind,
			Nullable: name == "rating"}, nil
	}
}

var dialects = []*core.Dialect{core.Postgres, core.MySQL, core.SQLite}

// where renders cond in dialect d and returns the WHERE clause and its
// arguments.
func where(d *core.Dialect, cond any) (string, []any, error) {
	n, err := lookups.Parse(cond, nil)
	if err != nil {
		return "", nil, err
	}
	e, err := lookups.CompileNode(n, resolver(d), nil)
	if err != nil {
		return "", nil, err
	}
	s, args, err := d.Goqu().From("t").Where(e).Prepared(true).ToSQL()
	if err != nil {
		return "", nil, err
	}
	_, clause, _ := strings.Cut(s, " WHERE ")
	return clause, args, nil
}

// sqlWant is the expected clause and arguments on one dialect.
type sqlWant struct {
	sql  string
	args []any
}

// w is a sqlWant; goqu binds every Go int as an int64, so ints are written
// as plain ints here.
func w(sql string, args ...any) sqlWant {
	for i, a := range args {
		if n, ok := a.(int); ok {
			args[i] = int64(n)
		}
	}
	return sqlWant{sql, args}
}

var (
	cet        = time.FixedZone("CET", 3600)
	tsCET      = time.Date(2024, 2, 29, 23, 30, 15, 500000000, cet) // 22:30:15.5 UTC
	tsUTC      = tsCET.UTC()
	midnight29 = time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
)

func TestCompileSQL(t *testing.T) {
	for _, tc := range []struct {
		name           string
		cond           any
		pg, my, sqlite sqlWant
	}{
		{"exact", lookups.Q{"title": "x"},
			w(`("title" = $1)`, "x"), w("(`title` = ?)", "x"), w("(`title` = ?)", "x")},
		{"exact explicit", lookups.Q{"title__exact": "x"},
			w(`("title" = $1)`, "x"), w("(`title` = ?)", "x"), w("(`title` = ?)", "x")},
		{"exact nil", lookups.Q{"title": nil},
			w(`("title" IS NULL)`), w("(`title` IS NULL)"), w("(`title` IS NULL)")},
		{"exact typed nil", lookups.Q{"title": (*string)(nil)},
			w(`("title" IS NULL)`), w("(`title` IS NULL)"), w("(`title` IS NULL)")},
		{"exact bool is bound", lookups.Q{"flag": true},
			w(`("flag" = $1)`, true), w("(`flag` = ?)", true), w("(`flag` = ?)", true)},
		{"exact column", lookups.Q{"n": goqu.C("m")},
			w(`("n" = "m")`), w("(`n` = `m`)"), w("(`n` = `m`)")},
		{"exact big int", lookups.Q{"n": int64(1)<<53 + 1},
			w(`("n" = $1)`, int64(1)<<53+1), w("(`n` = ?)", int64(1)<<53+1), w("(`n` = ?)", int64(1)<<53+1)},
		{"exact time in UTC", lookups.Q{"created": tsCET},
			w(`("created" = $1)`, tsUTC), w("(`created` = ?)", tsUTC), w("(`created` = ?)", tsUTC)},
		{"exact date from time", lookups.Q{"day": tsCET},
			w(`("day" = $1)`, midnight29), w("(`day` = ?)", midnight29), w("(`day` = ?)", midnight29)},
		{"exact date from string", lookups.Q{"day": "2024-02-29"},
			w(`("day" = $1)`, midnight29), w("(`day` = ?)", midnight29), w("(`day` = ?)", midnight29)},
		{"iexact", lookups.Q{"title__iexact": "ÄBC"},
			w(`(LOWER("title") = LOWER($1))`, "ÄBC"), w("(LOWER(`title`) = LOWER(?))", "ÄBC"), w("(LOWER(`title`) = LOWER(?))", "ÄBC")},
		{"iexact nil", lookups.Q{"title__iexact": nil},
			w(`("title" IS NULL)`), w("(`title` IS NULL)"), w("(`title` IS NULL)")},
		{"contains percent", lookups.Q{"title__contains": "50%"},
			w(`("title" LIKE $1 ESCAPE E'\\')`, `%50\%%`), w("(`title` LIKE ? ESCAPE '\\\\')", `%50\%%`), w("(instr(CAST(`title` AS BLOB), CAST(? AS BLOB)) > 0)", `50%`)},
		{"icontains escapes", lookups.Q{"title__icontains": `A_b\`},
			w(`(LOWER("title") LIKE LOWER($1) ESCAPE E'\\')`, `%A\_b\\%`),
			w("(LOWER(`title`) LIKE LOWER(?) ESCAPE '\\\\')", `%A\_b\\%`),
			w("(instr(CAST(lower(`title`) AS BLOB), CAST(lower(?) AS BLOB)) > 0)", `A_b\`)},
		{"startswith", lookups.Q{"title__startswith": "_x*"},
			w(`("title" LIKE $1 ESCAPE E'\\')`, `\_x*%`), w("(`title` LIKE ? ESCAPE '\\\\')", `\_x*%`), w("(`title` GLOB ?)", `_x[*]*`)},
		{"istartswith", lookups.Q{"title__istartswith": "a"},
			w(`(LOWER("title") LIKE LOWER($1) ESCAPE E'\\')`, `a%`),
			w("(LOWER(`title`) LIKE LOWER(?) ESCAPE '\\\\')", `a%`),
			w("(IFNULL(substr(CAST(lower(`title`) AS BLOB), 1, ?), x'') = CAST(lower(?) AS BLOB))", int64(1), `a`)},
		{"endswith", lookups.Q{"title__endswith": "[z]?"},
			w(`("title" LIKE $1 ESCAPE E'\\')`, `%[z]?`), w("(`title` LIKE ? ESCAPE '\\\\')", `%[z]?`), w("(IFNULL(substr(CAST(`title` AS BLOB), ?), x'') = CAST(? AS BLOB))", int64(-4), `[z]?`)},
		{"iendswith", lookups.Q{"title__iendswith": "Z"},
			w(`(LOWER("title") LIKE LOWER($1) ESCAPE E'\\')`, `%Z`),
			w("(LOWER(`title`) LIKE LOWER(?) ESCAPE '\\\\')", `%Z`),
			w("(IFNULL(substr(CAST(lower(`title`) AS BLOB), ?), x'') = CAST(lower(?) AS BLOB))", int64(-1), `Z`)},
		{"contains on a number", lookups.Q{"n__contains": "5"},
			w(`(CAST("n" AS TEXT) LIKE $1 ESCAPE E'\\')`, `%5%`), w("(`n` LIKE ? ESCAPE '\\\\')", `%5%`), w("(instr(CAST(CAST(`n` AS TEXT) AS BLOB), CAST(? AS BLOB)) > 0)", `5`)},
		{"icontains on a uuid", lookups.Q{"u__icontains": "AB"},
			w(`(LOWER(CAST("u" AS TEXT)) LIKE LOWER($1) ESCAPE E'\\')`, `%AB%`),
			w("(LOWER(`u`) LIKE LOWER(?) ESCAPE '\\\\')", `%AB%`),
			w("(instr(CAST(lower(`u`) AS BLOB), CAST(lower(?) AS BLOB)) > 0)", `AB`)},
		{"contains on an unknown kind", lookups.Q{"any__contains": "a"},
			w(`("any" LIKE $1 ESCAPE E'\\')`, `%a%`), w("(`any` LIKE ? ESCAPE '\\\\')", `%a%`), w("(instr(CAST(`any` AS BLOB), CAST(? AS BLOB)) > 0)", `a`)},
		{"like raw pattern", lookups.Q{"title__like": `a\%b_%`},
			w(`("title" LIKE $1 ESCAPE E'\\')`, `a\%b_%`), w("(`title` LIKE ? ESCAPE '\\\\')", `a\%b_%`), w("(`title` GLOB ?)", `a%b?*`)},
		{"ilike", lookups.Q{"title__ilike": "A%"},
			w(`(LOWER("title") LIKE LOWER($1) ESCAPE E'\\')`, `A%`),
			w("(LOWER(`title`) LIKE LOWER(?) ESCAPE '\\\\')", `A%`),
			w("(lower(`title`) LIKE lower(?) ESCAPE '\\')", `A%`)},
		{"regex", lookups.Q{"title__regex": "^a.c$"},
			w(`("title" ~ $1)`, "^a.c$"), w("(`title` REGEXP ?)", "^a.c$"), w("(`title` REGEXP ?)", "^a.c$")},
		{"iregex", lookups.Q{"title__iregex": "^a"},
			w(`("title" ~* $1)`, "^a"), w("(`title` REGEXP ?)", "(?i)^a"), w("(`title` REGEXP ?)", "(?i)^a")},
		{"in", lookups.Q{"n__in": []int{1, 2, 3}},
			w(`("n" IN ($1, $2, $3))`, 1, 2, 3), w("(`n` IN (?, ?, ?))", 1, 2, 3), w("(`n` IN (?, ?, ?))", 1, 2, 3)},
		{"in array", lookups.Q{"title__in": [2]string{"a", "b"}},
			w(`("title" IN ($1, $2))`, "a", "b"), w("(`title` IN (?, ?))", "a", "b"), w("(`title` IN (?, ?))", "a", "b")},
		{"in empty", lookups.Q{"n__in": []int{}},
			w(`(1 = 0)`), w(`(1 = 0)`), w(`(1 = 0)`)},
		{"in nil slice", lookups.Q{"n__in": []int(nil)},
			w(`(1 = 0)`), w(`(1 = 0)`), w(`(1 = 0)`)},
		{"in drops nil", lookups.Q{"n__in": []any{1, nil}},
			w(`("n" IN ($1))`, 1), w("(`n` IN (?))", 1), w("(`n` IN (?))", 1)},
		// A subquery renders in its own dialect: build it in the database's.
		{"in subquery", func(d *core.Dialect) any {
			return lookups.Q{"n__in": d.Goqu().From("o").Select("id").Where(goqu.C("x").Eq(1))}
		},
			w(`("n" IN (SELECT "id" FROM "o" WHERE ("x" = $1)))`, 1), w("(`n` IN (SELECT `id` FROM `o` WHERE (`x` = ?)))", 1), w("(`n` IN (SELECT `id` FROM `o` WHERE (`x` = ?)))", 1)},
		{"notin subquery", func(d *core.Dialect) any { return lookups.Q{"n__notin": d.Goqu().From("o").Select("id")} },
			w(`("n" NOT IN (SELECT "id" FROM "o"))`), w("(`n` NOT IN (SELECT `id` FROM `o`))"), w("(`n` NOT IN (SELECT `id` FROM `o`))")},
		{"notin", lookups.Q{"n__notin": []int{1, 2}},
			w(`("n" NOT IN ($1, $2))`, 1, 2), w("(`n` NOT IN (?, ?))", 1, 2), w("(`n` NOT IN (?, ?))", 1, 2)},
		{"notin empty", lookups.Q{"n__notin": []int{}},
			w(`(1 = 1)`), w(`(1 = 1)`), w(`(1 = 1)`)},
		{"notin with nil", lookups.Q{"n__notin": []any{nil, 1}},
			w(`(("n" NOT IN ($1)) AND ("n" IS NOT NULL))`, 1), w("((`n` NOT IN (?)) AND (`n` IS NOT NULL))", 1), w("((`n` NOT IN (?)) AND (`n` IS NOT NULL))", 1)},
		{"notin only nil", lookups.Q{"n__notin": []any{nil}},
			w(`("n" IS NOT NULL)`), w("(`n` IS NOT NULL)"), w("(`n` IS NOT NULL)")},
		{"gt", lookups.Q{"n__gt": int64(1) << 53},
			w(`("n" > $1)`, int64(1)<<53), w("(`n` > ?)", int64(1)<<53), w("(`n` > ?)", int64(1)<<53)},
		{"gte", lookups.Q{"n__gte": 2}, w(`("n" >= $1)`, 2), w("(`n` >= ?)", 2), w("(`n` >= ?)", 2)},
		{"lt", lookups.Q{"n__lt": 2}, w(`("n" < $1)`, 2), w("(`n` < ?)", 2), w("(`n` < ?)", 2)},
		{"lte", lookups.Q{"n__lte": 2}, w(`("n" <= $1)`, 2), w("(`n` <= ?)", 2), w("(`n` <= ?)", 2)},
		{"range", lookups.Q{"n__range": []int{1, 5}},
			w(`("n" BETWEEN $1 AND $2)`, 1, 5), w("(`n` BETWEEN ? AND ?)", 1, 5), w("(`n` BETWEEN ? AND ?)", 1, 5)},
		{"range of times", lookups.Q{"created__range": []time.Time{tsCET, tsCET.Add(time.Hour)}},
			w(`("created" BETWEEN $1 AND $2)`, tsUTC, tsUTC.Add(time.Hour)),
			w("(`created` BETWEEN ? AND ?)", tsUTC, tsUTC.Add(time.Hour)),
			w("(`created` BETWEEN ? AND ?)", tsUTC, tsUTC.Add(time.Hour))},
		{"isnull", lookups.Q{"title__isnull": true},
			w(`("title" IS NULL)`), w("(`title` IS NULL)"), w("(`title` IS NULL)")},
		{"isnull false", lookups.Q{"title__isnull": false},
			w(`("title" IS NOT NULL)`), w("(`title` IS NOT NULL)"), w("(`title` IS NOT NULL)")},
		{"ne", lookups.Q{"n__ne": 3}, w(`("n" != $1)`, 3), w("(`n` != ?)", 3), w("(`n` != ?)", 3)},
		{"not nil", lookups.Q{"n__not": nil},
			w(`("n" IS NOT NULL)`), w("(`n` IS NOT NULL)"), w("(`n` IS NOT NULL)")},
		{"is true", lookups.Q{"flag__is": true},
			w(`("flag" IS TRUE)`), w("(`flag` IS TRUE)"), w("(`flag` IS TRUE)")},
		{"is nil", lookups.Q{"flag__is": nil},
			w(`("flag" IS NULL)`), w("(`flag` IS NULL)"), w("(`flag` IS NULL)")},
		{"isnot false", lookups.Q{"flag__isnot": false},
			w(`("flag" IS NOT FALSE)`), w("(`flag` IS NOT FALSE)"), w("(`flag` IS NOT FALSE)")},
		{"year", lookups.Q{"created__year__gte": 2024},
			w(`(CAST(EXTRACT(YEAR FROM ("created" AT TIME ZONE 'UTC')) AS INTEGER) >= $1)`, int64(2024)),
			w("(YEAR(`created`) >= ?)", int64(2024)),
			w("(CAST(strftime('%Y', `created`) AS INTEGER) >= ?)", int64(2024))},
		{"year from a string and a float", lookups.Q{"created__year__in": []any{"2024", 2023.0}},
			w(`(CAST(EXTRACT(YEAR FROM ("created" AT TIME ZONE 'UTC')) AS INTEGER) IN ($1, $2))`, int64(2024), int64(2023)),
			w("(YEAR(`created`) IN (?, ?))", int64(2024), int64(2023)),
			w("(CAST(strftime('%Y', `created`) AS INTEGER) IN (?, ?))", int64(2024), int64(2023))},
		{"month", lookups.Q{"created__month": 2},
			w(`(CAST(EXTRACT(MONTH FROM ("created" AT TIME ZONE 'UTC')) AS INTEGER) = $1)`, int64(2)),
			w("(MONTH(`created`) = ?)", int64(2)),
			w("(CAST(strftime('%m', `created`) AS INTEGER) = ?)", int64(2))},
		{"day", lookups.Q{"created__day__lt": 10},
			w(`(CAST(EXTRACT(DAY FROM ("created" AT TIME ZONE 'UTC')) AS INTEGER) < $1)`, int64(10)),
			w("(DAYOFMONTH(`created`) < ?)", int64(10)),
			w("(CAST(strftime('%d', `created`) AS INTEGER) < ?)", int64(10))},
		{"week_day", lookups.Q{"created__week_day__in": []int{1, 7}},
			w(`((CAST(EXTRACT(DOW FROM ("created" AT TIME ZONE 'UTC')) AS INTEGER) + 1) IN ($1, $2))`, int64(1), int64(7)),
			w("(DAYOFWEEK(`created`) IN (?, ?))", int64(1), int64(7)),
			w("((CAST(strftime('%w', `created`) AS INTEGER) + 1) IN (?, ?))", int64(1), int64(7))},
		{"hour", lookups.Q{"created__hour": 22},
			w(`(CAST(EXTRACT(HOUR FROM ("created" AT TIME ZONE 'UTC')) AS INTEGER) = $1)`, int64(22)),
			w("(HOUR(`created`) = ?)", int64(22)),
			w("(CAST(strftime('%H', `created`) AS INTEGER) = ?)", int64(22))},
		{"minute", lookups.Q{"created__minute__range": []int{0, 30}},
			w(`(CAST(EXTRACT(MINUTE FROM ("created" AT TIME ZONE 'UTC')) AS INTEGER) BETWEEN $1 AND $2)`, int64(0), int64(30)),
			w("(MINUTE(`created`) BETWEEN ? AND ?)", int64(0), int64(30)),
			w("(CAST(strftime('%M', `created`) AS INTEGER) BETWEEN ? AND ?)", int64(0), int64(30))},
		{"second", lookups.Q{"created__second": 15},
			w(`(CAST(FLOOR(EXTRACT(SECOND FROM ("created" AT TIME ZONE 'UTC'))) AS INTEGER) = $1)`, int64(15)),
			w("(SECOND(`created`) = ?)", int64(15)),
			w("(CAST(strftime('%S', `created`) AS INTEGER) = ?)", int64(15))},
		{"date from a time", lookups.Q{"created__date": tsCET},
			w(`(CAST(("created" AT TIME ZONE 'UTC') AS DATE) = $1)`, "2024-02-29"),
			w("(DATE(`created`) = ?)", "2024-02-29"),
			w("(date(`created`) = ?)", "2024-02-29")},
		{"date lt a string", lookups.Q{"created__date__lt": "2024-03-01"},
			w(`(CAST(("created" AT TIME ZONE 'UTC') AS DATE) < $1)`, "2024-03-01"),
			w("(DATE(`created`) < ?)", "2024-03-01"),
			w("(date(`created`) < ?)", "2024-03-01")},
		{"date then year", lookups.Q{"created__date__year": 2024},
			w(`(CAST(EXTRACT(YEAR FROM CAST(("created" AT TIME ZONE 'UTC') AS DATE)) AS INTEGER) = $1)`, int64(2024)),
			w("(YEAR(DATE(`created`)) = ?)", int64(2024)),
			w("(CAST(strftime('%Y', date(`created`)) AS INTEGER) = ?)", int64(2024))},
		{"year of a date column", lookups.Q{"day__year": 2024},
			w(`(CAST(EXTRACT(YEAR FROM "day") AS INTEGER) = $1)`, int64(2024)),
			w("(YEAR(`day`) = ?)", int64(2024)),
			w("(CAST(strftime('%Y', `day`) AS INTEGER) = ?)", int64(2024))},
		{"year of an unknown kind", lookups.Q{"any__year": 2024},
			w(`(CAST(EXTRACT(YEAR FROM ("any" AT TIME ZONE 'UTC')) AS INTEGER) = $1)`, int64(2024)),
			w("(YEAR(`any`) = ?)", int64(2024)),
			w("(CAST(strftime('%Y', `any`) AS INTEGER) = ?)", int64(2024))},
		{"year isnull", lookups.Q{"created__year__isnull": true},
			w(`(CAST(EXTRACT(YEAR FROM ("created" AT TIME ZONE 'UTC')) AS INTEGER) IS NULL)`),
			w("(YEAR(`created`) IS NULL)"),
			w("(CAST(strftime('%Y', `created`) AS INTEGER) IS NULL)")},
		{"Q is an AND in key order", lookups.Q{"title": "a", "n__gt": 1},
			w(`(("n" > $1) AND ("title" = $2))`, 1, "a"), w("((`n` > ?) AND (`title` = ?))", 1, "a"), w("((`n` > ?) AND (`title` = ?))", 1, "a")},
		{"or", lookups.Or(lookups.Q{"n__lt": 2}, lookups.Q{"n__gt": 9}),
			w(`(("n" < $1) OR ("n" > $2))`, 2, 9), w("((`n` < ?) OR (`n` > ?))", 2, 9), w("((`n` < ?) OR (`n` > ?))", 2, 9)},
		{"not", lookups.Not(lookups.Q{"n": 1}),
			w(`NOT (("n" = $1))`, 1), w("NOT ((`n` = ?))", 1), w("NOT ((`n` = ?))", 1)},
		{"nested", lookups.And(lookups.Or(lookups.Q{"n": 1}, lookups.Not(lookups.Q{"title": "x"})), lookups.Q{"flag": false}),
			w(`((("n" = $1) OR NOT (("title" = $2))) AND ("flag" = $3))`, 1, "x", false),
			w("(((`n` = ?) OR NOT ((`title` = ?))) AND (`flag` = ?))", 1, "x", false),
			w("(((`n` = ?) OR NOT ((`title` = ?))) AND (`flag` = ?))", 1, "x", false)},
		{"raw goqu expression", lookups.Or(lookups.Q{"n": 1}, goqu.C("m").Gt(3)),
			w(`(("n" = $1) OR ("m" > $2))`, 1, 3), w("((`n` = ?) OR (`m` > ?))", 1, 3), w("((`n` = ?) OR (`m` > ?))", 1, 3)},
		{"empty and", lookups.And(), w(`(1 = 1)`), w(`(1 = 1)`), w(`(1 = 1)`)},
		{"empty or", lookups.Or(), w(`(1 = 0)`), w(`(1 = 0)`), w(`(1 = 0)`)},
		{"not of empty in", lookups.Not(lookups.Q{"n__in": []int{}}),
			w(`NOT ((1 = 0))`), w(`NOT ((1 = 0))`), w(`NOT ((1 = 0))`)},
		// Not of a lookup on a nullable field keeps the NULL rows (Django's
		// exclude); two Nots cancel out, and lookups about NULL need no guard.
		{"not nullable", lookups.Not(lookups.Q{"rating__lt": 3}),
			w(`NOT ((("rating" < $1) AND ("rating" IS NOT NULL)))`, 3),
			w("NOT (((`rating` < ?) AND (`rating` IS NOT NULL)))", 3),
			w("NOT (((`rating` < ?) AND (`rating` IS NOT NULL)))", 3)},
		{"not not nullable", lookups.Not(lookups.Or(lookups.Not(lookups.Q{"rating": 3}))),
			w(`NOT (NOT (("rating" = $1)))`, 3), w("NOT (NOT ((`rating` = ?)))", 3), w("NOT (NOT ((`rating` = ?)))", 3)},
		{"not nullable is nil", lookups.Not(lookups.Q{"rating": nil, "title": "x"}),
			w(`NOT ((("rating" IS NULL) AND ("title" = $1)))`, "x"),
			w("NOT (((`rating` IS NULL) AND (`title` = ?)))", "x"),
			w("NOT (((`rating` IS NULL) AND (`title` = ?)))", "x")},
		{"not nullable isnull", lookups.Not(lookups.Q{"rating__isnull": false}),
			w(`NOT (("rating" IS NOT NULL))`), w("NOT ((`rating` IS NOT NULL))"), w("NOT ((`rating` IS NOT NULL))")},
	} {
		for i, want := range []sqlWant{tc.pg, tc.my, tc.sqlite} {
			d := dialects[i]
			t.Run(tc.name+"/"+d.Name(), func(t *testing.T) {
				cond := tc.cond
				if f, ok := cond.(func(*core.Dialect) any); ok {
					cond = f(d)
				}
				sql, args, err := where(d, cond)
				if err != nil {
					t.Fatal(err)
				}
				if sql != want.sql {
					t.Errorf("SQL\n got %s\nwant %s", sql, want.sql)
				}
				if len(args) != 0 || len(want.args) != 0 {
					if !reflect.DeepEqual(args, want.args) {
						t.Errorf("args\n got %#v\nwant %#v", args, want.args)
					}
				}
			})
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cond     any
		sentinel error
		msg      string
	}{
		{"transform on a string", lookups.Q{"title__year": 2024}, lookups.ErrBadValue,
			`lookups: Track: bad value in "title__year": year applies to a date or timestamp, and title is String`},
		{"time transform on a date", lookups.Q{"day__hour": 1}, lookups.ErrBadValue,
			`lookups: Track: bad value in "day__hour": hour applies to a timestamp, and day is a date`},
		{"date transform on a number", lookups.Q{"n__date": "2024-01-01"}, lookups.ErrBadValue, `date applies to a date or timestamp`},
		{"year with a word", lookups.Q{"created__year": "last"}, lookups.ErrBadValue,
			`lookups: Track: bad value in "created__year": year compares with an integer, got string`},
		{"year with a fraction", lookups.Q{"created__year__in": []any{2024.5}}, lookups.ErrBadValue, `got float64`},
		{"date with a bad string", lookups.Q{"created__date": "29/02/2024"}, lookups.ErrBadValue, `got "29/02/2024"`},
		{"date with a number", lookups.Q{"created__date__gt": 5}, lookups.ErrBadValue, `got int`},
		{"unknown field", lookups.Q{"nope__gt": 1}, lookups.ErrUnknownField, `lookups: Track: unknown field "nope" in "nope__gt"`},
		{"path through a non-relation", lookups.Q{"title__foo": 1}, lookups.ErrUnknownField, `"title__foo"`},
		{"parse error", lookups.Q{"n__isnull": 1}, lookups.ErrBadValue, `isnull takes a bool, got int`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := where(core.Postgres, tc.cond)
			if !errors.Is(err, tc.sentinel) {
				t.Fatalf("error %v, want %v", err, tc.sentinel)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not contain %q", err, tc.msg)
			}
		})
	}
}

func TestCompileDirect(t *testing.T) {
	r := lookups.NewRegistry()
	f := lookups.Field{Model: "Track", Name: "created", Column: goqu.T("tracks").Col("created"), Dialect: core.MySQL, Kind: core.KindTimestamp}
	e, err := r.Compile(f, []string{"year"}, "gte", 2024)
	if err != nil {
		t.Fatal(err)
	}
	sql, args, _ := goqu.Dialect("mysql").From("tracks").Where(e).Prepared(true).ToSQL()
	if want := "SELECT * FROM `tracks` WHERE (YEAR(`tracks`.`created`) >= ?)"; sql != want || !reflect.DeepEqual(args, []any{int64(2024)}) {
		t.Errorf("got %s %v", sql, args)
	}
	for _, tc := range []struct {
		name       string
		f          lookups.Field
		transforms []string
		lookup     string
		value      any
		sentinel   error
		msg        string
	}{
		{"unknown lookup", f, nil, "foo", 1, lookups.ErrUnknownLookup, `lookups: Track: unknown lookup "foo" in "created__foo"`},
		{"unknown transform", f, []string{"yr"}, "", 1, lookups.ErrUnknownLookup, `lookups: Track: unknown lookup "yr" in "created__yr"`},
		{"bad value", f, nil, "range", []int{1}, lookups.ErrBadValue, `lookups: Track: bad value in "created__range": range takes exactly 2 values, got 1`},
		{"no dialect", lookups.Field{Model: "Track", Name: "x", Column: goqu.C("x")}, nil, "", 1, nil, `unsupported dialect`},
		{"no column", lookups.Field{Model: "Track", Name: "x", Dialect: core.SQLite}, nil, "", 1, nil, `has no Column`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Compile(tc.f, tc.transforms, tc.lookup, tc.value)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("error %v, want %v", err, tc.sentinel)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not contain %q", err, tc.msg)
			}
		})
	}
}

func TestCustomLookupAndTransform(t *testing.T) {
	r := lookups.NewRegistry()
	errOdd := errors.New("odd divisor")
	err := r.Register("divisible_by", func(op lookups.Operand, v any) (exp.Expression, error) {
		n, ok := v.(int)
		switch {
		case !ok:
			return nil, lookups.BadValue("divisible_by takes an int, got %T", v)
		case n%2 == 1:
			return nil, fmt.Errorf("divisible_by %d: %w", n, errOdd)
		}
		return goqu.L("(MOD(?, ?) = 0)", op.Expr, n), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = r.RegisterTransform("len", func(op lookups.Operand) (lookups.Operand, error) {
		if op.Kind != core.KindString {
			return op, lookups.BadValue("len applies to strings")
		}
		fn := "LENGTH"
		if op.Dialect() == core.Postgres {
			fn = "CHAR_LENGTH"
		}
		return lookups.Operand{Field: op.Field, Expr: goqu.L(fn+"(?)", op.Expr), Kind: core.KindInteger}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	compile := func(cond any) (string, []any, error) {
		n, err := lookups.Parse(cond, r)
		if err != nil {
			return "", nil, err
		}
		e, err := lookups.CompileNode(n, resolver(core.Postgres), r)
		if err != nil {
			return "", nil, err
		}
		return goqu.Dialect("postgres").From("t").Where(e).Prepared(true).ToSQL()
	}
	sql, args, err := compile(lookups.Q{"title__len__divisible_by": 4, "title__len__gt": 2})
	if err != nil {
		t.Fatal(err)
	}
	if want := `SELECT * FROM "t" WHERE ((MOD(CHAR_LENGTH("title"), $1) = 0) AND (CHAR_LENGTH("title") > $2))`; sql != want ||
		!reflect.DeepEqual(args, []any{int64(4), int64(2)}) {
		t.Errorf("got %s %v", sql, args)
	}
	_, _, err = compile(lookups.Q{"n__divisible_by": "x"})
	if !errors.Is(err, lookups.ErrBadValue) || err.Error() != `lookups: Track: bad value in "n__divisible_by": divisible_by takes an int, got string` {
		t.Errorf("error %v", err)
	}
	_, _, err = compile(lookups.Q{"n__divisible_by": 3})
	if !errors.Is(err, lookups.ErrBadValue) || !errors.Is(err, errOdd) || !strings.Contains(err.Error(), `"n__divisible_by": divisible_by 3: odd divisor`) {
		t.Errorf("error %v", err)
	}
	if err := r.Register("strict", func(op lookups.Operand, v any) (exp.Expression, error) {
		return nil, fmt.Errorf("no such thing: %w", lookups.ErrUnknownLookup)
	}); err != nil {
		t.Fatal(err)
	}
	_, _, err = compile(lookups.Q{"n__strict": 3})
	if !errors.Is(err, lookups.ErrUnknownLookup) || errors.Is(err, lookups.ErrBadValue) ||
		err.Error() != `lookups: Track: unknown lookup in "n__strict": no such thing: unknown lookup` {
		t.Errorf("error %v", err)
	}
	_, _, err = compile(lookups.Q{"n__len": 3})
	if !errors.Is(err, lookups.ErrBadValue) || !strings.Contains(err.Error(), "len applies to strings") {
		t.Errorf("error %v", err)
	}
}

func TestEscapeLike(t *testing.T) {
	for in, want := range map[string]string{`a%b_c\d`: `a\%b\_c\\d`, "plain": "plain", "": "", `%%`: `\%\%`} {
		if got := lookups.EscapeLike(in); got != want {
			t.Errorf("EscapeLike(%q) = %q, want %q", in, got, want)
		}
	}
}
