package tests

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
	"github.com/atomdb/atomdb/tests/harness"
)

// The models of TestFreshModelsThroughRelations. No other test uses them,
// so that in a child process each is first met through a relation.

type FreshWriter struct {
	orm.Model `orm:"table=fresh_writers"`
	ID        int64        `db:"id"`
	Name      string       `db:"name" orm:"size=30"`
	Books     []*FreshBook `orm:"reverse=Writer"`
}

type FreshBook struct {
	orm.Model `orm:"table=fresh_books"`
	ID        int64        `db:"id"`
	Title     string       `db:"title" orm:"size=30"`
	Writer    *FreshWriter `db:"writer_id" orm:"fk,on_delete=cascade"`
	Tags      []*FreshTag  `orm:"m2m"`
}

type FreshTag struct {
	orm.Model `orm:"table=fresh_tags"`
	ID        int64        `db:"id"`
	Name      string       `db:"name" orm:"size=30"`
	Books     []*FreshBook `orm:"reverse=Tags"`
}

type FreshCard struct {
	orm.Model `orm:"table=fresh_cards"`
	ID        int64        `db:"id"`
	Number    string       `db:"number" orm:"size=30"`
	Writer    *FreshWriter `db:"writer_id" orm:"o2o,on_delete=cascade"`
}

type FreshCourse struct {
	orm.Model `orm:"table=fresh_courses"`
	ID        int64           `db:"id"`
	Name      string          `db:"name" orm:"size=30"`
	Students  []*FreshStudent `orm:"m2m,through=FreshEnrolment"`
}

type FreshStudent struct {
	orm.Model `orm:"table=fresh_students"`
	ID        int64  `db:"id"`
	Name      string `db:"name" orm:"size=30"`
}

type FreshEnrolment struct {
	orm.Model `orm:"table=fresh_enrolments"`
	ID        int64         `db:"id"`
	Course    *FreshCourse  `db:"course_id" orm:"fk,on_delete=cascade"`
	Student   *FreshStudent `db:"student_id" orm:"fk,on_delete=cascade"`
	Year      int           `db:"year"`
}

// freshCases are the ways a child process first meets a model: through a
// relation of each kind, loaded by PrefetchRelated, SelectRelated or a
// filter, before anything else in the process has used the related model.
var freshCases = map[string]func(ctx context.Context, db *core.Database) error{
	"one_to_many": func(ctx context.Context, db *core.Database) error {
		ws, err := orm.Objects[FreshWriter](db).PrefetchRelated("books").OrderBy("id").All(ctx)
		if err != nil {
			return err
		}
		if len(ws) != 2 || len(ws[0].Books) != 2 || len(ws[1].Books) != 0 || ws[0].Books[0].Writer != ws[0] {
			return fmt.Errorf("writers with books = %+v", ws)
		}
		return nil
	},
	"one_to_many_nested": func(ctx context.Context, db *core.Database) error {
		ws, err := orm.Objects[FreshWriter](db).PrefetchRelated("books__tags").OrderBy("id").All(ctx)
		if err != nil {
			return err
		}
		if len(ws) != 2 || len(ws[0].Books) != 2 || len(ws[0].Books[0].Tags) != 2 || len(ws[0].Books[1].Tags) != 1 {
			return fmt.Errorf("writers with books and tags = %+v", ws)
		}
		return nil
	},
	"many_to_one": func(ctx context.Context, db *core.Database) error {
		bs, err := orm.Objects[FreshBook](db).PrefetchRelated("writer").OrderBy("id").All(ctx)
		if err != nil {
			return err
		}
		if len(bs) != 2 || bs[0].Writer == nil || bs[0].Writer.Name != "Ann" || bs[0].Writer != bs[1].Writer {
			return fmt.Errorf("books with writers = %+v", bs)
		}
		return nil
	},
	"one_to_one": func(ctx context.Context, db *core.Database) error {
		cs, err := orm.Objects[FreshCard](db).PrefetchRelated("writer").All(ctx)
		if err != nil {
			return err
		}
		if len(cs) != 1 || cs[0].Writer == nil || cs[0].Writer.Name != "Ann" {
			return fmt.Errorf("cards with writers = %+v", cs)
		}
		return nil
	},
	"many_to_many": func(ctx context.Context, db *core.Database) error {
		ts, err := orm.Objects[FreshTag](db).PrefetchRelated("books", "books__writer").OrderBy("id").All(ctx)
		if err != nil {
			return err
		}
		if len(ts) != 2 || len(ts[0].Books) != 2 || len(ts[1].Books) != 1 || ts[0].Books[0].Writer.Name != "Ann" {
			return fmt.Errorf("tags with books = %+v", ts)
		}
		return nil
	},
	"through_model": func(ctx context.Context, db *core.Database) error {
		_ = orm.Table[FreshEnrolment]() // a through model is found by name: make it known, nothing more
		cs, err := orm.Objects[FreshCourse](db).PrefetchRelated("students").All(ctx)
		if err != nil {
			return err
		}
		if len(cs) != 1 || len(cs[0].Students) != 2 {
			return fmt.Errorf("courses with students = %+v", cs)
		}
		return nil
	},
	"select_related": func(ctx context.Context, db *core.Database) error {
		cs, err := orm.Objects[FreshCard](db).SelectRelated("writer").All(ctx)
		if err != nil {
			return err
		}
		if len(cs) != 1 || cs[0].Writer == nil || cs[0].Writer.Name != "Ann" || !orm.IsLoaded(cs[0].Writer) {
			return fmt.Errorf("cards with writers = %+v", cs)
		}
		return nil
	},
	"filter": func(ctx context.Context, db *core.Database) error {
		ws, err := orm.Objects[FreshWriter](db).Filter(lookups.Q{"books__tags__name": "red"}).All(ctx)
		if err != nil {
			return err
		}
		if len(ws) != 1 || ws[0].Name != "Ann" {
			return fmt.Errorf("writers of red books = %+v", ws)
		}
		return nil
	},
}

