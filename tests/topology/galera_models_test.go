package topology

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
)

type Shelf struct {
	orm.Model `orm:"table=shelves"`
	ID        int64   `db:"id"`
	Name      string  `db:"name" orm:"size=50,unique"`
	Books     []*Book `orm:"reverse=Shelf"`
}

type Book struct {
	orm.Model `orm:"table=books"`
	ID        int64  `db:"id"`
	Title     string `db:"title" orm:"size=50"`
	Shelf     *Shelf `db:"shelf_id" orm:"fk,on_delete=cascade"`
	Labels    []*Tag `orm:"m2m"`
	Copies    int    `db:"copies"`
}

type Tag struct {
	orm.Model `orm:"table=tags"`
	ID        int64  `db:"id"`
	Name      string `db:"name" orm:"size=20"`
}

// testModels creates the tables of models with a foreign key and a
// many-to-many relation (its join table included) on a cluster that
// refuses a table without a primary key, and writes through them.
func testModels(t *testing.T, db *core.Database) {
	ctx := context.Background()
	if err := orm.CreateTables(ctx, db, Shelf{}, Book{}, Tag{}); err != nil {
		t.Fatalf("CreateTables on Galera: %v", err)
	}
	err := db.Transaction(ctx, func(ctx context.Context) error {
		s, err := orm.Objects[Shelf](db).Create(ctx, &Shelf{Name: "fiction"})
		if err != nil {
			return err
		}
		tag, err := orm.Objects[Tag](db).Create(ctx, &Tag{Name: "classic"})
		if err != nil {
			return err
		}
		_, err = orm.Objects[Book](db).Create(ctx, &Book{Title: "Emma", Shelf: s, Labels: []*Tag{tag}, Copies: 1})
		return err
	}, core.Retry(5, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	b, err := orm.Objects[Book](db).PrefetchRelated("labels").Get(ctx, lookups.Q{"title": "Emma"})
	if err != nil || len(b.Labels) != 1 {
		t.Fatalf("read back: %v, %v", b, err)
	}
	if err := orm.Objects[Book](db).Delete(ctx, b); err != nil && !errors.Is(err, orm.ErrDoesNotExist) {
		t.Fatal(err)
	}
}
