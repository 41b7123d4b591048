package tests

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
	"github.com/atomdb/atomdb/tests/harness"
	"github.com/shopspring/decimal"
)

// Cases ported from Django's lookup tests (tests/lookup), with Django's data
// and expected rows, run on every backend.

// DjSeason has fields named like lookups and transforms: after a relation
// they are its fields, not lookups.
type DjSeason struct {
	orm.Model `orm:"table=dj_seasons"`
	ID        int64     `db:"id"`
	Year      int       `db:"year"`
	Gt        *int      `db:"gt"`
	Date      string    `db:"date" orm:"size=20"`
	In        int       `db:"in"`
	Games     []*DjGame `orm:"reverse=Season"`
}

type DjGame struct {
	orm.Model `orm:"table=dj_games"`
	ID        int64     `db:"id"`
	Season    *DjSeason `db:"season_id" orm:"fk"`
	Home      string    `db:"home" orm:"size=50"`
	Away      string    `db:"away" orm:"size=50"`
}

type DjPlayer struct {
	orm.Model `orm:"table=dj_players"`
	ID        int64     `db:"id"`
	Name      string    `db:"name" orm:"size=50"`
	Games     []*DjGame `orm:"m2m"`
}

// djIDs returns the ids qs matches, in order, and checks that Count agrees.
func djIDs[T any](t *testing.T, ctx context.Context, qs *orm.QuerySet[T]) ([]int64, error) {
	t.Helper()
	vals, err := qs.OrderBy("id").ValuesListFlat(ctx, "id")
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(vals))
	for i, v := range vals {
		out[i] = v.(int64)
	}
	n, err := qs.Count(ctx)
	if err != nil {
		return nil, err
	}
	if n != int64(len(out)) {
		t.Errorf("Count = %d, All gives %d rows", n, len(out))
	}
	return out, nil
}

func expectIDs[T any](t *testing.T, ctx context.Context, name string, qs *orm.QuerySet[T], want ...int64) {
	t.Helper()
	got, err := djIDs(t, ctx, qs)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	if want == nil {
		want = []int64{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: ids %v, want %v", name, got, want)
	}
}

// Django's test_lookup_collision: Season has fields named year and gt, and
// season__gt is Season.gt, through a foreign key and through many-to-many.
func TestDjangoLookupCollision(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, _ *queryLog) {
		ctx := context.Background()
		seasons, games, players := orm.Objects[DjSeason](db), orm.Objects[DjGame](db), orm.Objects[DjPlayer](db)
		gt := func(n int) *int { return &n }
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		s2009, err := seasons.Create(ctx, &DjSeason{Year: 2009, Gt: gt(111), Date: "2009-04-06", In: 1})
		must(err)
		s2010, err := seasons.Create(ctx, &DjSeason{Year: 2010, Gt: gt(222), Date: "2010-04-05", In: 2})
		must(err)
		s2011, err := seasons.Create(ctx, &DjSeason{Year: 2011, Gt: gt(333), Date: "2011-03-31", In: 3})
		must(err)
		var all []*DjGame
		for _, g := range []struct {
			s    *DjSeason
			away string
		}{
			{s2009, "St. Louis Cardinals"},
			{s2010, "Chicago Cubs"}, {s2010, "Milwaukee Brewers"}, {s2010, "St. Louis Cardinals"},
			{s2011, "St. Louis Cardinals"}, {s2011, "Milwaukee Brewers"},
		} {
			game, err := games.Create(ctx, &DjGame{Season: g.s, Home: "Houston Astros", Away: g.away})
			must(err)
			all = append(all, game)
		}
		_, err = players.Create(ctx, &DjPlayer{Name: "Hunter Pence", Games: all[:4]})
		must(err)
		_, err = players.Create(ctx, &DjPlayer{Name: "Ivan Rodriquez", Games: all[:1]})
		must(err)
		_, err = players.Create(ctx, &DjPlayer{Name: "Pedro Feliz", Games: all[4:]})
		must(err)
		_, err = players.Create(ctx, &DjPlayer{Name: "Johnson", Games: all[4:]})
		must(err)

		for _, c := range []struct {
			q    lookups.Q
			want int64
		}{
			// Games in 2010.
			{lookups.Q{"season__year": 2010}, 3},
			{lookups.Q{"season__year__exact": 2010}, 3},
			{lookups.Q{"season__gt": 222}, 3},
			{lookups.Q{"season__gt__exact": 222}, 3},
			// Games in 2011.
			{lookups.Q{"season__year": 2011}, 2},
			{lookups.Q{"season__year__exact": 2011}, 2},
			{lookups.Q{"season__gt": 333}, 2},
			{lookups.Q{"season__gt__exact": 333}, 2},
			{lookups.Q{"season__year__gt": 2010}, 2},
			{lookups.Q{"season__gt__gt": 222}, 2},
			// Games in 2010 and 2011.
			{lookups.Q{"season__year__in": []int{2010, 2011}}, 5},
			{lookups.Q{"season__year__gt": 2009}, 5},
			{lookups.Q{"season__gt__in": []int{222, 333}}, 5},
			{lookups.Q{"season__gt__gt": 111}, 5},
			// Fields named date and in.
			{lookups.Q{"season__date": "2010-04-05"}, 3},
			{lookups.Q{"season__date__startswith": "2011"}, 2},
			{lookups.Q{"season__in": 1}, 1},
			{lookups.Q{"season__in__in": []int{1, 3}}, 3},
			{lookups.Q{"season__in__range": []int{2, 3}}, 5},
			// A name the related model does not have is still a lookup on
			// the foreign key itself.
			{lookups.Q{"season__lt": s2011.ID}, 4},
			{lookups.Q{"season__range": []int64{s2009.ID, s2010.ID}}, 4},
			{lookups.Q{"season__isnull": false}, 6},
		} {
			n, err := games.Filter(c.q).Count(ctx)
			if err != nil || n != c.want {
				t.Errorf("games %v: %d, %v; want %d", c.q, n, err, c.want)
			}
		}
		for _, c := range []struct {
			q    lookups.Q
			want int64
		}{
			// Players who played in 2009.
			{lookups.Q{"games__season__year": 2009}, 2},
			{lookups.Q{"games__season__year__exact": 2009}, 2},
			{lookups.Q{"games__season__gt": 111}, 2},
			{lookups.Q{"games__season__gt__exact": 111}, 2},
			// Players who played in 2010.
			{lookups.Q{"games__season__year": 2010}, 1},
			{lookups.Q{"games__season__year__exact": 2010}, 1},
			{lookups.Q{"games__season__gt": 222}, 1},
			{lookups.Q{"games__season__gt__exact": 222}, 1},
			// Players who played in 2011.
			{lookups.Q{"games__season__year": 2011}, 2},
			{lookups.Q{"games__season__year__exact": 2011}, 2},
			{lookups.Q{"games__season__gt": 333}, 2},
			{lookups.Q{"games__season__year__gt": 2010}, 2},
			{lookups.Q{"games__season__gt__gt": 222}, 2},
			{lookups.Q{"games__season__date": "2011-03-31"}, 2},
			{lookups.Q{"games__season__in__in": []int{1}}, 2},
		} {
			n, err := players.Filter(c.q).Count(ctx)
			if err != nil || n != c.want {
				t.Errorf("players %v: %d, %v; want %d", c.q, n, err, c.want)
			}
		}
		// Reverse: seasons by their games.
		if n, err := seasons.Filter(lookups.Q{"games__away__startswith": "Chicago"}).Count(ctx); err != nil || n != 1 {
			t.Errorf("seasons by game: %d, %v", n, err)
		}
		// A lookup that is not last, and a name that is neither a field
		// nor a lookup, are still errors.
		for _, c := range []struct {
			q        lookups.Q
			sentinel error
			msg      string
		}{
			{lookups.Q{"season__year__gt__foo": 1}, lookups.ErrUnknownLookup, `unknown lookup "gt" in "season__year__gt__foo": a lookup must be the last part`},
			{lookups.Q{"season__nope": 1}, lookups.ErrUnknownField, `DjSeason: unknown field "nope"`},
			{lookups.Q{"home__gt__gt": 1}, lookups.ErrUnknownLookup, `unknown lookup "gt"`},
			{lookups.Q{"season__gt__in": 222}, lookups.ErrBadValue, `in takes a slice`},
		} {
			_, err := games.Filter(c.q).Count(ctx)
			if !errors.Is(err, c.sentinel) || !strings.Contains(fmt.Sprint(err), c.msg) {
				t.Errorf("%v: error %v, want %v containing %q", c.q, err, c.sentinel, c.msg)
			}
		}
	}, DjSeason{}, DjGame{}, DjPlayer{})
}

