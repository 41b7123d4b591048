package tests

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
	"github.com/atomdb/atomdb/tests/harness"
	"github.com/doug-martin/goqu/v9"
)

// A QuerySet is a subquery wherever one is taken, rendered in the outer
// query's dialect; so is a goqu dataset built in goqu's default dialect
// (which used to be written with its own quotes and placeholders, a syntax
// error on PostgreSQL and MariaDB).
func TestSubqueries(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, _ *queryLog) {
		ctx := context.Background()
		seedArticles(t, ctx, db)
		authors, articles := orm.Objects[DjAuthor](db), orm.Objects[DjArticle](db)
		named := authors.Filter(lookups.Q{"name__startswith": "Author"})

		expectIDs(t, ctx, "in a query set", articles.Filter(lookups.Q{"author__in": named}), 1, 2, 3)
		expectIDs(t, ctx, "in Subquery(id)", articles.Filter(lookups.Q{"author__in": named.Subquery("id")}), 1, 2, 3)
		expectIDs(t, ctx, "notin", articles.Filter(lookups.Q{"author__notin": named}), 5)
		expectIDs(t, ctx, "exact, one row", articles.Filter(lookups.Q{"author": authors.Filter(lookups.Q{"name": "Author 2"})}), 3)
		expectIDs(t, ctx, "in, limited", articles.Filter(lookups.Q{"id__in": articles.OrderBy("-id").Limit(2)}), 5, 6)
		expectIDs(t, ctx, "in, a field across", authors.Filter(lookups.Q{"name__in": authors.Filter(lookups.Q{"article__headline": "Article 3"}).Subquery("name")}), 2)

		// A plain goqu dataset in goqu's default dialect.
		plain := goqu.From("dj_authors").Select("id").Where(goqu.C("name").Like("Author%"))
		expectIDs(t, ctx, "in a goqu dataset", articles.Filter(lookups.Q{"author__in": plain}), 1, 2, 3)
		expectIDs(t, ctx, "notin a goqu dataset", articles.Filter(lookups.Q{"author_id__notin": plain}), 5)

		// Exists, correlated with the outer row by a column.
		written := articles.Filter(lookups.Q{"author": orm.Table[DjAuthor]().Col("id")})
		expectIDs(t, ctx, "Exists", authors.Filter(lookups.Exists(written)), 1, 2, 3)
		expectIDs(t, ctx, "NotExists", authors.Filter(lookups.NotExists(written)), 4)
		expectIDs(t, ctx, "Exclude(Exists)", authors.Exclude(lookups.Exists(written)), 4)
		expectIDs(t, ctx, "Exists in Or", authors.Filter(lookups.Or(lookups.Exists(written), lookups.Q{"name": "Lonely"})), 1, 2, 3, 4)
		expectIDs(t, ctx, "Exists of a goqu dataset", authors.Filter(lookups.Exists(goqu.From("dj_articles").Where(goqu.C("id").Eq(99)))))

		// Mistakes are errors of the outer query, naming the model.
		if _, err := articles.Filter(lookups.Q{"author__in": named.Subquery("nope")}).All(ctx); !errors.Is(err, orm.ErrBadValue) || !strings.Contains(err.Error(), `DjAuthor: bad value: Subquery: unknown field "nope"`) {
			t.Errorf("Subquery of an unknown field: %v", err)
		}
		if _, err := authors.Filter(lookups.Exists(42)).All(ctx); !errors.Is(err, lookups.ErrBadValue) || !strings.Contains(err.Error(), "Exists takes a query set or a goqu dataset, got int") {
			t.Errorf("Exists(42): %v", err)
		}
		if _, err := articles.Filter(lookups.Q{"author__in": authors.Limit(-1)}).All(ctx); !errors.Is(err, orm.ErrBadValue) {
			t.Errorf("a query set holding an error: %v", err)
		}
	}, DjAuthor{}, DjArticle{})
}

// A query set of another dialect's database cannot be a subquery.
func TestSubqueryOtherDialect(t *testing.T) {
	db := harness.Open(t, harness.SQLite)
	authors := orm.Objects[DjAuthor](db)
	sub, err := authors.Filter(lookups.Q{"id": 1}).SubqueryFor(core.Postgres)
	if sub != nil || !errors.Is(err, orm.ErrBadValue) || !strings.Contains(err.Error(), "a query set of a sqlite3 database cannot be a subquery in a postgres query") {
		t.Errorf("SubqueryFor(Postgres) on SQLite: %v, %v", sub, err)
	}
}

// ToSQL returns exactly what All sends, values bound; Explain returns the
// backend's plan.
func TestToSQLAndExplain(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		seedArticles(t, ctx, db)
		articles := orm.Objects[DjArticle](db)
		evil := "x'); DROP TABLE dj_articles; --"
		qs := articles.Filter(lookups.Q{"headline__in": []string{evil, "Article 3"}, "author__name__startswith": "Author"}).
			SelectRelated("author").OrderBy("-id").Limit(5)
		sql, args, err := qs.ToSQL()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(sql, "DROP") || !reflect.DeepEqual(args[:2], []any{evil, "Article 3"}) {
			t.Errorf("ToSQL = %s %v: the values must be bound", sql, args)
		}
		if want := db.Dialect().Placeholder(1); !strings.Contains(sql, want) {
			t.Errorf("ToSQL = %s: no %s placeholder", sql, want)
		}
		log.reset()
		got, err := qs.All(ctx)
		if err != nil || len(got) != 1 || got[0].ID != 3 || got[0].Author == nil || got[0].Author.Name == nil {
			t.Fatalf("All = %v, %v", got, err)
		}
		if sent := log.take(); len(sent) != 1 || sent[0] != sql {
			t.Errorf("All sent %q, ToSQL said %q", sent, sql)
		}
		// A QuerySet inside renders inside.
		inner, _, err := articles.Filter(lookups.Q{"author__in": orm.Objects[DjAuthor](db).Filter(lookups.Q{"name": "Lonely"})}).ToSQL()
		if err != nil || !strings.Contains(inner, "IN (SELECT") {
			t.Errorf("ToSQL with a subquery = %s, %v", inner, err)
		}
		if _, _, err := articles.Filter(lookups.Q{"nope": 1}).ToSQL(); !errors.Is(err, lookups.ErrUnknownField) {
			t.Errorf("ToSQL of a bad filter: %v", err)
		}

		plan, err := qs.Explain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "dj_articles") {
			t.Errorf("Explain does not name the table:\n%s", plan)
		}
		if _, err := articles.Filter(lookups.Q{"nope": 1}).Explain(ctx); !errors.Is(err, lookups.ErrUnknownField) {
			t.Errorf("Explain of a bad filter: %v", err)
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := qs.Explain(cancelled); !errors.Is(err, context.Canceled) {
			t.Errorf("Explain with a cancelled context: %v", err)
		}
	}, DjAuthor{}, DjArticle{})
}
