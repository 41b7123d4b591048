package tests

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/tests/harness"
	"github.com/doug-martin/goqu/v9"
)

// The lookups fixture: six items, three of whose names hold a literal %.
// Timestamps in "created" are written from times in other zones than UTC
// (the transforms must read the UTC instant); "at" holds UTC times, as the
// orm stores them, for the comparisons.
func lookupItemsTable() *core.Table {
	return core.NewTable("items",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
		&core.Column{Name: "name", Type: core.String(100)},
		&core.Column{Name: "n", Type: core.BigInt()},
		&core.Column{Name: "rating", Type: core.Integer(), Nullable: true},
		&core.Column{Name: "flag", Type: core.Boolean(), Nullable: true},
		&core.Column{Name: "created", Type: core.Timestamp(), Nullable: true},
		&core.Column{Name: "at", Type: core.Timestamp(), Nullable: true},
		&core.Column{Name: "day", Type: core.Date(), Nullable: true},
	)
}

var (
	lookupCET = time.FixedZone("CET", 1*3600)
	lookupEST = time.FixedZone("EST", -5*3600)
	lookupBig = int64(1) << 53
	// Each row's created time, and its UTC instant in a comment.
	lookupCreated = []any{
		time.Date(2024, 2, 29, 23, 30, 15, 500000000, lookupCET), // 2024-02-29 22:30:15.5 UTC, Thursday
		time.Date(2024, 3, 1, 0, 30, 0, 0, lookupCET),            // 2024-02-29 23:30:00 UTC, Thursday (March 1 in CET)
		time.Date(2023, 12, 31, 20, 0, 0, 0, lookupEST),          // 2024-01-01 01:00:00 UTC, Monday (2023 in EST)
		time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC),            // Saturday
		time.Date(2024, 6, 16, 8, 45, 59, 999999000, time.UTC),   // Sunday
		nil,
	}
)

func utc(y int, m time.Month, d, h, min, s, µs int) time.Time {
	return time.Date(y, m, d, h, min, s, µs*1000, time.UTC)
}

func createLookupItems(t *testing.T, db *core.Database) {
	t.Helper()
	ctx := context.Background()
	md := core.NewMetaData()
	if err := md.Add(lookupItemsTable()); err != nil {
		t.Fatal(err)
	}
	if err := md.CreateAll(ctx, db); err != nil {
		t.Fatalf("create items: %v", err)
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	rows := []goqu.Record{
		{"name": "100%-cotton", "n": lookupBig + 1, "rating": 5, "flag": true, "at": utc(2024, 1, 1, 0, 0, 0, 0), "day": day(2024, 2, 29)},
		{"name": "50% off", "n": lookupBig, "rating": nil, "flag": false, "at": utc(2024, 1, 1, 0, 0, 0, 1), "day": day(2024, 3, 1)},
		{"name": `back\slash%`, "n": lookupBig + 2, "rating": 3, "flag": true, "at": utc(2024, 1, 1, 0, 0, 1, 0), "day": nil},
		{"name": "ÄBC_def", "n": -5, "rating": nil, "flag": nil, "at": utc(2023, 12, 31, 23, 59, 59, 999999), "day": day(2023, 12, 31)},
		{"name": "_private", "n": 0, "rating": 1, "flag": false, "at": utc(2024, 6, 1, 12, 0, 0, 0), "day": day(2024, 6, 16)},
		{"name": "100X-cotton", "n": int64(1) << 62, "rating": 4, "flag": true, "at": nil, "day": day(2024, 2, 29)},
	}
	for i, r := range rows {
		r["id"] = i + 1
		r["created"] = lookupCreated[i]
		if _, err := db.Execute(ctx, goqu.Insert("items").Rows(r)); err != nil {
			t.Fatalf("insert item %d: %v", i+1, err)
		}
	}
}

// lookupKinds are the items columns' kinds, for the resolver.
var lookupKinds = map[string]core.TypeKind{
	"id": core.KindBigInt, "name": core.KindString, "n": core.KindBigInt, "rating": core.KindInteger,
	"flag": core.KindBoolean, "created": core.KindTimestamp, "at": core.KindTimestamp, "day": core.KindDate,
}

// lookupResolver builds Fields by hand, as the orm will: pk is the id column.
func lookupResolver(db *core.Database) func(*lookups.Leaf) (lookups.Field, error) {
	return func(l *lookups.Leaf) (lookups.Field, error) {
		name := l.Path[0]
		if name == "pk" {
			name = "id"
		}
		kind, ok := lookupKinds[name]
		if !ok {
			return lookups.Field{}, lookups.UnknownField("Item", l.Key, l.Path[0])
		}
		if len(l.Path) > 1 { // Parse leaves a misplaced lookup in the path
			return lookups.Field{}, lookups.UnknownLookup("Item", l.Key, l.Path[1])
		}
		nullable := name == "rating" || name == "flag" || name == "created" || name == "at" || name == "day"
		return lookups.Field{Model: "Item", Name: l.Path[0], Column: goqu.C(name), Dialect: db.Dialect(), Kind: kind,
			Nullable: nullable}, nil
	}
}

// lookupIDs returns the ids of the items matching cond, in order.
func lookupIDs(ctx context.Context, db *core.Database, cond any) ([]int64, error) {
	node, err := lookups.Parse(cond, nil)
	if err != nil {
		return nil, err
	}
	expr, err := lookups.CompileNode(node, lookupResolver(db), nil)
	if err != nil {
		return nil, err
	}
	rows, err := db.FetchAll(ctx, goqu.From("items").Select("id").Where(expr).Order(goqu.C("id").Asc()))
	if err != nil {
		return nil, err
	}
	ids := []int64{}
	for _, r := range rows {
		ids = append(ids, r.At(0).(int64))
	}
	return ids, nil
}

type lookupCase struct {
	name string
	cond any
	want []int64
}

func runLookupCases(t *testing.T, db *core.Database, cases []lookupCase) {
	t.Helper()
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := lookupIDs(ctx, db, tc.cond)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("ids = %v, want %v", got, tc.want)
			}
		})
	}
}