type DjAuthor struct {
	orm.Model `orm:"table=dj_authors"`
	ID        int64        `db:"id"`
	Name      *string      `db:"name" orm:"size=50"`
	Article   []*DjArticle `orm:"reverse=Author"`
}

type DjArticle struct {
	orm.Model `orm:"table=dj_articles"`
	ID        int64     `db:"id"`
	Headline  *string   `db:"headline" orm:"size=100"`
	PubDate   time.Time `db:"pub_date"`
	Author    *DjAuthor `db:"author_id" orm:"fk,null"`
}

// seedArticles: authors 1 "Author 1", 2 "Author 2", 3 with no name, 4
// "Lonely" with no articles; articles 1-2 by author 1, 3 by author 2, 4 and
// 6 by nobody, 5 by author 3 with no headline (6 has none either).
func seedArticles(t *testing.T, ctx context.Context, db *core.Database) {
	t.Helper()
	str := func(s string) *string { return &s }
	authors, articles := orm.Objects[DjAuthor](db), orm.Objects[DjArticle](db)
	var as []*DjAuthor
	for _, name := range []*string{str("Author 1"), str("Author 2"), nil, str("Lonely")} {
		a, err := authors.Create(ctx, &DjAuthor{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	day := func(d, h, m int) time.Time { return time.Date(2005, 7, d, h, m, 0, 0, time.UTC) }
	for _, a := range []*DjArticle{
		{Headline: str("Article 1"), PubDate: day(26, 0, 0), Author: as[0]},
		{Headline: str("Article 2"), PubDate: day(27, 0, 0), Author: as[0]},
		{Headline: str("Article 3"), PubDate: day(27, 0, 0), Author: as[1]},
		{Headline: str("Article 4"), PubDate: day(28, 0, 0)},
		{Headline: nil, PubDate: time.Date(2005, 8, 1, 9, 0, 0, 0, time.UTC), Author: as[2]},
		{Headline: nil, PubDate: day(27, 12, 30)},
	} {
		if _, err := articles.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
}

// NULL across a relation: Django joins with LEFT OUTER JOIN, so a test that
// NULL passes also holds where there is no related row.
func TestDjangoNullAcrossRelation(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, _ *queryLog) {
		ctx := context.Background()
		seedArticles(t, ctx, db)
		articles, authors := orm.Objects[DjArticle](db), orm.Objects[DjAuthor](db)
		expectIDs(t, ctx, "author__name nil", articles.Filter(lookups.Q{"author__name": nil}), 4, 5, 6)
		expectIDs(t, ctx, "author__name__exact nil", articles.Filter(lookups.Q{"author__name__exact": nil}), 4, 5, 6)
		expectIDs(t, ctx, "author__name__isnull", articles.Filter(lookups.Q{"author__name__isnull": true}), 4, 5, 6)
		expectIDs(t, ctx, "author__name__isnull false", articles.Filter(lookups.Q{"author__name__isnull": false}), 1, 2, 3)
		expectIDs(t, ctx, "exclude author__name nil", articles.Exclude(lookups.Q{"author__name": nil}), 1, 2, 3)
		expectIDs(t, ctx, "author__isnull", articles.Filter(lookups.Q{"author__isnull": true}), 4, 6)
		expectIDs(t, ctx, "two null tests", articles.Filter(lookups.Q{"author__name": nil, "author__name__isnull": true}), 4, 5, 6)
		expectIDs(t, ctx, "with a local field", articles.Filter(lookups.Q{"author__name": nil, "headline__isnull": true}), 5, 6)
		// A condition NULL does not pass needs a related row.
		expectIDs(t, ctx, "null test and a value", articles.Filter(lookups.Q{"author__name__isnull": true, "author__id__gt": 0}), 5)
		expectIDs(t, ctx, "or", articles.Filter(lookups.Or(lookups.Q{"author__name": nil}, lookups.Q{"headline": "Article 1"})), 1, 4, 5, 6)
		// Reverse (one-to-many): the author with no articles, and the one
		// whose article has no headline.
		expectIDs(t, ctx, "article__headline nil", authors.Filter(lookups.Q{"article__headline": nil}), 3, 4)
		expectIDs(t, ctx, "article__headline__isnull", authors.Filter(lookups.Q{"article__headline__isnull": true}), 3, 4)
		expectIDs(t, ctx, "exclude article__headline nil", authors.Exclude(lookups.Q{"article__headline": nil}), 1, 2)
		expectIDs(t, ctx, "article__headline value", authors.Filter(lookups.Q{"article__headline": "Article 3"}), 2)
		// Two hops: articles whose author has an article with no headline,
		// or no author.
		expectIDs(t, ctx, "two hops", articles.Filter(lookups.Q{"author__article__headline": nil}), 4, 5, 6)
	}, DjAuthor{}, DjArticle{})
}

// A string for a timestamp is read as Django reads it; a number compared
// as text (id__iexact) matches on every backend.
func TestDjangoStringValues(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, _ *queryLog) {
		ctx := context.Background()
		seedArticles(t, ctx, db)
		articles := orm.Objects[DjArticle](db)
		expectIDs(t, ctx, "exact datetime text", articles.Filter(lookups.Q{"pub_date__exact": "2005-07-27 00:00:00"}), 2, 3)
		expectIDs(t, ctx, "exact date text", articles.Filter(lookups.Q{"pub_date": "2005-07-27"}), 2, 3)
		expectIDs(t, ctx, "T and minutes", articles.Filter(lookups.Q{"pub_date__gte": "2005-07-27T12:30"}), 4, 5, 6)
		expectIDs(t, ctx, "with a zone", articles.Filter(lookups.Q{"pub_date": "2005-07-27T14:30:00+02:00"}), 6)
		expectIDs(t, ctx, "Z and a fraction", articles.Filter(lookups.Q{"pub_date": "2005-07-27 12:30:00.000000Z"}), 6)
		expectIDs(t, ctx, "range", articles.Filter(lookups.Q{"pub_date__range": []string{"2005-07-27", "2005-07-28"}}), 2, 3, 4, 6)
		expectIDs(t, ctx, "in", articles.Filter(lookups.Q{"pub_date__in": []any{"2005-07-26", time.Date(2005, 7, 28, 0, 0, 0, 0, time.UTC)}}), 1, 4)
		expectIDs(t, ctx, "date transform", articles.Filter(lookups.Q{"pub_date__date": "2005-07-27"}), 2, 3, 6)
		expectIDs(t, ctx, "date transform gt", articles.Filter(lookups.Q{"pub_date__date__gt": "2005-07-27"}), 4, 5)
		expectIDs(t, ctx, "id iexact", articles.Filter(lookups.Q{"id__iexact": "1"}), 1)
		expectIDs(t, ctx, "id icontains", articles.Filter(lookups.Q{"id__icontains": "6"}), 6)
		expectIDs(t, ctx, "id istartswith", articles.Filter(lookups.Q{"id__istartswith": "2"}), 2)
		_, err := articles.Filter(lookups.Q{"pub_date": "27/07/2005"}).Count(ctx)
		if !errors.Is(err, lookups.ErrBadValue) || !strings.Contains(fmt.Sprint(err), `bad value "pub_date": the string "27/07/2005" is not a timestamp`) {
			t.Errorf("bad timestamp text: %v", err)
		}
	}, DjAuthor{}, DjArticle{})
}

