-- create table "notes"
CREATE TABLE "notes" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "album_id" BIGINT,
  "text" TEXT NOT NULL DEFAULT 'it''s',
  CONSTRAINT "fk_notes_album_id_albums" FOREIGN KEY ("album_id") REFERENCES "albums" ("id") ON DELETE SET NULL
);

CREATE INDEX "ix_notes_album_id" ON "notes" ("album_id");

-- drop table "notes"
DROP TABLE "notes";

-- add column "albums"."rating" SmallInt
ALTER TABLE "albums" ADD COLUMN "rating" SMALLINT;

-- add column "albums"."added" Timestamp
-- atomdb:rebuild "albums"

CREATE TABLE "atomdb_new_albums" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "name" VARCHAR(100) NOT NULL,
  "year" INTEGER,
  "rating" SMALLINT,
  "added" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "uq_albums_name" UNIQUE ("name"),
  CONSTRAINT "ck_albums_year_positive" CHECK (year > 0)
);

INSERT INTO "atomdb_new_albums" ("id", "name", "year", "rating") SELECT "id", "name", "year", "rating" FROM "albums";

DELETE FROM sqlite_sequence WHERE name = 'atomdb_new_albums';

INSERT INTO sqlite_sequence (name, seq) SELECT 'atomdb_new_albums', seq FROM sqlite_sequence WHERE name = 'albums';

DROP TABLE "albums";

ALTER TABLE "atomdb_new_albums" RENAME TO "albums";

-- add column "albums"."label" String(50)
-- atomdb:rebuild "albums"

CREATE TABLE "atomdb_new_albums" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "name" VARCHAR(100) NOT NULL,
  "year" INTEGER,
  "rating" SMALLINT,
  "added" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "label" VARCHAR(50) NOT NULL,
  CONSTRAINT "uq_albums_name" UNIQUE ("name"),
  CONSTRAINT "ck_albums_year_positive" CHECK (year > 0)
);

INSERT INTO "atomdb_new_albums" ("id", "name", "year", "rating", "added") SELECT "id", "name", "year", "rating", "added" FROM "albums";

DELETE FROM sqlite_sequence WHERE name = 'atomdb_new_albums';

INSERT INTO sqlite_sequence (name, seq) SELECT 'atomdb_new_albums', seq FROM sqlite_sequence WHERE name = 'albums';

DROP TABLE "albums";

ALTER TABLE "atomdb_new_albums" RENAME TO "albums";

-- drop column "albums"."rating"
-- atomdb:rebuild "albums"

CREATE TABLE "atomdb_new_albums" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "name" VARCHAR(100) NOT NULL,
  "year" INTEGER,
  "added" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "label" VARCHAR(50) NOT NULL,
  CONSTRAINT "uq_albums_name" UNIQUE ("name"),
  CONSTRAINT "ck_albums_year_positive" CHECK (year > 0)
);

INSERT INTO "atomdb_new_albums" ("id", "name", "year", "added", "label") SELECT "id", "name", "year", "added", "label" FROM "albums";

DELETE FROM sqlite_sequence WHERE name = 'atomdb_new_albums';

INSERT INTO sqlite_sequence (name, seq) SELECT 'atomdb_new_albums', seq FROM sqlite_sequence WHERE name = 'albums';

DROP TABLE "albums";

ALTER TABLE "atomdb_new_albums" RENAME TO "albums";

-- drop column "albums"."label"
-- atomdb:rebuild "albums"

CREATE TABLE "atomdb_new_albums" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "name" VARCHAR(100) NOT NULL,
  "year" INTEGER,
  "added" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "uq_albums_name" UNIQUE ("name"),
  CONSTRAINT "ck_albums_year_positive" CHECK (year > 0)
);

INSERT INTO "atomdb_new_albums" ("id", "name", "year", "added") SELECT "id", "name", "year", "added" FROM "albums";

DELETE FROM sqlite_sequence WHERE name = 'atomdb_new_albums';

INSERT INTO sqlite_sequence (name, seq) SELECT 'atomdb_new_albums', seq FROM sqlite_sequence WHERE name = 'albums';

DROP TABLE "albums";

ALTER TABLE "atomdb_new_albums" RENAME TO "albums";

-- alter column "tracks"."position"
-- atomdb:rebuild "tracks"

CREATE TABLE "atomdb_new_tracks" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "album_id" BIGINT NOT NULL,
  "title" VARCHAR(100) NOT NULL,
  "position" BIGINT DEFAULT 1,
  CONSTRAINT "fk_tracks_album_id_albums" FOREIGN KEY ("album_id") REFERENCES "albums" ("id") ON DELETE CASCADE
);

