// Command quickstart walks through atomdb on an in-memory SQLite database,
// nothing to install and nothing left behind: core's statements and
// transactions first, then models with a foreign key, SelectRelated,
// PrefetchRelated, and a hand-written goqu join restored into models.
//
//	go run ./examples/quickstart
//
// Give it another database URL to run the same steps there:
//
//	go run ./examples/quickstart postgres://postgres@127.0.0.1:5432/test
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/atomdb/atomdb/core"
	_ "github.com/atomdb/atomdb/core/sqlite" // registers sqlite:// URLs
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
	"github.com/doug-martin/goqu/v9"
)

// Album and Track are models: plain structs. Track.Album is a foreign key;
// Album.Tracks is its other side, filled on request.
type Album struct {
	orm.Model `orm:"table=albums"`
	ID        int64    `db:"id"`
	Name      string   `db:"name" orm:"size=100,unique"`
	Tracks    []*Track `orm:"reverse=Album"`
}

type Track struct {
	orm.Model `orm:"table=tracks"`
	ID        int64  `db:"id"`
	Album     *Album `db:"album_id" orm:"fk,on_delete=cascade"`
	Title     string `db:"title" orm:"size=100,index"`
	Position  int    `db:"position"`
}

func main() {
	url := "sqlite://:memory:"
	if len(os.Args) > 1 {
		url = os.Args[1]
	}
	ctx := context.Background()
	if err := run(ctx, url); err != nil {
		log.Fatal(err)
	}
	if err := models(ctx, url); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, url string) error {
	db, err := core.Open(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Println("connected to", db) // the password, if any, is masked

	// Tables are declared once, SQLAlchemy-Core style, and created in the
	// database's own dialect.
	md := core.NewMetaData()
	notes := core.NewTable("notes",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "text", Type: core.String(100)},
		&core.Column{Name: "completed", Type: core.Boolean(), Default: false},
	)
	if err := md.Add(notes); err != nil {
		return err
	}
	// Drop first so the example can run twice against a server database.
	if err := md.DropAll(ctx, db, core.IfExists()); err != nil {
		return err
	}
	if err := md.CreateAll(ctx, db); err != nil {
		return err
	}
	fmt.Println("created table notes")

	// Insert with a goqu dataset: values are always bound parameters.
	res, err := db.Execute(ctx, goqu.Insert("notes").Rows(goqu.Record{"text": "buy milk", "completed": false}))
	if err != nil {
		return err
	}
	fmt.Println("inserted 1 row, rows affected:", res.RowsAffected)

	// Or with raw SQL and :name parameters, many at once (all or nothing).
	n, err := db.ExecuteMany(ctx, "INSERT INTO notes(text, completed) VALUES (:text, :completed)", []core.Params{
		{"text": "write docs", "completed": true},
		{"text": "ship it", "completed": false},
	})
	if err != nil {
		return err
	}
	fmt.Println("inserted", n, "more rows")

	// Read them back.
	rows, err := db.FetchAll(ctx, goqu.From("notes").Order(goqu.C("id").Asc()))
	if err != nil {
		return err
	}
	fmt.Println("read back", len(rows), "rows:")
	for _, row := range rows {
		fmt.Printf("  #%d %-10s completed=%v\n", row.Get("id"), row.Get("text"), row.Get("completed"))
	}

	open, err := db.FetchVal(ctx, "SELECT COUNT(*) FROM notes WHERE completed = :done", core.Params{"done": false})
	if err != nil {
		return err
	}
	fmt.Println("open notes:", open)

	// A transaction is carried by the context; an error rolls it back.
	err = db.Transaction(ctx, func(ctx context.Context) error {
		if _, err := db.Execute(ctx, goqu.Delete("notes")); err != nil {
			return err
		}
		return errors.New("changed my mind")
	})
	fmt.Println("transaction:", err)
	total, err := db.FetchVal(ctx, goqu.From("notes").Select(goqu.COUNT("*")))
	if err != nil {
		return err
	}
	fmt.Println("rows after the rollback:", total)

	// Stream rows without loading them all.
	fmt.Print("iterating:")
	for row, err := range db.Iterate(ctx, goqu.From("notes").Select("text").Order(goqu.C("id").Desc())) {
		if err != nil {
			return err
		}
		fmt.Printf(" %q", row.At(0))
	}
	fmt.Println()

	// Constraint violations are classified, whatever the backend.
	_, err = db.Execute(ctx, goqu.Insert("notes").Rows(goqu.Record{"id": 1, "text": "again"}))
	fmt.Println("duplicate id is a unique violation:", errors.Is(err, core.ErrUniqueViolation))
	return md.DropAll(ctx, db)
}