type DjEvent struct {
	orm.Model `orm:"table=dj_events"`
	ID        int64     `db:"id"`
	At        time.Time `db:"at"`
	Day       time.Time `db:"day" orm:"type=date"`
}

// The ISO 8601 transforms and quarter, on timestamps and dates.
func TestDjangoISOTransforms(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, _ *queryLog) {
		ctx := context.Background()
		events := orm.Objects[DjEvent](db)
		for _, at := range []time.Time{
			time.Date(2024, 12, 30, 10, 0, 0, 0, time.UTC), // Monday, ISO week 1 of 2025, Q4
			time.Date(2021, 1, 3, 23, 0, 0, 0, time.UTC),   // Sunday, ISO week 53 of 2020, Q1
			time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC),  // Saturday, week 24, Q2
			time.Date(2023, 8, 1, 0, 0, 0, 0, time.UTC),    // Tuesday, week 31, Q3
			// 23:30 on Sunday in UTC-5 is Monday 04:30 UTC: week 2 of 2024.
			time.Date(2024, 1, 7, 23, 30, 0, 0, time.FixedZone("EST", -5*3600)),
		} {
			day := time.Date(at.UTC().Year(), at.UTC().Month(), at.UTC().Day(), 0, 0, 0, 0, time.UTC)
			if _, err := events.Create(ctx, &DjEvent{At: at, Day: day}); err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range []string{"at", "day"} {
			q := func(k string, v any) *orm.QuerySet[DjEvent] { return events.Filter(lookups.Q{f + "__" + k: v}) }
			expectIDs(t, ctx, f+" iso_week_day 1", q("iso_week_day", 1), 1, 5)
			expectIDs(t, ctx, f+" iso_week_day 7", q("iso_week_day", 7), 2)
			expectIDs(t, ctx, f+" iso_week_day gte 6", q("iso_week_day__gte", 6), 2, 3)
			expectIDs(t, ctx, f+" week_day 1 (Sunday)", q("week_day", 1), 2)
			expectIDs(t, ctx, f+" iso_year 2025", q("iso_year", 2025), 1)
			expectIDs(t, ctx, f+" iso_year 2020", q("iso_year", 2020), 2)
			expectIDs(t, ctx, f+" year 2024", q("year", 2024), 1, 3, 5)
			expectIDs(t, ctx, f+" week 1", q("week", 1), 1)
			expectIDs(t, ctx, f+" week 53", q("week", 53), 2)
			expectIDs(t, ctx, f+" week 2", q("week", 2), 5)
			expectIDs(t, ctx, f+" week lt 30", q("week__lt", 30), 1, 3, 5)
			expectIDs(t, ctx, f+" quarter 4", q("quarter", 4), 1)
			expectIDs(t, ctx, f+" quarter in", q("quarter__in", []int{1, 3}), 2, 4, 5)
			expectIDs(t, ctx, f+" quarter range", q("quarter__range", []int{2, 3}), 3, 4)
		}
	}, DjEvent{})
}

