-- atomdb:irreversible

DROP INDEX "ix_albums_rating";

ALTER TABLE "albums" ADD COLUMN "cover" BYTEA DEFAULT decode('DEAD', 'hex');

ALTER TABLE "albums" DROP COLUMN "rating";

ALTER TABLE "albums" ALTER COLUMN "price" TYPE NUMERIC(10,2) USING "price"::NUMERIC(10,2);

ALTER TABLE "albums" ALTER COLUMN "price" SET DEFAULT '9.99';

ALTER TABLE "albums" ALTER COLUMN "title" TYPE VARCHAR(100) USING "title"::VARCHAR(100);

ALTER TABLE "albums" RENAME CONSTRAINT "uq_albums_title" TO "uq_albums_name";

ALTER TABLE "albums" RENAME COLUMN "title" TO "name";