INSERT INTO "atomdb_new_tracks" ("id", "album_id", "title", "position") SELECT "id", "album_id", "title", "position" FROM "tracks";

DELETE FROM sqlite_sequence WHERE name = 'atomdb_new_tracks';

INSERT INTO sqlite_sequence (name, seq) SELECT 'atomdb_new_tracks', seq FROM sqlite_sequence WHERE name = 'tracks';

DROP TABLE "tracks";

ALTER TABLE "atomdb_new_tracks" RENAME TO "tracks";

CREATE INDEX "ix_tracks_title" ON "tracks" ("title");

-- alter column "tracks"."position"
-- atomdb:rebuild "tracks"

CREATE TABLE "atomdb_new_tracks" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "album_id" BIGINT NOT NULL,
  "title" VARCHAR(100) NOT NULL,
  "position" BIGINT NOT NULL,
  CONSTRAINT "fk_tracks_album_id_albums" FOREIGN KEY ("album_id") REFERENCES "albums" ("id") ON DELETE CASCADE
);

INSERT INTO "atomdb_new_tracks" ("id", "album_id", "title", "position") SELECT "id", "album_id", "title", "position" FROM "tracks";

DELETE FROM sqlite_sequence WHERE name = 'atomdb_new_tracks';

INSERT INTO sqlite_sequence (name, seq) SELECT 'atomdb_new_tracks', seq FROM sqlite_sequence WHERE name = 'tracks';

DROP TABLE "tracks";

ALTER TABLE "atomdb_new_tracks" RENAME TO "tracks";

CREATE INDEX "ix_tracks_title" ON "tracks" ("title");

-- rename column "tracks"."position" to "number"
ALTER TABLE "tracks" RENAME COLUMN "position" TO "number";

-- add index "ix_tracks_album_id_number" on "tracks" [album_id number]
CREATE INDEX "ix_tracks_album_id_number" ON "tracks" ("album_id", "number");

-- rename index "ix_tracks_album_id_number" of "tracks" to "ix_tracks_album_number"
DROP INDEX "ix_tracks_album_id_number";

CREATE INDEX "ix_tracks_album_number" ON "tracks" ("album_id", "number");

-- drop index "ix_tracks_album_number" of "tracks"
DROP INDEX "ix_tracks_album_number";

-- add unique "uq_tracks_album_id_title" on "tracks" [album_id title]
-- atomdb:rebuild "tracks"

CREATE TABLE "atomdb_new_tracks" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "album_id" BIGINT NOT NULL,
  "title" VARCHAR(100) NOT NULL,
  "number" BIGINT NOT NULL,
  CONSTRAINT "uq_tracks_album_id_title" UNIQUE ("album_id", "title"),
  CONSTRAINT "fk_tracks_album_id_albums" FOREIGN KEY ("album_id") REFERENCES "albums" ("id") ON DELETE CASCADE
);

INSERT INTO "atomdb_new_tracks" ("id", "album_id", "title", "number") SELECT "id", "album_id", "title", "number" FROM "tracks";

DELETE FROM sqlite_sequence WHERE name = 'atomdb_new_tracks';

INSERT INTO sqlite_sequence (name, seq) SELECT 'atomdb_new_tracks', seq FROM sqlite_sequence WHERE name = 'tracks';

DROP TABLE "tracks";

ALTER TABLE "atomdb_new_tracks" RENAME TO "tracks";

CREATE INDEX "ix_tracks_title" ON "tracks" ("title");

-- drop unique "uq_tracks_album_id_title" of "tracks"
-- atomdb:rebuild "tracks"

CREATE TABLE "atomdb_new_tracks" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "album_id" BIGINT NOT NULL,
  "title" VARCHAR(100) NOT NULL,
  "number" BIGINT NOT NULL,
  CONSTRAINT "fk_tracks_album_id_albums" FOREIGN KEY ("album_id") REFERENCES "albums" ("id") ON DELETE CASCADE
);

INSERT INTO "atomdb_new_tracks" ("id", "album_id", "title", "number") SELECT "id", "album_id", "title", "number" FROM "tracks";

DELETE FROM sqlite_sequence WHERE name = 'atomdb_new_tracks';

INSERT INTO sqlite_sequence (name, seq) SELECT 'atomdb_new_tracks', seq FROM sqlite_sequence WHERE name = 'tracks';

DROP TABLE "tracks";

ALTER TABLE "atomdb_new_tracks" RENAME TO "tracks";