type DjProduct struct {
	orm.Model `orm:"table=dj_products"`
	ID        int64           `db:"id"`
	Name      string          `db:"name" orm:"size=50"`
	Price     decimal.Decimal `db:"price" orm:"precision=10,scale=2"`
}

// A decimal field takes int, float64 and string values, converted exactly
// (a float by its shortest representation); bad values name the field.
func TestDjangoDecimalValues(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, _ *queryLog) {
		ctx := context.Background()
		products := orm.Objects[DjProduct](db)
		for i, p := range []string{"5.00", "9.99", "10.00", "10.50", "100.00", "0.10"} {
			if _, err := products.Create(ctx, &DjProduct{Name: fmt.Sprint("p", i+1), Price: decimal.RequireFromString(p)}); err != nil {
				t.Fatal(err)
			}
		}
		expectIDs(t, ctx, "gt int", products.Filter(lookups.Q{"price__gt": 10}), 4, 5)
		expectIDs(t, ctx, "exclude or gt int", products.Exclude(lookups.Or(lookups.Q{"price__gt": 10})), 1, 2, 3, 6)
		expectIDs(t, ctx, "exact float 0.1", products.Filter(lookups.Q{"price": 0.1}), 6)
		expectIDs(t, ctx, "exact float32", products.Filter(lookups.Q{"price": float32(9.99)}), 2)
		expectIDs(t, ctx, "lt string", products.Filter(lookups.Q{"price__lt": "9.99"}), 1, 6)
		expectIDs(t, ctx, "gte uint", products.Filter(lookups.Q{"price__gte": uint8(100)}), 5)
		expectIDs(t, ctx, "in mixed", products.Filter(lookups.Q{"price__in": []any{10, "9.99", 0.1}}), 2, 3, 6)
		expectIDs(t, ctx, "range", products.Filter(lookups.Q{"price__range": []any{5, "10.5"}}), 1, 2, 3, 4)
		expectIDs(t, ctx, "exponent string", products.Filter(lookups.Q{"price": "1e2"}), 5)
		for _, c := range []struct {
			q   lookups.Q
			msg string
		}{
			{lookups.Q{"price__gt": math.NaN()}, `lookups: DjProduct: bad value "price" in "price__gt": a float64 NaN has no decimal value`},
			{lookups.Q{"price__lt": math.Inf(1)}, `has no decimal value`},
			{lookups.Q{"price": "ten"}, `bad value "price": the string "ten" is not a decimal number`},
			{lookups.Q{"price__in": []any{1, "x"}}, `the string "x" is not a decimal number`},
			{lookups.Q{"price": true}, `lookups: DjProduct: bad value "price": value true: a bool does not fit a field of type decimal.Decimal`},
		} {
			_, err := products.Filter(c.q).Count(ctx)
			if !errors.Is(err, lookups.ErrBadValue) || !strings.Contains(fmt.Sprint(err), c.msg) {
				t.Errorf("%v: error %v, want one containing %q", c.q, err, c.msg)
			}
		}
	}, DjProduct{})
}

type DjText struct {
	orm.Model `orm:"table=dj_texts"`
	ID        int64  `db:"id"`
	Name      string `db:"name" orm:"size=50"`
}

