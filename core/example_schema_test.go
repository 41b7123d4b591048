package core_test

import (
	"fmt"

	"github.com/atomdb/atomdb/core"
)

// A schema of two tables, rendered for SQLite. The statements come in
// foreign-key order whatever the order the tables were added in; the
// constraints and indexes are named by the default naming convention.
func ExampleMetaData_CreateSQL() {
	albums := core.NewTable("albums",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "name", Type: core.String(100), Unique: true},
	)
	tracks := core.NewTable("tracks",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "album_id", Type: core.BigInt(),
			ForeignKey: &core.ForeignKey{Table: "albums", Column: "id", OnDelete: core.Cascade}},
		&core.Column{Name: "title", Type: core.String(100), Index: true},
		&core.Column{Name: "position", Type: core.Integer(), Default: 1},
	)
	tracks.Checks = []*core.CheckConstraint{{Name: "position_positive", Expr: `"position" > 0`}}

	md := core.NewMetaData()
	if err := md.Add(tracks, albums); err != nil {
		fmt.Println(err)
		return
	}
	stmts, err := md.CreateSQL(core.SQLite)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range stmts {
		fmt.Println(s + ";")
	}
	drops, _ := md.DropSQL(core.SQLite, core.IfExists())
	for _, s := range drops {
		fmt.Println(s + ";")
	}
	// Output:
	// CREATE TABLE "albums" (
	//   "id" INTEGER PRIMARY KEY AUTOINCREMENT,
	//   "name" VARCHAR(100) NOT NULL,
	//   CONSTRAINT "uq_albums_name" UNIQUE ("name")
	// );
	// CREATE TABLE "tracks" (
	//   "id" INTEGER PRIMARY KEY AUTOINCREMENT,
	//   "album_id" BIGINT NOT NULL,
	//   "title" VARCHAR(100) NOT NULL,
	//   "position" INTEGER NOT NULL DEFAULT 1,
	//   CONSTRAINT "ck_tracks_position_positive" CHECK ("position" > 0),
	//   CONSTRAINT "fk_tracks_album_id_albums" FOREIGN KEY ("album_id") REFERENCES "albums" ("id") ON DELETE CASCADE
	// );
	// CREATE INDEX "ix_tracks_title" ON "tracks" ("title");
	// DROP TABLE IF EXISTS "tracks";
	// DROP TABLE IF EXISTS "albums";
}
