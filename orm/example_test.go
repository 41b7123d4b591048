package orm_test

import (
	"context"
	"fmt"

	"github.com/atomdb/atomdb/core"
	_ "github.com/atomdb/atomdb/core/sqlite" // the examples run on SQLite in memory
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
)

type Track struct {
	orm.Model `orm:"table=tracks"`
	ID        int64  `db:"id"`
	Title     string `db:"title" orm:"size=100,index"`
	Position  int    `db:"position"`
}

func Example() {
	ctx := context.Background()
	db, _ := core.Open(ctx, "sqlite://:memory:")
	defer db.Close()
	_ = orm.CreateTables(ctx, db, Track{})

	tracks := orm.Objects[Track](db)
	_ = tracks.BulkCreate(ctx, []*Track{
		{Title: "Surfin'", Position: 1},
		{Title: "100% Pure", Position: 2},
		{Title: "Wipe Out", Position: 3},
	})
	t, _ := tracks.Get(ctx, lookups.Q{"title__contains": "%"}) // % is matched literally
	fmt.Println(t.ID, t.Title)

	t.Position = 9
	_ = tracks.Save(ctx, t) // writes only position

	later, _ := tracks.Filter(lookups.Or(lookups.Q{"position__lt": 2}, lookups.Q{"position__gt": 5})).OrderBy("-position").All(ctx)
	for _, t := range later {
		fmt.Println(t.Position, t.Title)
	}
	// Output:
	// 2 100% Pure
	// 9 100% Pure
	// 1 Surfin'
}

func ExampleManager_GetOrCreate() {
	ctx := context.Background()
	db, _ := core.Open(ctx, "sqlite://:memory:")
	defer db.Close()
	tracks := orm.Objects[Track](db)
	_ = tracks.CreateTable(ctx)

	t, created, _ := tracks.GetOrCreate(ctx, lookups.Q{"title": "Surfin'"}, map[string]any{"position": 1})
	fmt.Println(t.ID, created)
	t, created, _ = tracks.GetOrCreate(ctx, lookups.Q{"title": "Surfin'"}, map[string]any{"position": 5})
	fmt.Println(t.ID, t.Position, created)
	// Output:
	// 1 true
	// 1 1 false
}

func ExampleQuerySet_Aggregate() {
	ctx := context.Background()
	db, _ := core.Open(ctx, "sqlite://:memory:")
	defer db.Close()
	tracks := orm.Objects[Track](db)
	_ = tracks.CreateTable(ctx)
	_ = tracks.BulkCreate(ctx, []*Track{{Title: "a", Position: 1}, {Title: "b", Position: 2}, {Title: "c", Position: 6}})

	agg, _ := tracks.Aggregate(ctx, orm.Count("*"), orm.Avg("position"), orm.Max("position").As("last"))
	fmt.Println(agg["*__count"], agg["position__avg"], agg["last"])
	// Output: 3 3 6
}

func ExampleWithScope() {
	ctx := context.Background()
	db, _ := core.Open(ctx, "sqlite://:memory:")
	defer db.Close()
	tracks := orm.Objects[Track](db)
	_ = tracks.CreateTable(ctx)
	_, _ = tracks.Create(ctx, &Track{Title: "Surfin'", Position: 1})

	a, _ := tracks.Get(ctx, lookups.Q{"pk": 1})
	b, _ := tracks.Get(ctx, lookups.Q{"pk": 1})
	fmt.Println("without a scope, one object per call:", a != b)

	ctx = orm.WithScope(ctx)
	a, _ = tracks.Get(ctx, lookups.Q{"pk": 1})
	a.Title = "Surfin' Safari" // not saved yet
	_, _ = tracks.Filter(lookups.Q{"pk": 1}).Update(ctx, map[string]any{"position": 2})
	b, _ = tracks.Get(ctx, lookups.Q{"pk": 1})
	fmt.Println("in a scope, one object:", a == b)
	fmt.Println(b.Position, b.Title) // the row's position, the unsaved title
	// Output:
	// without a scope, one object per call: true
	// in a scope, one object: true
	// 2 Surfin' Safari
}

func ExampleQuerySet_ToSQL() {
	ctx := context.Background()
	db, _ := core.Open(ctx, "sqlite://:memory:")
	defer db.Close()
	tracks := orm.Objects[Track](db)

	firsts := tracks.Filter(lookups.Q{"position": 1})
	sql, args, err := tracks.Filter(lookups.Q{"title__in": firsts.Subquery("title")}).OrderBy("-position").Limit(5).ToSQL()
	fmt.Println(sql)
	fmt.Println(args, err)
	// Output:
	// SELECT `tracks`.`id`, `tracks`.`title`, `tracks`.`position` FROM `tracks` WHERE (`tracks`.`title` IN (SELECT `tracks`.`title` FROM `tracks` WHERE (`tracks`.`position` = ?))) ORDER BY `tracks`.`position` DESC LIMIT ?
	// [1 5] <nil>
}
