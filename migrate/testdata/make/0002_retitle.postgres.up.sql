ALTER TABLE "albums" RENAME COLUMN "name" TO "title";

ALTER TABLE "albums" RENAME CONSTRAINT "uq_albums_name" TO "uq_albums_title";

ALTER TABLE "albums" ALTER COLUMN "title" TYPE VARCHAR(200) USING "title"::VARCHAR(200);

ALTER TABLE "albums" ALTER COLUMN "price" TYPE NUMERIC(12,2) USING "price"::NUMERIC(12,2);

ALTER TABLE "albums" ALTER COLUMN "price" SET DEFAULT '9.99';

ALTER TABLE "albums" ADD COLUMN "rating" SMALLINT;

ALTER TABLE "albums" DROP COLUMN "cover";

CREATE INDEX "ix_albums_rating" ON "albums" ("rating");