// A NUL byte in a pattern lookup's value, or in the column, is matched
// literally. PostgreSQL text cannot hold a NUL: there the rows with one are
// not stored, and a value with one matches nothing.
func TestLookupsNUL(t *testing.T) {
	for _, name := range harness.SQLBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := harness.Open(t, name)
			ctx := context.Background()
			if err := orm.CreateTables(ctx, db, DjText{}); err != nil {
				t.Fatal(err)
			}
			texts := orm.Objects[DjText](db)
			pg := db.Dialect() == core.Postgres
			for i, s := range []string{"a\x00b", "x\x00'", "plain", "it's", "b\x00", "A\x00B"} {
				if pg && strings.Contains(s, "\x00") {
					s = fmt.Sprint("no nul ", i+1)
				}
				if _, err := texts.Create(ctx, &DjText{Name: s}); err != nil {
					t.Fatal(err)
				}
			}
			either := func(others []int64, onPG ...int64) []int64 {
				if pg {
					return onPG
				}
				return others
			}
			for _, c := range []struct {
				q    lookups.Q
				want []int64
			}{
				{lookups.Q{"name__contains": "\x00"}, either([]int64{1, 2, 5, 6})},
				{lookups.Q{"name__contains": "'"}, either([]int64{2, 4}, 4)},
				{lookups.Q{"name__endswith": "'"}, either([]int64{2})},
				{lookups.Q{"name__endswith": "s"}, []int64{4}},
				{lookups.Q{"name__startswith": "a\x00"}, either([]int64{1})},
				{lookups.Q{"name__startswith": "a"}, either([]int64{1})},
				{lookups.Q{"name__endswith": "\x00"}, either([]int64{5})},
				{lookups.Q{"name__endswith": "b"}, either([]int64{1})},
				{lookups.Q{"name__icontains": "A\x00B"}, either([]int64{1, 6})},
				{lookups.Q{"name__iendswith": "\x00'"}, either([]int64{2})},
				{lookups.Q{"name__istartswith": "X\x00"}, either([]int64{2})},
				{lookups.Q{"name__iexact": "a\x00b"}, either([]int64{1, 6})},
				{lookups.Q{"name__contains": ""}, []int64{1, 2, 3, 4, 5, 6}},
				{lookups.Q{"name__endswith": ""}, []int64{1, 2, 3, 4, 5, 6}},
			} {
				expectIDs(t, ctx, fmt.Sprintf("%q", c.q), texts.Filter(c.q), c.want...)
			}
		})
	}
}

type DjItem struct {
	orm.Model `orm:"table=dj_items"`
	ID        int64           `db:"id"`
	Name      string          `db:"name" orm:"size=20"`
	QtyTarget decimal.Decimal `db:"qty_target" orm:"precision=5,scale=2"`
	Big       decimal.Decimal `db:"big" orm:"precision=30,scale=10"`
}

type DjStock struct {
	orm.Model    `orm:"table=dj_stocks"`
	ID           int64           `db:"id"`
	Item         *DjItem         `db:"item_id" orm:"fk"`
	QtyAvailable decimal.Decimal `db:"qty_available" orm:"precision=6,scale=2"`
}

// Decimals compare, order and add up as numbers on every backend, exactly:
// on SQLite they are text compared by core's decimal collation.
func TestDjangoDecimalComparisons(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, _ *queryLog) {
		ctx := context.Background()
		items, stocks := orm.Objects[DjItem](db), orm.Objects[DjStock](db)
		dec := decimal.RequireFromString
		base := "12345678901234567890.000000000"
		var list []*DjItem
		for i, q := range []string{"10.00", "9.99", "100.00", "2.50", "-1.00", "9.00"} {
			list = append(list, &DjItem{Name: fmt.Sprint("i", i+1), QtyTarget: dec(q), Big: dec(base + strconv.Itoa(i+1))})
		}
		if err := items.BulkCreate(ctx, list); err != nil { // multi-row inserts (arrays on PostgreSQL)
			t.Fatal(err)
		}
		for i, q := range []string{"8", "10", "10.01", "1", "99.99", "0", "1000", "0.5"} {
			if _, err := stocks.Create(ctx, &DjStock{Item: list[i%len(list)], QtyAvailable: dec(q)}); err != nil {
				t.Fatal(err)
			}
		}
		expectIDs(t, ctx, "qty_available lt 10", stocks.Filter(lookups.Q{"qty_available__lt": dec("10")}), 1, 4, 6, 8)
		expectIDs(t, ctx, "qty_available gte 10", stocks.Filter(lookups.Q{"qty_available__gte": 10}), 2, 3, 5, 7)
		expectIDs(t, ctx, "qty_available exact 10.0", stocks.Filter(lookups.Q{"qty_available": "10.0"}), 2)
		expectIDs(t, ctx, "qty_target gt 9", items.Filter(lookups.Q{"qty_target__gt": 9}), 1, 2, 3)
		expectIDs(t, ctx, "qty_target lt 9.99", items.Filter(lookups.Q{"qty_target__lt": dec("9.99")}), 4, 5, 6)
		expectIDs(t, ctx, "qty_target range", items.Filter(lookups.Q{"qty_target__range": []any{"-1", 9.99}}), 2, 4, 5, 6)
		expectIDs(t, ctx, "qty_target in", items.Filter(lookups.Q{"qty_target__in": []any{10, "2.5"}}), 1, 4)
		expectIDs(t, ctx, "across the relation", stocks.Filter(lookups.Q{"item__qty_target__lt": 9.5}), 4, 5, 6)
		// 30 digits: beyond float64, so no REAL comparison could tell them apart.
		expectIDs(t, ctx, "big gt", items.Filter(lookups.Q{"big__gt": base + "4"}), 5, 6)
		expectIDs(t, ctx, "big exact", items.Filter(lookups.Q{"big": base + "3"}), 3)
		names, err := items.OrderBy("qty_target", "-big").ValuesListFlat(ctx, "name")
		if want := []any{"i5", "i4", "i6", "i2", "i1", "i3"}; err != nil || !reflect.DeepEqual(names, want) {
			t.Errorf("order by qty_target: %v, %v; want %v", names, err, want)
		}
		names, err = items.OrderBy("-big").Limit(2).ValuesListFlat(ctx, "name")
		if want := []any{"i6", "i5"}; err != nil || !reflect.DeepEqual(names, want) {
			t.Errorf("order by -big: %v, %v; want %v", names, err, want)
		}
		agg, err := items.Aggregate(ctx, orm.Min("qty_target"), orm.Max("qty_target"), orm.Sum("qty_target"),
			orm.Avg("qty_target"), orm.Max("big"), orm.Sum("big"))
		if err != nil {
			t.Fatal(err)
		}
		for key, want := range map[string]string{
			"qty_target__min": "-1", "qty_target__max": "100", "qty_target__sum": "130.49",
			"big__max": base + "6", "big__sum": "74074073407407407340.0000000021",
		} {
			if d, ok := agg[key].(decimal.Decimal); !ok || !d.Equal(dec(want)) {
				t.Errorf("%s = %v, want %s", key, agg[key], want)
			}
		}
		if d, ok := agg["qty_target__avg"].(decimal.Decimal); !ok || !d.Round(4).Equal(dec("21.7483")) {
			t.Errorf("avg = %v, want 21.74833...", agg["qty_target__avg"])
		}
		// Raw goqu queries with the same comparison, restored into models.
		q := db.Dialect().Goqu().From(orm.Table[DjItem]()).Select(orm.Columns[DjItem]()).
			Where(orm.Table[DjItem]().Col("qty_target").Lt("9.99")).Order(orm.Table[DjItem]().Col("qty_target").Desc())
		rows, err := db.FetchAll(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, row := range rows {
			it, err := items.Restore(ctx, row)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, it.QtyTarget.StringFixed(2))
		}
		if want := []string{"9.00", "2.50", "-1.00"}; !reflect.DeepEqual(got, want) {
			t.Errorf("raw query: %v, want %v", got, want)
		}
		// Values keep the stored value exactly.
		it, err := items.Get(ctx, lookups.Q{"big": base + "1"})
		if err != nil || !it.Big.Equal(dec(base+"1")) {
			t.Errorf("get big: %v, %v", it, err)
		}
	}, DjItem{}, DjStock{})
}

