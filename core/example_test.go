package core_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/atomdb/atomdb/core"
	_ "github.com/atomdb/atomdb/core/sqlite" // the examples run on SQLite in memory
	"github.com/doug-martin/goqu/v9"
)

func openNotes(ctx context.Context) *core.Database {
	db, err := core.Open(ctx, "sqlite://:memory:")
	if err != nil {
		panic(err)
	}
	md := core.NewMetaData()
	_ = md.Add(core.NewTable("notes",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "text", Type: core.String(100)},
		&core.Column{Name: "completed", Type: core.Boolean()},
	))
	if err := md.CreateAll(ctx, db); err != nil {
		panic(err)
	}
	return db
}

func Example() {
	ctx := context.Background()
	db := openNotes(ctx)
	defer db.Close()

	_, _ = db.Execute(ctx, goqu.Insert("notes").Rows(
		goqu.Record{"text": "example1", "completed": true},
		goqu.Record{"text": "example2", "completed": false},
	))
	rows, _ := db.FetchAll(ctx, goqu.From("notes").Order(goqu.C("id").Asc()))
	for _, row := range rows {
		fmt.Println(row.Get("id"), row.Get("text"), row.Get("completed"))
	}
	// Output:
	// 1 example1 true
	// 2 example2 false
}

func ExampleDatabase_FetchVal() {
	ctx := context.Background()
	db := openNotes(ctx)
	defer db.Close()

	_, _ = db.ExecuteMany(ctx, "INSERT INTO notes(text, completed) VALUES (:text, :done)", []core.Params{
		{"text": "a", "done": true}, {"text": "b", "done": false}, {"text": "c", "done": true},
	})
	n, _ := db.FetchVal(ctx, "SELECT COUNT(*) FROM notes WHERE completed = :done", core.Params{"done": true})
	text, _ := db.FetchVal(ctx, goqu.From("notes").Select("id", "text").Where(goqu.C("id").Eq(2)), core.ColumnNamed("text"))
	none, _ := db.FetchVal(ctx, goqu.From("notes").Where(goqu.C("id").Eq(99)))
	fmt.Println(n, text, none)
	// Output: 2 b <nil>
}

func ExampleDatabase_Transaction() {
	ctx := context.Background()
	db := openNotes(ctx)
	defer db.Close()

	err := db.Transaction(ctx, func(ctx context.Context) error {
		_, _ = db.Execute(ctx, goqu.Insert("notes").Rows(goqu.Record{"text": "kept", "completed": true}))
		// A nested transaction is a savepoint: its failure undoes only its part.
		_ = db.Transaction(ctx, func(ctx context.Context) error {
			_, _ = db.Execute(ctx, goqu.Insert("notes").Rows(goqu.Record{"text": "undone", "completed": true}))
			return errors.New("undo this part")
		})
		return nil
	})
	texts, _ := db.FetchAll(ctx, goqu.From("notes").Select("text"))
	fmt.Println(err, len(texts), texts[0].Get("text"))
	// Output: <nil> 1 kept
}

func ExampleDatabase_Iterate() {
	ctx := context.Background()
	db := openNotes(ctx)
	defer db.Close()

	_, _ = db.ExecuteMany(ctx, goqu.Insert("notes"), []core.Params{
		{"text": "first", "completed": false}, {"text": "second", "completed": false},
	})
	for row, err := range db.Iterate(ctx, goqu.From("notes").Select("text").Order(goqu.C("id").Asc())) {
		if err != nil {
			panic(err)
		}
		fmt.Println(row.At(0))
	}
	// Output:
	// first
	// second
}

func ExampleParseURL() {
	u, err := core.ParseURL("postgresql://app:s%40cret@db.internal:5432/shop?max_size=20")
	if err != nil {
		panic(err)
	}
	fmt.Println(u.Dialect(), u.User, u.Password, u.Database)
	fmt.Println(u)
	// Output:
	// postgres app s@cret shop
	// postgres://app:***@db.internal:5432/shop?max_size=20
}

func ExampleError() {
	ctx := context.Background()
	db := openNotes(ctx)
	defer db.Close()

	_, _ = db.Execute(ctx, "INSERT INTO notes(id, text, completed) VALUES (1, 'a', TRUE)")
	_, err := db.Execute(ctx, "INSERT INTO notes(id, text, completed) VALUES (1, 'b', TRUE)")
	fmt.Println(errors.Is(err, core.ErrUniqueViolation), errors.Is(err, core.ErrIntegrity))
	// Output: true true
}