func ids(n ...int64) []int64 {
	if n == nil {
		return []int64{}
	}
	return n
}

// Every comparison and pattern lookup gives the same rows on every backend:
// % and _ match literally, case matters except in the i-forms, and the
// i-forms fold non-ASCII letters too.
func TestLookupsStringsAndPatterns(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		createLookupItems(t, db)
		runLookupCases(t, db, []lookupCase{
			{"exact", lookups.Q{"name": "100%-cotton"}, ids(1)},
			{"exact explicit", lookups.Q{"name__exact": "50% off"}, ids(2)},
			{"exact is case-sensitive", lookups.Q{"name": "äbc_def"}, ids()},
			{"contains percent matches only literal percents", lookups.Q{"name__contains": "%"}, ids(1, 2, 3)},
			{"contains percent dash", lookups.Q{"name__contains": "%-"}, ids(1)},
			{"contains backslash", lookups.Q{"name__contains": `\`}, ids(3)},
			{"contains backslash s", lookups.Q{"name__contains": `\s`}, ids(3)},
			{"contains underscore", lookups.Q{"name__contains": "_"}, ids(4, 5)},
			{"contains is case-sensitive", lookups.Q{"name__contains": "COTTON"}, ids()},
			{"contains non-ASCII", lookups.Q{"name__contains": "ÄBC"}, ids(4)},
			{"contains non-ASCII case-sensitive", lookups.Q{"name__contains": "äbc"}, ids()},
			{"contains glob characters", lookups.Q{"name__contains": "*"}, ids()},
			{"icontains", lookups.Q{"name__icontains": "COTTON"}, ids(1, 6)},
			{"icontains percent", lookups.Q{"name__icontains": "0%"}, ids(1, 2)},
			{"icontains unicode", lookups.Q{"name__icontains": "äbc"}, ids(4)},
			{"iexact percent", lookups.Q{"name__iexact": "100%-COTTON"}, ids(1)},
			{"iexact unicode", lookups.Q{"name__iexact": "äbc_DEF"}, ids(4)},
			{"iexact nil", lookups.Q{"rating__iexact": nil}, ids(2, 4)},
			{"startswith underscore", lookups.Q{"name__startswith": "_"}, ids(5)},
			{"startswith percent", lookups.Q{"name__startswith": "100%"}, ids(1)},
			{"startswith is case-sensitive", lookups.Q{"name__startswith": "äb"}, ids()},
			{"istartswith unicode", lookups.Q{"name__istartswith": "äb"}, ids(4)},
			{"istartswith underscore", lookups.Q{"name__istartswith": "_P"}, ids(5)},
			{"endswith", lookups.Q{"name__endswith": "def"}, ids(4)},
			{"endswith percent", lookups.Q{"name__endswith": "h%"}, ids(3)},
			{"endswith is case-sensitive", lookups.Q{"name__endswith": "DEF"}, ids()},
			{"iendswith", lookups.Q{"name__iendswith": "DEF"}, ids(4)},
			{"like raw pattern", lookups.Q{"name__like": "100_-cotton"}, ids(1, 6)},
			{"like escaped percent", lookups.Q{"name__like": `100\%%`}, ids(1)},
			{"like is case-sensitive", lookups.Q{"name__like": "100x%"}, ids()},
			{"ilike", lookups.Q{"name__ilike": "100x%"}, ids(6)},
			{"ilike unicode", lookups.Q{"name__ilike": "äbc%"}, ids(4)},
			{"regex", lookups.Q{"name__regex": "^[0-9]+%"}, ids(1, 2)},
			{"regex is case-sensitive", lookups.Q{"name__regex": "COTTON$"}, ids()},
			{"regex non-ASCII", lookups.Q{"name__regex": "^Ä"}, ids(4)},
			{"regex non-ASCII case-sensitive", lookups.Q{"name__regex": "^ä"}, ids()},
			{"iregex", lookups.Q{"name__iregex": "COTTON$"}, ids(1, 6)},
			{"iregex non-ASCII", lookups.Q{"name__iregex": "^äbc"}, ids(4)},
			{"regex on a nullable column", lookups.Q{"rating__regex": "^[35]$"}, ids(1, 3)},
			{"in", lookups.Q{"name__in": []string{"50% off", "nope", "_private"}}, ids(2, 5)},
			{"in empty", lookups.Q{"name__in": []string{}}, ids()},
			{"notin", lookups.Q{"name__notin": []string{"50% off"}}, ids(1, 3, 4, 5, 6)},
			{"notin empty", lookups.Q{"name__notin": []string{}}, ids(1, 2, 3, 4, 5, 6)},
			{"pk", lookups.Q{"pk": 3}, ids(3)},
			{"pk in", lookups.Q{"pk__in": []int{6, 1, 9}}, ids(1, 6)},
		})
	})
}

// Integers above 2^53 compare exactly (no float64 on the way), and the
// NULL, boolean and subquery forms agree on every backend.
func TestLookupsNumbersNullsAndBooleans(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		createLookupItems(t, db)
		runLookupCases(t, db, []lookupCase{
			{"exact above 2^53", lookups.Q{"n": lookupBig + 1}, ids(1)},
			{"gt 2^53", lookups.Q{"n__gt": lookupBig}, ids(1, 3, 6)},
			{"gte 2^53+1", lookups.Q{"n__gte": lookupBig + 1}, ids(1, 3, 6)},
			{"lt 2^53+1", lookups.Q{"n__lt": lookupBig + 1}, ids(2, 4, 5)},
			{"lte 2^53", lookups.Q{"n__lte": lookupBig}, ids(2, 4, 5)},
			{"range 2^53 to 2^53+1", lookups.Q{"n__range": []int64{lookupBig, lookupBig + 1}}, ids(1, 2)},
			{"in above 2^53", lookups.Q{"n__in": []int64{lookupBig + 2, lookupBig - 1}}, ids(3)},
			{"ne", lookups.Q{"rating__ne": 5}, ids(3, 5, 6)},
			{"not", lookups.Q{"rating__not": 5}, ids(3, 5, 6)},
			{"ne nil", lookups.Q{"rating__ne": nil}, ids(1, 3, 5, 6)},
			{"exact nil", lookups.Q{"rating": nil}, ids(2, 4)},
			{"isnull", lookups.Q{"rating__isnull": true}, ids(2, 4)},
			{"isnull false", lookups.Q{"rating__isnull": false}, ids(1, 3, 5, 6)},
			{"in with nil", lookups.Q{"rating__in": []any{5, nil}}, ids(1)},
			{"notin with nil", lookups.Q{"rating__notin": []any{5, nil}}, ids(3, 5, 6)},
			{"in subquery", lookups.Q{"id__in": db.Dialect().Goqu().From("items").Select("id").Where(goqu.C("rating").Gte(4))}, ids(1, 6)},
			{"notin subquery", lookups.Q{"id__notin": db.Dialect().Goqu().From("items").Select("id").Where(goqu.C("rating").Gte(4))}, ids(2, 3, 4, 5)},
			{"exact true", lookups.Q{"flag": true}, ids(1, 3, 6)},
			{"exact false", lookups.Q{"flag": false}, ids(2, 5)},
			{"is true", lookups.Q{"flag__is": true}, ids(1, 3, 6)},
			{"is false", lookups.Q{"flag__is": false}, ids(2, 5)},
			{"is nil", lookups.Q{"flag__is": nil}, ids(4)},
			{"isnot true", lookups.Q{"flag__isnot": true}, ids(2, 4, 5)},
			{"isnot nil", lookups.Q{"flag__isnot": nil}, ids(1, 2, 3, 5, 6)},
			{"compare with a column", lookups.Q{"rating__gt": goqu.C("id")}, ids(1)},
		})
	})
}

// Q, And, Or and Not nest to any depth; Not keeps the rows a nullable
// column's NULL would otherwise drop, as Django's exclude does.
func TestLookupsComposition(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		createLookupItems(t, db)
		runLookupCases(t, db, []lookupCase{
			{"Q is an AND", lookups.Q{"name__contains": "%", "rating__gte": 4}, ids(1)},
			{"exclude contains percent", lookups.Not(lookups.Q{"name__contains": "%"}), ids(4, 5, 6)},
			{"exclude a Q", lookups.Not(lookups.Q{"name__contains": "%", "flag": true}), ids(2, 4, 5, 6)},
			{"exclude keeps NULL ratings", lookups.Not(lookups.Q{"rating__lt": 4}), ids(1, 2, 4, 6)},
			{"exclude keeps NULL flags", lookups.Not(lookups.Q{"flag": true}), ids(2, 4, 5)},
			{"exclude isnull", lookups.Not(lookups.Q{"rating__isnull": true}), ids(1, 3, 5, 6)},
			{"double negation", lookups.Not(lookups.Not(lookups.Q{"rating__lt": 4})), ids(3, 5)},
			{"or", lookups.Or(lookups.Q{"rating__lt": 2}, lookups.Q{"rating__gt": 4}), ids(1, 5)},
			{"or and not", lookups.Or(
				lookups.Q{"rating__gte": 5},
				lookups.And(lookups.Q{"flag": false}, lookups.Not(lookups.Q{"name__contains": "%"})),
			), ids(1, 5)},
			{"deep nesting", lookups.And(
				lookups.Or(lookups.Q{"name__startswith": "1"}, lookups.Not(lookups.Or(lookups.Q{"flag": true}, lookups.Q{"flag": false}))),
				lookups.Not(lookups.And(lookups.Q{"n__gt": lookupBig}, lookups.Q{"rating": 4})),
			), ids(1, 4)},
			{"exclude of an or", lookups.Not(lookups.Or(lookups.Q{"rating": 5}, lookups.Q{"rating": 3})), ids(2, 4, 5, 6)},
			{"raw goqu expression", lookups.Or(lookups.Q{"id": 1}, goqu.C("id").Eq(2)), ids(1, 2)},
			{"not of a raw expression", lookups.Not(goqu.C("id").Lte(4)), ids(5, 6)},
			{"empty and", lookups.And(), ids(1, 2, 3, 4, 5, 6)},
			{"empty or", lookups.Or(), ids()},
			{"not of empty in", lookups.Not(lookups.Q{"id__in": []int{}}), ids(1, 2, 3, 4, 5, 6)},
			{"empty in inside or", lookups.Or(lookups.Q{"id__in": []int{}}, lookups.Q{"id": 6}), ids(6)},
		})
	})
}

// The date transforms read the UTC instant of a timestamp written in any
// zone, and week_day counts from 1 on Sunday everywhere.
func TestLookupsDateTransforms(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		createLookupItems(t, db)
		runLookupCases(t, db, []lookupCase{
			{"year", lookups.Q{"created__year": 2024}, ids(1, 2, 3, 4, 5)},
			{"year of a time written in 2023 EST", lookups.Q{"created__year": 2023}, ids()},
			{"year lt", lookups.Q{"created__year__lt": 2024}, ids()},
			{"year isnull", lookups.Q{"created__year__isnull": true}, ids(6)},
			{"month", lookups.Q{"created__month": 2}, ids(1, 2)},
			{"month of a time written in March CET", lookups.Q{"created__month": 3}, ids()},
			{"month in", lookups.Q{"created__month__in": []int{1, 6}}, ids(3, 4, 5)},
			{"day", lookups.Q{"created__day": 29}, ids(1, 2)},
			{"day gte", lookups.Q{"created__day__gte": 15}, ids(1, 2, 4, 5)},
			{"week_day Thursday", lookups.Q{"created__week_day": 5}, ids(1, 2)},
			{"week_day Monday", lookups.Q{"created__week_day": 2}, ids(3)},
			{"week_day weekend", lookups.Q{"created__week_day__in": []int{1, 7}}, ids(4, 5)},
			{"week_day Saturday", lookups.Q{"created__week_day": 7}, ids(4)},
			{"week_day Sunday", lookups.Q{"created__week_day": 1}, ids(5)},
			{"hour", lookups.Q{"created__hour": 22}, ids(1)},
			{"hour of a time written at 00:30 CET", lookups.Q{"created__hour": 23}, ids(2)},
			{"hour zero", lookups.Q{"created__hour": 0}, ids()},
			{"hour gte", lookups.Q{"created__hour__gte": 12}, ids(1, 2, 4)},
			{"minute", lookups.Q{"created__minute": 30}, ids(1, 2)},
			{"minute range", lookups.Q{"created__minute__range": []int{40, 50}}, ids(5)},
			{"second", lookups.Q{"created__second": 15}, ids(1)},
			{"second does not round up", lookups.Q{"created__second": 16}, ids()},
			{"second 59.999999", lookups.Q{"created__second": 59}, ids(5)},
			{"date from a time", lookups.Q{"created__date": time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)}, ids(1, 2)},
			{"date from a string", lookups.Q{"created__date": "2024-02-29"}, ids(1, 2)},
			{"date of a time written on March 1 CET", lookups.Q{"created__date": "2024-03-01"}, ids()},
			{"date lt", lookups.Q{"created__date__lt": "2024-03-01"}, ids(1, 2, 3)},
			{"date gte a time", lookups.Q{"created__date__gte": time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)}, ids(4, 5)},
			{"date range", lookups.Q{"created__date__range": []string{"2024-01-01", "2024-02-29"}}, ids(1, 2, 3)},
			{"date in", lookups.Q{"created__date__in": []any{"2024-01-01", time.Date(2024, 6, 16, 0, 0, 0, 0, time.UTC)}}, ids(3, 5)},
			{"date then year", lookups.Q{"created__date__year": 2024}, ids(1, 2, 3, 4, 5)},
			{"date column", lookups.Q{"day": "2024-02-29"}, ids(1, 6)},
			{"date column from a time", lookups.Q{"day": time.Date(2024, 2, 29, 0, 0, 0, 0, lookupCET)}, ids(1, 6)},
			{"date column gt", lookups.Q{"day__gt": time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}, ids(5)},
			{"date column year", lookups.Q{"day__year": 2024}, ids(1, 2, 5, 6)},
			{"date column month", lookups.Q{"day__month": 12}, ids(4)},
			{"date column week_day", lookups.Q{"day__week_day": 5}, ids(1, 6)},
			{"date column date", lookups.Q{"day__date": "2024-03-01"}, ids(2)},
			{"exclude by year keeps NULL", lookups.Not(lookups.Q{"created__year": 2024}), ids(6)},
		})
	})
}

// Comparisons of timestamps: inclusive range, microseconds, bound values
// written in any zone.
func TestLookupsTimestampComparisons(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		createLookupItems(t, db)
		newYear := utc(2024, 1, 1, 0, 0, 0, 0)
		runLookupCases(t, db, []lookupCase{
			{"exact", lookups.Q{"at": newYear}, ids(1)},
			{"exact from another zone", lookups.Q{"at": newYear.In(lookupEST)}, ids(1)},
			{"exact microsecond", lookups.Q{"at": newYear.Add(time.Microsecond)}, ids(2)},
			{"range is inclusive", lookups.Q{"at__range": []time.Time{newYear, newYear.Add(time.Second)}}, ids(1, 2, 3)},
			{"range from another zone", lookups.Q{"at__range": []time.Time{newYear.In(lookupCET), newYear.Add(time.Second).In(lookupEST)}}, ids(1, 2, 3)},
			{"range of microseconds", lookups.Q{"at__range": []time.Time{newYear.Add(time.Microsecond), newYear.Add(time.Second - time.Microsecond)}}, ids(2)},
			{"gt", lookups.Q{"at__gt": newYear}, ids(2, 3, 5)},
			{"gte", lookups.Q{"at__gte": newYear}, ids(1, 2, 3, 5)},
			{"lt", lookups.Q{"at__lt": newYear}, ids(4)},
			{"lte", lookups.Q{"at__lte": newYear.Add(time.Microsecond)}, ids(1, 2, 4)},
			{"in", lookups.Q{"at__in": []time.Time{newYear, utc(2024, 6, 1, 12, 0, 0, 0)}}, ids(1, 5)},
			{"isnull", lookups.Q{"at__isnull": true}, ids(6)},
			{"exclude lt keeps NULL", lookups.Not(lookups.Q{"at__lt": newYear}), ids(1, 2, 3, 5, 6)},
		})
	})
}

// Bad conditions fail before reaching the database, naming the model and
// key; an empty in list is no error at all.
func TestLookupErrors(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		createLookupItems(t, db)
		ctx := context.Background()
		for _, tc := range []struct {
			cond     any
			sentinel error
			msg      string
		}{
			{lookups.Q{"rating__": 1}, lookups.ErrEmptyLookup, `empty lookup in "rating__"`},
			{lookups.Q{"rating__isnull": "no"}, lookups.ErrBadValue, `isnull takes a bool`},
			{lookups.Q{"rating__in": 1}, lookups.ErrBadValue, `in takes a slice`},
			{lookups.Q{"rating__range": []int{1, 2, 3}}, lookups.ErrBadValue, `range takes exactly 2 values`},
			{lookups.Q{"name__year": 2024}, lookups.ErrBadValue, `lookups: Item: bad value in "name__year"`},
			{lookups.Q{"nope__gt": 1}, lookups.ErrUnknownField, `lookups: Item: unknown field "nope" in "nope__gt"`},
			{lookups.Q{"rating__gt__x": 1}, lookups.ErrUnknownLookup, `unknown lookup "gt" in "rating__gt__x"`},
		} {
			_, err := lookupIDs(ctx, db, tc.cond)
			if !errors.Is(err, tc.sentinel) || !strings.Contains(fmt.Sprint(err), tc.msg) {
				t.Errorf("%v: error %v, want %v containing %q", tc.cond, err, tc.sentinel, tc.msg)
			}
		}
		if got, err := lookupIDs(ctx, db, lookups.Q{"id__in": []int64{}}); err != nil || len(got) != 0 {
			t.Errorf("empty in = %v, %v", got, err)
		}
	})
}

// On SQLite the created column really holds text with the zone offset it was
// written with: the transforms above parse it rather than relying on UTC.
// core writes times in UTC, but a SQLite file written by other tools may
// hold offsets: the transforms read those as instants too.
func TestLookupsSQLiteReadsOffsets(t *testing.T) {
	db := harness.Open(t, harness.SQLite)
	createLookupItems(t, db)
	ctx := context.Background()
	// 22:30:15.5 UTC, written as 23:30:15.5 at +01:00.
	if _, err := db.Execute(ctx, "UPDATE items SET created = '2024-02-29 23:30:15.5+01:00' WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q    lookups.Q
		want int64
	}{
		{lookups.Q{"id": 1, "created__hour": 22}, 1},
		{lookups.Q{"id": 1, "created__hour": 23}, 0},
		{lookups.Q{"id": 1, "created__day": 29, "created__second": 15}, 1},
	} {
		node, err := lookups.Parse(c.q, lookups.DefaultRegistry)
		if err != nil {
			t.Fatal(err)
		}
		cond, err := lookups.CompileNode(node, lookupResolver(db), lookups.DefaultRegistry)
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.FetchVal(ctx, goqu.From("items").Select(goqu.COUNT("*")).Where(cond))
		if err != nil || n != c.want {
			t.Errorf("%v: %v rows, %v; want %d", c.q, n, err, c.want)
		}
	}
}
