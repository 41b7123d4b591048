package migrate_test

import (
	"fmt"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/migrate"
)

// Diff compares two schemas without a database; Render writes the
// operations for each dialect.
func ExampleDiff() {
	before := core.NewMetaData()
	_ = before.Add(core.NewTable("albums",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "name", Type: core.String(100)},
	))
	after := core.NewMetaData()
	_ = after.Add(core.NewTable("albums",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "title", Type: core.String(100), RenamedFrom: "name"},
		&core.Column{Name: "year", Type: core.Integer(), Nullable: true, Index: true},
	))
	from, _ := migrate.FromMetaData(before)
	to, _ := migrate.FromMetaData(after)
	ops, err := migrate.Diff(from, to, migrate.DiffOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, op := range ops {
		fmt.Println(op)
	}
	for _, d := range []*core.Dialect{core.Postgres, core.MySQL} {
		sc, err := migrate.Render(d, from, ops)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, s := range sc.Statements {
			fmt.Println(s)
		}
	}
	// Output:
	// rename column "albums"."name" to "title"
	// add column "albums"."year" Integer
	// add index "ix_albums_year" on "albums" [year]
	// ALTER TABLE "albums" RENAME COLUMN "name" TO "title"
	// ALTER TABLE "albums" ADD COLUMN "year" INTEGER
	// CREATE INDEX "ix_albums_year" ON "albums" ("year")
	// ALTER TABLE `albums` RENAME COLUMN `name` TO `title`
	// ALTER TABLE `albums` ADD COLUMN `year` INTEGER
	// CREATE INDEX `ix_albums_year` ON `albums` (`year`)
}
