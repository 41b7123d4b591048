-- atomdb:irreversible
-- atomdb:rebuild "albums"

DROP INDEX "ix_albums_rating";

ALTER TABLE "albums" ADD COLUMN "cover" BLOB DEFAULT X'DEAD';

ALTER TABLE "albums" DROP COLUMN "rating";

CREATE TABLE "atomdb_new_albums" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "title" VARCHAR(100) NOT NULL,
  "price" TEXT COLLATE atomdb_decimal NOT NULL DEFAULT '9.99',
  "added" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "cover" BLOB DEFAULT X'DEAD',
  CONSTRAINT "uq_albums_title" UNIQUE ("title")
);

INSERT INTO "atomdb_new_albums" ("id", "title", "price", "added", "cover") SELECT "id", "title", "price", "added", "cover" FROM "albums";

DELETE FROM sqlite_sequence WHERE name = 'atomdb_new_albums';

INSERT INTO sqlite_sequence (name, seq) SELECT 'atomdb_new_albums', seq FROM sqlite_sequence WHERE name = 'albums';

DROP TABLE "albums";

ALTER TABLE "atomdb_new_albums" RENAME TO "albums";

ALTER TABLE "albums" RENAME COLUMN "title" TO "name";

