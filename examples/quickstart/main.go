// Command quickstart walks through atomdb's core on an in-memory SQLite
// database: nothing to install, nothing left behind.
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
	"github.com/doug-martin/goqu/v9"
)

func main() {
	url := "sqlite://:memory:"
	if len(os.Args) > 1 {
		url = os.Args[1]
	}
	if err := run(context.Background(), url); err != nil {
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
