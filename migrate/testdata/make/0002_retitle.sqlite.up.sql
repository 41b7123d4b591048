-- atomdb:rebuild "albums"

ALTER TABLE "albums" RENAME COLUMN "name" TO "title";

CREATE TABLE "atomdb_new_albums" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "title" VARCHAR(200) NOT NULL,
  "price" TEXT COLLATE atomdb_decimal NOT NULL DEFAULT '9.99',
  "cover" BLOB DEFAULT X'DEAD',
  "added" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "uq_albums_title" UNIQUE ("title")
);

INSERT INTO "atomdb_new_albums" ("id", "title", "price", "cover", "added") SELECT "id", "title", "price", "cover", "added" FROM "albums";

DELETE FROM sqlite_sequence WHERE name = 'atomdb_new_albums';

INSERT INTO sqlite_sequence (name, seq) SELECT 'atomdb_new_albums', seq FROM sqlite_sequence WHERE name = 'albums';

DROP TABLE "albums";

ALTER TABLE "atomdb_new_albums" RENAME TO "albums";

ALTER TABLE "albums" ADD COLUMN "rating" SMALLINT;

ALTER TABLE "albums" DROP COLUMN "cover";

CREATE INDEX "ix_albums_rating" ON "albums" ("rating");