// models shows the object mapper on the same kind of database.
func models(ctx context.Context, url string) error {
	var queries int
	db, err := core.Open(ctx, url, core.WithQueryHook(func(context.Context, core.QueryEvent) { queries++ }))
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Println("\n-- models --")
	if err := orm.DropTables(ctx, db, Album{}, Track{}); err != nil {
		return err
	}
	if err := orm.CreateTables(ctx, db, Album{}, Track{}); err != nil {
		return err
	}
	albums, tracks := orm.Objects[Album](db), orm.Objects[Track](db)
	malibu, err := albums.Create(ctx, &Album{Name: "Malibu"})
	if err != nil {
		return err
	}
	surf, err := albums.Create(ctx, &Album{Name: "Surf City", Tracks: []*Track{ // saved with the album
		{Title: "Waves", Position: 1}, {Title: "100% Sun", Position: 2},
	}})
	if err != nil {
		return err
	}
	err = tracks.BulkCreate(ctx, []*Track{
		{Album: malibu, Title: "The Bird", Position: 1},
		{Album: malibu, Title: "Hang Ten", Position: 2},
		{Album: malibu, Title: "Dune", Position: 3},
	})
	if err != nil {
		return err
	}
	fmt.Printf("created albums %q and %q with 5 tracks\n", malibu.Name, surf.Name)

	// Lookups: % is matched literally, iexact ignores case.
	t, err := tracks.Get(ctx, lookups.Q{"title__contains": "%", "album__name__iexact": "surf city"})
	if err != nil {
		return err
	}
	fmt.Printf("track with a %% in its title: %q, album #%d\n", t.Title, t.Album.ID)

	// SelectRelated: one query with a JOIN.
	queries = 0
	ctx = orm.WithScope(ctx) // a unit of work: one object per row across the calls below
	list, err := tracks.SelectRelated("album").Filter(lookups.Q{"position__lte": 2}).OrderBy("-position", "title").All(ctx)
	if err != nil {
		return err
	}
	for _, t := range list {
		fmt.Printf("  %d. %-9s on %s\n", t.Position, t.Title, t.Album.Name)
	}
	fmt.Printf("SelectRelated: %d tracks with their albums in %d query\n", len(list), queries)

	// PrefetchRelated: one more query for all the tracks of all the albums.
	queries = 0
	all, err := albums.PrefetchRelated("tracks").OrderBy("name").All(ctx)
	if err != nil {
		return err
	}
	for _, a := range all {
		fmt.Printf("  %s: %d tracks, each pointing back at this very album: %v\n", a.Name, len(a.Tracks), a.Tracks[0].Album == a)
	}
	fmt.Printf("PrefetchRelated: %d albums and their tracks in %d queries\n", len(all), queries)

	// Any goqu query, then models back from its rows.
	q := goqu.From(orm.Table[Track]()).
		Join(orm.Table[Album](), goqu.On(orm.Table[Album]().Col("id").Eq(orm.Table[Track]().Col("album_id")))).
		Select(orm.Columns[Track](), orm.Columns[Album]()).
		Where(orm.Table[Track]().Col("position").Eq(3))
	rows, err := db.FetchAll(ctx, q)
	if err != nil {
		return err
	}
	for _, row := range rows {
		t, err := tracks.Restore(ctx, row)
		if err != nil {
			return err
		}
		a, err := albums.Restore(ctx, row)
		if err != nil {
			return err
		}
		fmt.Printf("restored from a raw join: %q on %q (the same album object: %v)\n", t.Title, a.Name, t.Album == a)
	}
	return orm.DropTables(ctx, db, Album{}, Track{})
}
