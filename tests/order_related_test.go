package tests

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
)

// recordNames lists the records' names, or the error.
func recordNames(recs []*Record, err error) string {
	if err != nil {
		return err.Error()
	}
	names := make([]string, len(recs))
	for i, r := range recs {
		names[i] = r.Name
	}
	return strings.Join(names, ",")
}

// OrderBy follows foreign keys, as Django's order_by does: a JOIN per
// relation, LEFT for a nullable one so that rows without a related row stay.
func TestOrderByAcrossRelations(t *testing.T) {
	eachRel(t, func(t *testing.T, ctx context.Context, db *core.Database, l *library, log *queryLog) {
		records, cuts := orm.Objects[Record](db), orm.Objects[Cut](db)
		got, err := cuts.OrderBy("record__name", "-position").All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, c := range got {
			titles = append(titles, c.Title)
		}
		if s := strings.Join(titles, ","); s != "outro,surf song,intro,wave" {
			t.Errorf("cuts by record name, then position down: %s", s)
		}
		if s := recordNames(records.OrderBy("-artist__name", "name").All(ctx)); s != "Noise,Surf,Waves" {
			t.Errorf("records by artist name down: %s", s)
		}
		// Two levels: the label of the artist (Ann's is Sun, Bob has none).
		if s := recordNames(records.OrderBy("-artist__label__name", "-name").Filter(lookups.Q{"artist__label__isnull": false}).All(ctx)); s != "Waves,Surf" {
			t.Errorf("records by the artist's label: %s", s)
		}
		// A nullable foreign key: the records without a producer stay.
		if s := recordNames(records.OrderBy("producer__name", "name").All(ctx)); len(strings.Split(s, ",")) != 3 ||
			!strings.Contains(s, "Noise") || !strings.Contains(s, "Waves") || strings.Index(s, "Noise") > strings.Index(s, "Waves") {
			t.Errorf("records by producer name (two have none): %s", s)
		}
		if s := recordNames(records.OrderBy("producer__label__name", "name").All(ctx)); s != "Noise,Surf,Waves" {
			t.Errorf("records by the producer's label, none has one: %s", s)
		}
		log.take()
		if n, err := records.OrderBy("producer__name").Count(ctx); err != nil || n != 3 {
			t.Errorf("Count ordered across a nullable relation: %d, %v", n, err)
		}
		// Two foreign keys to one table: each its own alias. Echo is Bob's,
		// produced by Ann; Surf is Ann's, produced by Bob.
		echo, err := records.Create(ctx, &Record{Name: "Echo", Artist: l.bob, Producer: l.ann})
		if err != nil {
			t.Fatal(err)
		}
		produced := records.Filter(lookups.Q{"producer__isnull": false})
		if s := recordNames(produced.OrderBy("artist__name", "producer__name").All(ctx)); s != "Surf,Echo" {
			t.Errorf("by artist then producer: %s", s)
		}
		if s := recordNames(produced.OrderBy("producer__name", "artist__name").All(ctx)); s != "Echo,Surf" {
			t.Errorf("by producer then artist: %s", s)
		}
		log.take()
		// With SelectRelated, the ordering uses the same joins.
		loaded, err := produced.SelectRelated("producer", "artist").OrderBy("-producer__name").All(ctx)
		if s := recordNames(loaded, err); s != "Surf,Echo" {
			t.Fatalf("SelectRelated, by producer down: %s", s)
		}
		if sqls := log.take(); len(sqls) != 1 || strings.Count(sqls[0], "JOIN") != 2 {
			t.Errorf("SelectRelated with an ordering on a selected relation: %q", sqls)
		}
		if loaded[1] != echo && (loaded[1].ID != echo.ID || loaded[1].Producer.Name != "Ann" || loaded[1].Artist.Name != "Bob") {
			t.Errorf("Echo loaded as %+v", loaded[1])
		}
		last, err := produced.OrderBy("producer__name").Last(ctx)
		if err != nil || last.Name != "Surf" {
			t.Errorf("Last by producer name: %v, %v", last, err)
		}
		vals, err := produced.OrderBy("-artist__name").ValuesListFlat(ctx, "producer__name")
		if err != nil || len(vals) != 2 || vals[0] != "Ann" || vals[1] != "Bob" {
			t.Errorf("Values ordered across a relation: %v, %v", vals, err)
		}
		// The foreign key itself orders by its column, with no join.
		log.take()
		if s := recordNames(records.OrderBy("-artist", "name").All(ctx)); s != "Echo,Noise,Surf,Waves" {
			t.Errorf("by the foreign key: %s", s)
		}
		if sqls := log.take(); len(sqls) != 1 || strings.Contains(sqls[0], "JOIN") {
			t.Errorf("ordering by a foreign key joined: %q", sqls)
		}
		// A locking read ordered across a nullable relation (or selecting
		// one): PostgreSQL locks the records' own rows.
		err = db.Transaction(ctx, func(ctx context.Context) error {
			locked, err := records.ForUpdate().OrderBy("producer__name", "name").All(ctx)
			if err == nil && len(locked) != 4 {
				t.Errorf("ForUpdate ordered across a nullable relation: %d records", len(locked))
			}
			if err == nil {
				_, err = records.ForUpdate().SelectRelated("producer").All(ctx)
			}
			return err
		})
		if err != nil {
			t.Errorf("locking read across a nullable relation: %v", err)
		}
		for _, bad := range [][]string{{"tracks__title"}, {"artist__nope"}, {"genres"}, {"artist__albums__name"}, {"name__x"}} {
			if _, err := records.OrderBy(bad...).All(ctx); !errors.Is(err, orm.ErrBadValue) {
				t.Errorf("OrderBy(%q) = %v, want ErrBadValue", bad, err)
			}
		}
		if _, err := records.Distinct().OrderBy("artist__name").All(ctx); !errors.Is(err, orm.ErrBadValue) {
			t.Errorf("Distinct with an ordering across a relation = %v", err)
		}
	})
}