// Issue 9, item 0: a model met only through a relation (its metadata not
// completed by a manager of its own) must be complete before a plan follows
// the relation. Each case runs in a child process of its own, where nothing
// else has touched the models yet.
func TestFreshModelsThroughRelations(t *testing.T) {
	for _, backend := range harness.SQLBackends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			url := harness.FreshURL(t, backend)
			ctx := context.Background()
			db, err := core.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := orm.CreateTables(ctx, db, FreshWriter{}, FreshBook{}, FreshTag{}, FreshCard{},
				FreshCourse{}, FreshStudent{}, FreshEnrolment{}); err != nil {
				t.Fatal(err)
			}
			red, blue := &FreshTag{Name: "red"}, &FreshTag{Name: "blue"}
			ann := &FreshWriter{Name: "Ann"}
			s1, s2 := &FreshStudent{Name: "s1"}, &FreshStudent{Name: "s2"}
			course := &FreshCourse{Name: "c"}
			for _, err := range []error{
				orm.Objects[FreshTag](db).Save(ctx, red),
				orm.Objects[FreshTag](db).Save(ctx, blue),
				orm.Objects[FreshWriter](db).Save(ctx, ann),
				orm.Objects[FreshWriter](db).Save(ctx, &FreshWriter{Name: "Bob"}),
				orm.Objects[FreshBook](db).Save(ctx, &FreshBook{Title: "B1", Writer: ann, Tags: []*FreshTag{red, blue}}),
				orm.Objects[FreshBook](db).Save(ctx, &FreshBook{Title: "B2", Writer: ann, Tags: []*FreshTag{red}}),
				orm.Objects[FreshCard](db).Save(ctx, &FreshCard{Number: "1", Writer: ann}),
				orm.Objects[FreshStudent](db).Save(ctx, s1),
				orm.Objects[FreshStudent](db).Save(ctx, s2),
				orm.Objects[FreshCourse](db).Save(ctx, course),
				orm.Objects[FreshEnrolment](db).Save(ctx, &FreshEnrolment{Course: course, Student: s1}),
				orm.Objects[FreshEnrolment](db).Save(ctx, &FreshEnrolment{Course: course, Student: s2}),
			} {
				if err != nil {
					t.Fatal(err)
				}
			}
			names := make([]string, 0, len(freshCases))
			for name := range freshCases {
				names = append(names, name)
			}
			slices.Sort(names)
			for _, name := range names {
				t.Run(name, func(t *testing.T) {
					cmd := exec.Command(os.Args[0], "-test.run", "^TestFreshModelsChild$", "-test.count=1", "-test.timeout=30s")
					cmd.Env = append(os.Environ(), "ATOMDB_FRESH_CASE="+name, "ATOMDB_FRESH_URL="+url)
					if out, err := cmd.CombinedOutput(); err != nil {
						t.Fatalf("child process: %v\n%s", err, out)
					}
				})
			}
		})
	}
}

// TestFreshModelsChild is the child process of
// TestFreshModelsThroughRelations; on its own it does nothing.
func TestFreshModelsChild(t *testing.T) {
	name := os.Getenv("ATOMDB_FRESH_CASE")
	if name == "" {
		t.Skip("run as a child process by TestFreshModelsThroughRelations")
	}
	ctx := context.Background()
	db, err := core.Open(ctx, os.Getenv("ATOMDB_FRESH_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := freshCases[name](ctx, db); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
