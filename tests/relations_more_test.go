package tests

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
	"github.com/google/uuid"
)

func TestValuesAcrossRelations(t *testing.T) {
	eachRel(t, func(t *testing.T, ctx context.Context, db *core.Database, l *library, log *queryLog) {
		rows, err := orm.Objects[Record](db).OrderBy("id").Values(ctx, "name", "tracks__title", "artist__name", "producer")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, fmt.Sprintf("%v/%v/%v/%v", r["name"], r["tracks__title"], r["artist__name"], r["producer"]))
		}
		// One row per cut (a record without cuts gets one row with nil), in
		// record order; the cuts of one record in any order.
		joined := strings.Join(got, " ")
		for _, want := range []string{"Surf/intro/Ann/" + fmt.Sprint(l.bob.ID), "Surf/outro/Ann/", "Waves/wave/Ann/<nil>", "Noise/<nil>/Bob/<nil>"} {
			if !strings.Contains(joined, want) {
				t.Errorf("Values = %s; missing %s", joined, want)
			}
		}
		if len(rows) != 5 {
			t.Errorf("%d rows, want 5", len(rows))
		}
		flat, err := orm.Objects[Genre](db).Filter(lookups.Q{"name": "rock"}).ValuesListFlat(ctx, "records__name")
		if err != nil || len(flat) != 2 {
			t.Errorf("m2m values = %v, %v", flat, err)
		}
		if _, err := orm.Objects[Record](db).Values(ctx, "nope__name"); !errors.Is(err, orm.ErrBadValue) {
			t.Errorf("Values(nope__name) = %v", err)
		}
	})
}

func TestSavingRelationLists(t *testing.T) {
	eachRel(t, func(t *testing.T, ctx context.Context, db *core.Database, l *library, log *queryLog) {
		records, genres := orm.Objects[Record](db), orm.Objects[Genre](db)
		surf, err := records.PrefetchRelated("tracks", "genres").Get(ctx, lookups.Q{"name": "Surf"})
		if err != nil {
			t.Fatal(err)
		}
		// Unchanged lists cost nothing.
		log.reset()
		if err := records.Save(ctx, surf); err != nil {
			t.Fatal(err)
		}
		if sqls := log.take(); len(sqls) != 0 {
			t.Errorf("saving an unchanged record sent %q", sqls)
		}
		// Many-to-many: drop rock, keep pop, add a new genre.
		jazz, _ := genres.Create(ctx, &Genre{Name: "jazz"})
		surf.Genres = []*Genre{surf.Genres[1], jazz}
		// One-to-many: drop the outro, keep two, add a new cut.
		surf.Tracks = []*Cut{surf.Tracks[0], surf.Tracks[1], {Title: "bonus", Position: 4}}
		if err := records.Save(ctx, surf); err != nil {
			t.Fatal(err)
		}
		fresh, err := records.PrefetchRelated("tracks", "genres").Get(orm.WithScope(ctx), lookups.Q{"name": "Surf"})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, g := range fresh.Genres {
			names = append(names, g.Name)
		}
		var titles []string
		for _, c := range fresh.Tracks {
			titles = append(titles, c.Title)
		}
		if fmt.Sprint(names) != "[pop jazz]" || fmt.Sprint(titles) != "[intro surf song bonus]" {
			t.Errorf("after save: genres %v, tracks %v", names, titles)
		}
		if n, _ := orm.Objects[Cut](db).Filter(lookups.Q{"title": "outro"}).Count(ctx); n != 0 {
			t.Error("the cut that left the list is still there (its key is required, so it is deleted)")
		}
		// The reverse side of the many-to-many saves the same table.
		rock, _ := genres.Get(ctx, lookups.Q{"name": "rock"})
		if err := genres.LoadRelated(ctx, rock, "records"); err != nil {
			t.Fatal(err)
		}
		if len(rock.Records) != 1 || rock.Records[0].Name != "Noise" {
			t.Errorf("rock has %v", rock.Records)
		}
		rock.Records = append(rock.Records, l.waves)
		if err := genres.Save(ctx, rock); err != nil {
			t.Fatal(err)
		}
		if n, _ := records.Filter(lookups.Q{"genres__name": "rock"}).Count(ctx); n != 2 {
			t.Errorf("records in rock = %d, want 2", n)
		}
		// Clearing a list with a nullable key unlinks instead of deleting.
		ann, _ := orm.Objects[Artist](db).Get(ctx, lookups.Q{"name": "Ann"})
		comments := orm.Objects[Comment](db)
		root, _ := comments.Create(ctx, &Comment{Text: "root", Replies: []*Comment{{Text: "r1"}, {Text: "r2"}}})
		if n, _ := comments.Filter(lookups.Q{"reply_to": root}).Count(ctx); n != 2 {
			t.Fatalf("replies created with the root: %d", n)
		}
		root.Replies = []*Comment{}
		if err := comments.Save(ctx, root); err != nil {
			t.Fatal(err)
		}
		if n, _ := comments.Count(ctx); n != 3 {
			t.Errorf("comments after clearing the replies = %d, want 3 (unlinked, not deleted)", n)
		}
		// An unsaved object in a many-to-many list is an error, and the
		// transaction leaves nothing behind.
		ann.Fans = []*Listener{{Name: "unsaved"}}
		if err := orm.Objects[Artist](db).Save(ctx, ann); !errors.Is(err, orm.ErrBadValue) {
			t.Errorf("unsaved fan = %v", err)
		}
	})
}