CREATE INDEX "ix_tracks_title" ON "tracks" ("title");

-- add check "ck_tracks_number" on "tracks"
-- atomdb:rebuild "tracks"

CREATE TABLE "atomdb_new_tracks" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "album_id" BIGINT NOT NULL,
  "title" VARCHAR(100) NOT NULL,
  "number" BIGINT NOT NULL,
  CONSTRAINT "ck_tracks_number" CHECK (number >= 0),
  CONSTRAINT "fk_tracks_album_id_albums" FOREIGN KEY ("album_id") REFERENCES "albums" ("id") ON DELETE CASCADE
);

INSERT INTO "atomdb_new_tracks" ("id", "album_id", "title", "number") SELECT "id", "album_id", "title", "number" FROM "tracks";

DELETE FROM sqlite_sequence WHERE name = 'atomdb_new_tracks';

INSERT INTO sqlite_sequence (name, seq) SELECT 'atomdb_new_tracks', seq FROM sqlite_sequence WHERE name = 'tracks';

DROP TABLE "tracks";

ALTER TABLE "atomdb_new_tracks" RENAME TO "tracks";

CREATE INDEX "ix_tracks_title" ON "tracks" ("title");

-- rename constraint "ck_tracks_number" of "tracks" to "ck_tracks_number_positive"
-- drop check "ck_tracks_number_positive" of "tracks"
-- atomdb:rebuild "tracks"

CREATE TABLE "atomdb_new_tracks" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "album_id" BIGINT NOT NULL,
  "title" VARCHAR(100) NOT NULL,
  "number" BIGINT NOT NULL,
  CONSTRAINT "fk_tracks_album_id_albums" FOREIGN KEY ("album_id") REFERENCES "albums" ("id") ON DELETE CASCADE
);

INSERT INTO "atomdb_new_tracks" ("id", "album_id", "title", "number") SELECT "id", "album_id", "title", "number" FROM "tracks";

DELETE FROM sqlite_sequence WHERE name = 'atomdb_new_tracks';

INSERT INTO sqlite_sequence (name, seq) SELECT 'atomdb_new_tracks', seq FROM sqlite_sequence WHERE name = 'tracks';

DROP TABLE "tracks";

ALTER TABLE "atomdb_new_tracks" RENAME TO "tracks";

CREATE INDEX "ix_tracks_title" ON "tracks" ("title");

-- drop foreign key "fk_tracks_album_id_albums" of "tracks"
-- atomdb:rebuild "tracks"

CREATE TABLE "atomdb_new_tracks" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "album_id" BIGINT NOT NULL,
  "title" VARCHAR(100) NOT NULL,
  "number" BIGINT NOT NULL
);

INSERT INTO "atomdb_new_tracks" ("id", "album_id", "title", "number") SELECT "id", "album_id", "title", "number" FROM "tracks";

DELETE FROM sqlite_sequence WHERE name = 'atomdb_new_tracks';

INSERT INTO sqlite_sequence (name, seq) SELECT 'atomdb_new_tracks', seq FROM sqlite_sequence WHERE name = 'tracks';

DROP TABLE "tracks";

ALTER TABLE "atomdb_new_tracks" RENAME TO "tracks";

CREATE INDEX "ix_tracks_title" ON "tracks" ("title");

-- add foreign key "fk_tracks_album_id_albums" on "tracks"."album_id" -> "albums"."id"
-- atomdb:rebuild "tracks"

CREATE TABLE "atomdb_new_tracks" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "album_id" BIGINT NOT NULL,
  "title" VARCHAR(100) NOT NULL,
  "number" BIGINT NOT NULL,
  CONSTRAINT "fk_tracks_album_id_albums" FOREIGN KEY ("album_id") REFERENCES "albums" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

INSERT INTO "atomdb_new_tracks" ("id", "album_id", "title", "number") SELECT "id", "album_id", "title", "number" FROM "tracks";

DELETE FROM sqlite_sequence WHERE name = 'atomdb_new_tracks';

INSERT INTO sqlite_sequence (name, seq) SELECT 'atomdb_new_tracks', seq FROM sqlite_sequence WHERE name = 'tracks';

DROP TABLE "tracks";

ALTER TABLE "atomdb_new_tracks" RENAME TO "tracks";

CREATE INDEX "ix_tracks_title" ON "tracks" ("title");

-- rename constraint "fk_tracks_album_id_albums" of "tracks" to "fk_tracks_album"
-- rename table "tracks" to "songs"
ALTER TABLE "tracks" RENAME TO "songs";