// A subquery compared as one value that returns two rows is an error on
// every backend (SQLite would take its first row).
func TestDjangoSubqueryOneRow(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, _ *queryLog) {
		ctx := context.Background()
		seedArticles(t, ctx, db)
		articles := orm.Objects[DjArticle](db)
		ids := func(cond string) any {
			return db.Dialect().Goqu().From(orm.Table[DjArticle]()).Select(orm.Table[DjArticle]().Col("id")).
				Where(orm.Table[DjArticle]().Col("headline").Eq(cond))
		}
		two := db.Dialect().Goqu().From(orm.Table[DjArticle]()).Select(orm.Table[DjArticle]().Col("id")).
			Where(orm.Table[DjArticle]().Col("id").Lte(2))
		for _, key := range []string{"id", "id__gt", "id__lte", "id__ne"} {
			if _, err := articles.Filter(lookups.Q{key: two}).All(ctx); err == nil {
				t.Errorf("%s with a subquery of two rows: no error", key)
			}
		}
		expectIDs(t, ctx, "one row", articles.Filter(lookups.Q{"id": ids("Article 3")}), 3)
		expectIDs(t, ctx, "one row, gt", articles.Filter(lookups.Q{"id__gt": ids("Article 3")}), 4, 5, 6)
		expectIDs(t, ctx, "no row", articles.Filter(lookups.Q{"id": ids("nope")}))
		expectIDs(t, ctx, "in takes many", articles.Filter(lookups.Q{"id__in": two}), 1, 2)
	}, DjAuthor{}, DjArticle{})
}

// Regular expressions with backreferences mean the same on every backend
// (SQLite's REGEXP is core's, on a backtracking engine).
func TestLookupsRegexBackreference(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, _ *queryLog) {
		ctx := context.Background()
		texts := orm.Objects[DjText](db)
		for _, s := range []string{"abcdbc", "abcdbd", "xbxbx", "BxBx", "été été"} {
			if _, err := texts.Create(ctx, &DjText{Name: s}); err != nil {
				t.Fatal(err)
			}
		}
		expectIDs(t, ctx, "backreference", texts.Filter(lookups.Q{"name__regex": `b(.).*b\1`}), 1, 3)
		expectIDs(t, ctx, "backreference, folded", texts.Filter(lookups.Q{"name__iregex": `b(.).*b\1`}), 1, 3, 4)
		expectIDs(t, ctx, "repeated word", texts.Filter(lookups.Q{"name__regex": `^(\S+) \1$`}), 5)
		expectIDs(t, ctx, "not", texts.Exclude(lookups.Q{"name__regex": `b(.).*b\1`}), 2, 4, 5)
		if _, err := texts.Filter(lookups.Q{"name__regex": `(`}).Count(ctx); err == nil {
			t.Error("a bad pattern: no error")
		}
	}, DjText{})
}

type DjAll struct {
	orm.Model `orm:"table=dj_all"`
	ID        int64           `db:"id"`
	Name      string          `db:"name" orm:"size=20"`
	N         *int64          `db:"n"`
	Price     decimal.Decimal `db:"price" orm:"precision=8,scale=2"`
	Flag      *bool           `db:"flag"`
	At        *time.Time      `db:"at"`
	Day       *time.Time      `db:"day" orm:"type=date"`
	Clock     *core.TimeOfDay `db:"clock"`
}

