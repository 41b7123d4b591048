// A MySQL-only service: core, the orm and the MySQL backend. It
// must build with CGO_ENABLED=0 and link neither go-sqlite3 nor pgx.
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/atomdb/atomdb/core"
	_ "github.com/atomdb/atomdb/core/mysql"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/orm"
)

type Note struct {
	ID   int64  `db:"id"`
	Text string `db:"text" orm:"size=100"`
}

func main() {
	ctx := context.Background()
	db, err := core.Open(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	n, err := orm.Objects[Note](db).Filter(lookups.Q{"text__icontains": "go"}).Count(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n)
}