// Keys of other types: string and UUID primary keys, and the errors of
// relations that cannot be.
type Country struct {
	Code string `db:"code" orm:"pk,size=2"`
	Name string `db:"name" orm:"size=40"`
}

type City struct {
	ID      uuid.UUID `db:"id" orm:"pk"`
	Name    string    `db:"name" orm:"size=40"`
	Country *Country  `db:"country_code" orm:"fk,on_delete=cascade"`
}

type Visitor struct {
	ID   int64 `db:"id"`
	Home *City `db:"home_id" orm:"fk,null,on_delete=set_null"`
}

type notAModel struct{ X chan int }

type badTarget struct {
	ID    int64
	Thing *notAModel `orm:"fk"`
}

type badReverse struct {
	ID    int64
	Songs []*Song `orm:"reverse=Album"`
}

func TestRelationsWithStringAndUUIDKeys(t *testing.T) {
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		fr, err := orm.Objects[Country](db).Create(ctx, &Country{Code: "FR", Name: "France"})
		if err != nil {
			t.Fatal(err)
		}
		paris, err := orm.Objects[City](db).Create(ctx, &City{ID: uuid.New(), Name: "Paris", Country: fr})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := orm.Objects[Visitor](db).Create(ctx, &Visitor{Home: paris}); err != nil {
			t.Fatal(err)
		}
		scope := orm.WithScope(ctx)
		v, err := orm.Objects[Visitor](db).SelectRelated("home", "home__country").Get(scope, lookups.Q{"home__country__code": "FR"})
		if err != nil || v.Home == nil || v.Home.ID != paris.ID || v.Home.Country.Name != "France" {
			t.Fatalf("visitor = %+v, %v", v, err)
		}
		cities, err := orm.Objects[City](db).PrefetchRelated("country").Filter(lookups.Q{"country": fr}).All(scope)
		if err != nil || len(cities) != 1 || cities[0] != v.Home {
			t.Errorf("cities = %v, %v", cities, err)
		}
	}, Country{}, City{}, Visitor{})
	for _, c := range []struct {
		err    error
		models []string
	}{
		{orm.Register(badTarget{}), []string{"badTarget", "notAModel"}},
		{orm.Register(badReverse{}), []string{"badReverse", "Song"}},
	} {
		for _, m := range c.models {
			if !errors.Is(c.err, orm.ErrInvalidModel) || !strings.Contains(fmt.Sprint(c.err), m) {
				t.Errorf("%v: want an invalid-model error naming %s", c.err, m)
			}
		}
	}
}

// A many-to-many through a model of one's own, with a column of its own.
// Course embeds Model: a list is synced whole (links removed) only when the
// object knows it was loaded or saved whole.
type Course struct {
	orm.Model
	ID       int64      `db:"id"`
	Name     string     `db:"name" orm:"size=30"`
	Students []*Student `orm:"m2m,through=Enrolment"`
}

type Student struct {
	ID      int64     `db:"id"`
	Name    string    `db:"name" orm:"size=30"`
	Courses []*Course `orm:"reverse=Students"`
}

type Enrolment struct {
	ID      int64    `db:"id"`
	Course  *Course  `db:"course_id" orm:"fk,on_delete=cascade"`
	Student *Student `db:"student_id" orm:"fk,on_delete=cascade"`
	Grade   int      `db:"grade" orm:"default=0"`
}

func TestManyToManyThroughAModel(t *testing.T) {
	if err := orm.Register(Enrolment{}); err != nil {
		t.Fatal(err)
	}
	eachORM(t, func(t *testing.T, db *core.Database, log *queryLog) {
		ctx := context.Background()
		students := orm.Objects[Student](db)
		ann, _ := students.Create(ctx, &Student{Name: "Ann"})
		bob, _ := students.Create(ctx, &Student{Name: "Bob"})
		maths, err := orm.Objects[Course](db).Create(ctx, &Course{Name: "maths", Students: []*Student{ann, bob}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := orm.Objects[Enrolment](db).Filter(lookups.Q{"student": bob}).Update(ctx, map[string]any{"grade": 5}); err != nil {
			t.Fatal(err)
		}
		scope := orm.WithScope(ctx)
		got, err := students.PrefetchRelated("courses").Filter(lookups.Q{"courses__name": "maths"}).OrderBy("name").All(scope)
		if err != nil || len(got) != 2 || len(got[0].Courses) != 1 || got[0].Courses[0] != got[1].Courses[0] {
			t.Fatalf("students = %v, %v", got, err)
		}
		if n, _ := orm.Objects[Course](db).Filter(lookups.Q{"students__name": "Bob"}).Count(ctx); n != 1 {
			t.Errorf("courses of Bob = %d", n)
		}
		maths.Students = []*Student{ann}
		if err := orm.Objects[Course](db).Save(ctx, maths); err != nil {
			t.Fatal(err)
		}
		if n, _ := orm.Objects[Enrolment](db).Count(ctx); n != 1 {
			t.Errorf("enrolments after removing Bob = %d", n)
		}
	}, Course{}, Student{}, Enrolment{})
}