// registryCases returns, for every lookup and transform of the registry, the
// conditions that exercise it on DjAll, and fails the test for a lookup or
// transform that has none: a new one must be added here, so that it is
// compared across the backends.
func registryCases(t *testing.T) []lookups.Q {
	at := time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)
	byLookup := map[string][]lookups.Q{
		"exact":       {{"name": "Ab%c"}, {"n": 5}, {"price": "10"}, {"at": at}, {"flag": true}, {"n": nil}, {"day": "2024-06-15"}},
		"iexact":      {{"name__iexact": "AB%C"}, {"name__iexact": "ÉLAN"}, {"n__iexact": "42"}, {"name__iexact": nil}},
		"ne":          {{"n__ne": 5}, {"name__ne": "ab_c"}, {"n__ne": nil}},
		"not":         {{"n__not": 5}, {"price__not": "9.99"}},
		"gt":          {{"n__gt": 0}, {"price__gt": 9.99}, {"at__gt": at}, {"day__gt": "2024-01-01"}, {"clock__gt": "12:30"}},
		"gte":         {{"n__gte": 5}, {"price__gte": "10.00"}, {"at__gte": at}},
		"lt":          {{"n__lt": 0}, {"price__lt": 10}, {"at__lt": at}},
		"lte":         {{"n__lte": 5}, {"price__lte": "0.01"}, {"at__lte": at}},
		"in":          {{"n__in": []any{5, 42, nil}}, {"name__in": []string{"été", "x"}}, {"price__in": []any{10, "0.01"}}, {"n__in": []int{}}},
		"notin":       {{"n__notin": []int{5}}, {"price__notin": []string{"100.5"}}, {"n__notin": []any{nil}}},
		"range":       {{"n__range": []int{-3, 5}}, {"price__range": []string{"0", "10"}}, {"at__range": []time.Time{at.Add(-time.Hour), at}}},
		"isnull":      {{"n__isnull": true}, {"at__isnull": false}, {"flag__isnull": true}},
		"is":          {{"flag__is": nil}, {"flag__is": true}},
		"isnot":       {{"flag__isnot": false}, {"flag__isnot": nil}},
		"like":        {{"name__like": "A%"}, {"name__like": `%\%%`}, {"name__like": "_b_c"}},
		"ilike":       {{"name__ilike": "a%"}, {"name__ilike": "%L%"}},
		"regex":       {{"name__regex": "^[a-z]"}, {"name__regex": `b(.)?c`}, {"name__regex": `^$`}},
		"iregex":      {{"name__iregex": "^AB"}, {"name__iregex": `x\\Y`}},
		"contains":    {{"name__contains": "b"}, {"name__contains": "%"}, {"name__contains": `\`}, {"n__contains": "2"}},
		"icontains":   {{"name__icontains": "B"}, {"name__icontains": "É"}, {"name__icontains": "_"}},
		"startswith":  {{"name__startswith": "a"}, {"name__startswith": "é"}},
		"istartswith": {{"name__istartswith": "A"}, {"name__istartswith": "É"}},
		"endswith":    {{"name__endswith": "c"}, {"name__endswith": "y"}},
		"iendswith":   {{"name__iendswith": "C"}, {"name__iendswith": "TÉ"}},
	}
	byTransform := map[string][]any{
		"year": {2024}, "iso_year": {2024, 2020}, "quarter": {4, 1}, "month": {12}, "week": {1, 53}, "day": {31, 15},
		"week_day": {1, 7}, "iso_week_day": {1, 7}, "hour": {23, 10}, "minute": {30}, "second": {45}, "date": {"2024-01-01"},
	}
	reg := lookups.DefaultRegistry
	var out []lookups.Q
	for _, name := range reg.Lookups() {
		qs, ok := byLookup[name]
		if !ok {
			t.Errorf("lookup %q has no cross-backend case", name)
		}
		out = append(out, qs...)
	}
	for _, name := range reg.Transforms() {
		values, ok := byTransform[name]
		if !ok {
			t.Errorf("transform %q has no cross-backend case", name)
		}
		fields := []string{"at", "day"}
		if name == "hour" || name == "minute" || name == "second" {
			fields = []string{"at", "clock"}
		}
		for _, f := range fields {
			for _, v := range values {
				k := f + "__" + name
				out = append(out, lookups.Q{k: v}, lookups.Q{k + "__gte": v}, lookups.Q{k + "__in": []any{v}}, lookups.Q{k + "__lt": v})
			}
		}
	}
	return out
}

// Every lookup and transform of the registry, over one data set, gives the
// same rows on every backend, in Filter and in Exclude: the guard against
// any backend difference.
func TestLookupsSameRowsEverywhere(t *testing.T) {
	cases := registryCases(t)
	var mu sync.Mutex
	results := map[string][]string{} // backend -> one line per case
	t.Cleanup(func() {
		var ref string
		for name, got := range results {
			if ref == "" {
				ref = name
				continue
			}
			for i := range got {
				if got[i] != results[ref][i] {
					t.Errorf("%s and %s differ:\n  %s: %s\n  %s: %s", ref, name, ref, results[ref][i], name, got[i])
				}
			}
		}
		if len(results) < 2 {
			t.Logf("only %d backend(s) ran: nothing compared", len(results))
		}
	})
	eachORM(t, func(t *testing.T, db *core.Database, _ *queryLog) {
		ctx := context.Background()
		all := orm.Objects[DjAll](db)
		n := func(v int64) *int64 { return &v }
		b := func(v bool) *bool { return &v }
		tm := func(y int, m time.Month, d, h, min, s, ns int) *time.Time {
			v := time.Date(y, m, d, h, min, s, ns, time.UTC)
			return &v
		}
		day := func(t *time.Time) *time.Time {
			if t == nil {
				return nil
			}
			v := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			return &v
		}
		for _, r := range []*DjAll{
			{Name: "Ab%c", N: n(5), Price: decimal.RequireFromString("10.00"), Flag: b(true), At: tm(2024, 1, 1, 10, 0, 0, 0)},
			{Name: "ab_c", N: n(-3), Price: decimal.RequireFromString("9.99"), Flag: b(false), At: tm(2023, 12, 31, 23, 59, 59, 500000000)},
			{Name: "Élan", N: n(0), Price: decimal.RequireFromString("100.50")},
			{Name: `x\y`, N: n(42), Price: decimal.RequireFromString("0.01"), Flag: b(true), At: tm(2024, 6, 15, 12, 30, 45, 0)},
			{Name: "été", Price: decimal.RequireFromString("-1.50"), Flag: b(false), At: tm(2021, 1, 3, 0, 0, 0, 0)},
			{Name: "", N: n(7), Price: decimal.RequireFromString("1000"), At: tm(2024, 12, 30, 23, 0, 0, 0)},
		} {
			r.Day = day(r.At)
			if r.At != nil {
				c := core.ClockOf(*r.At)
				r.Clock = &c
			}
			if _, err := all.Create(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		lines := make([]string, 0, 2*len(cases))
		for _, q := range cases {
			for _, neg := range []bool{false, true} {
				qs := all.Filter(q)
				if neg {
					qs = all.Exclude(q)
				}
				ids, err := djIDs(t, ctx, qs)
				line := fmt.Sprintf("%q exclude=%v: %v", q, neg, ids)
				if err != nil {
					t.Errorf("%q exclude=%v: %v", q, neg, err)
					line = fmt.Sprintf("%q exclude=%v: error", q, neg)
				}
				lines = append(lines, line)
			}
		}
		mu.Lock()
		results[db.Dialect().String()] = lines
		mu.Unlock()
	}, DjAll{})
}

type DjShift struct {
	orm.Model `orm:"table=dj_shifts"`
	ID        int64           `db:"id"`
	Start     core.TimeOfDay  `db:"start"`
	End       *core.TimeOfDay `db:"end"`
}

// A time-of-day field (Django's TimeField): TIME on PostgreSQL and MySQL,
// text that sorts on SQLite, with hour, minute and second and comparisons.
func TestDjangoTimeField(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, _ *queryLog) {
		ctx := context.Background()
		shifts := orm.Objects[DjShift](db)
		clock := func(h, m, s, us int) core.TimeOfDay {
			return core.TimeOfDay{Hour: h, Minute: m, Second: s, Microsecond: us}
		}
		end := clock(17, 0, 0, 0)
		for _, s := range []*DjShift{
			{Start: clock(9, 30, 0, 0), End: &end},
			{Start: clock(10, 0, 0, 500000)},
			{Start: clock(23, 59, 59, 999999)},
			{Start: clock(0, 0, 0, 0)},
			{Start: clock(9, 5, 7, 0)},
		} {
			if _, err := shifts.Create(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		got, err := shifts.Get(ctx, lookups.Q{"id": 2})
		if err != nil || got.Start != clock(10, 0, 0, 500000) || got.End != nil {
			t.Errorf("read back: %+v, %v", got, err)
		}
		got, err = shifts.Get(ctx, lookups.Q{"id": 1})
		if err != nil || got.End == nil || *got.End != end {
			t.Errorf("read back end: %+v, %v", got, err)
		}
		expectIDs(t, ctx, "exact string", shifts.Filter(lookups.Q{"start": "09:30"}), 1)
		expectIDs(t, ctx, "exact fraction", shifts.Filter(lookups.Q{"start": "10:00:00.5"}), 2)
		expectIDs(t, ctx, "gt", shifts.Filter(lookups.Q{"start__gt": "09:30:00"}), 2, 3)
		expectIDs(t, ctx, "lt value", shifts.Filter(lookups.Q{"start__lt": clock(9, 30, 0, 0)}), 4, 5)
		expectIDs(t, ctx, "range", shifts.Filter(lookups.Q{"start__range": []string{"09:00", "10:00:00.5"}}), 1, 2, 5)
		expectIDs(t, ctx, "time.Time", shifts.Filter(lookups.Q{"start": time.Date(2000, 1, 1, 23, 59, 59, 999999000, time.UTC)}), 3)
		expectIDs(t, ctx, "hour", shifts.Filter(lookups.Q{"start__hour": 9}), 1, 5)
		expectIDs(t, ctx, "minute", shifts.Filter(lookups.Q{"start__minute__gte": 30}), 1, 3)
		expectIDs(t, ctx, "second", shifts.Filter(lookups.Q{"start__second": 7}), 5)
		expectIDs(t, ctx, "end isnull", shifts.Filter(lookups.Q{"end__isnull": true}), 2, 3, 4, 5)
		expectIDs(t, ctx, "exclude end hour", shifts.Exclude(lookups.Q{"end__hour": 17}), 2, 3, 4, 5)
		vals, err := shifts.OrderBy("-start").ValuesListFlat(ctx, "id")
		if want := []any{int64(3), int64(2), int64(1), int64(5), int64(4)}; err != nil || !reflect.DeepEqual(vals, want) {
			t.Errorf("order by -start: %v, %v; want %v", vals, err, want)
		}
		for _, c := range []struct {
			q   lookups.Q
			msg string
		}{
			{lookups.Q{"start": "9:30"}, `the string "9:30" is not a time of day`},
			{lookups.Q{"start": "24:00"}, `is not a time of day`},
			{lookups.Q{"start__year": 2024}, `year applies to a date or timestamp, and start is a time of day`},
		} {
			_, err := shifts.Filter(c.q).Count(ctx)
			if !errors.Is(err, lookups.ErrBadValue) || !strings.Contains(fmt.Sprint(err), c.msg) {
				t.Errorf("%v: error %v, want one containing %q", c.q, err, c.msg)
			}
		}
		if _, err := shifts.Create(ctx, &DjShift{Start: clock(25, 0, 0, 0)}); err == nil {
			t.Error("hour 25 saved")
		}
		// Bulk inserts (arrays on PostgreSQL) and aggregates.
		late := clock(23, 0, 0, 1)
		if err := shifts.BulkCreate(ctx, []*DjShift{{Start: clock(12, 0, 0, 0), End: &late}, {Start: clock(6, 45, 0, 0)}}); err != nil {
			t.Fatal(err)
		}
		expectIDs(t, ctx, "bulk rows", shifts.Filter(lookups.Q{"end__gt": "18:00"}), 6)
		agg, err := shifts.Aggregate(ctx, orm.Min("start"), orm.Max("end"))
		if m, ok := agg["end__max"].(*core.TimeOfDay); err != nil || agg["start__min"] != clock(0, 0, 0, 0) || !ok || *m != late {
			t.Errorf("aggregates: %v, %v", agg, err)
		}
	}, DjShift{})
}
