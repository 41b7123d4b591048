// Command migrations shows atomdb's migration workflow on SQLite, nothing
// to install. Run without arguments, it walks through the whole loop in a
// temporary directory: make the first migration from the models, apply it,
// change a model (a field renamed with renamed_from=, a new field), make
// and apply the next one, show the status, undo and redo it, and check
// that models, history and database agree.
//
//	go run ./examples/migrations
//
// It is also the shape of a real program: the migrate sub-commands run
// from your own main, where the models are.
//
//	go run ./examples/migrations migrate make add_albums -dir ./migrations
//	go run ./examples/migrations migrate up
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/atomdb/atomdb/core"
	_ "github.com/atomdb/atomdb/core/all" // DATABASE_URL may name any backend
	"github.com/atomdb/atomdb/migrate"
	"github.com/atomdb/atomdb/orm"
)

// Album is the model as first written.
type Album struct {
	orm.Model `orm:"table=albums"`
	ID        int64  `db:"id"`
	Name      string `db:"name" orm:"size=100,unique"`
}

// AlbumV2 is the same model after an edit: Name became Title (declared
// with renamed_from, so the column is renamed, never dropped), and a
// nullable Year was added. In a real program you edit Album itself; two
// types let this example show both states.
type AlbumV2 struct {
	orm.Model `orm:"table=albums"`
	ID        int64  `db:"id"`
	Title     string `db:"title" orm:"size=100,unique,renamed_from=name"`
	Year      *int32 `db:"year"`
}

func metaData(models ...any) (*core.MetaData, error) {
	r := orm.NewRegistry()
	if err := r.Register(models...); err != nil {
		return nil, err
	}
	return r.MetaData()
}

func main() {
	ctx := context.Background()
	if len(os.Args) > 2 && os.Args[1] == "migrate" {
		// A real program: database URL from the environment, migrations
		// in ./migrations (or embedded with go:embed and migrate.FromFS).
		url := os.Getenv("DATABASE_URL")
		if url == "" {
			url = "sqlite:///app.db"
		}
		db, err := core.Open(ctx, url)
		if err != nil {
			log.Fatal(err)
		}
		defer db.Close()
		md, err := metaData(AlbumV2{})
		if err != nil {
			log.Fatal(err)
		}
		os.Exit(migrate.Command(md, db).Main(ctx, os.Args[2:]))
	}
	if err := demo(ctx, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// demo runs the whole loop in a temporary directory, printing what each
// sub-command prints.
func demo(ctx context.Context, out io.Writer) error {
	tmp, err := os.MkdirTemp("", "atomdb-migrations")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "migrations")
	db, err := core.Open(ctx, "sqlite:///"+filepath.Join(tmp, "app.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	v1, err := metaData(Album{})
	if err != nil {
		return err
	}
	v2, err := metaData(AlbumV2{})
	if err != nil {
		return err
	}
	run := func(md *core.MetaData, args ...string) error {
		fmt.Fprintf(out, "\n$ migrate %s\n", strings.Join(args, " "))
		return migrate.Command(md, db, migrate.InDir(dir), migrate.WithIO(os.Stdin, out, out)).Run(ctx, args)
	}
	steps := []struct {
		md   *core.MetaData
		args []string
	}{
		{v1, []string{"make", "create_albums"}},
		{v1, []string{"up"}},
		{v2, []string{"check"}}, // the models changed: check fails until make
		{v2, []string{"make", "album_title_year"}},
		{v2, []string{"sql"}},
		{v2, []string{"up"}},
		{v2, []string{"status"}},
		{v2, []string{"down", "1"}},
		{v2, []string{"up"}},
		{v2, []string{"check"}},
	}
	for i, st := range steps {
		if i == 2 {
			if _, err := db.Execute(ctx, "INSERT INTO albums (name) VALUES ('Malibu')"); err != nil {
				return err
			}
		}
		if err := run(st.md, st.args...); err != nil {
			if i == 2 {
				fmt.Fprintf(out, "error (expected): %v\n", err)
				continue
			}
			return err
		}
	}
	title, err := db.FetchVal(ctx, "SELECT title FROM albums")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nthe row survived the rename: title = %v\n", title)
	return nil
}
