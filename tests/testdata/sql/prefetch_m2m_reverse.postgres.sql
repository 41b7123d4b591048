SELECT "genres"."id", "genres"."name" FROM "genres"
SELECT "records"."id", "records"."name", "records"."artist_id", "records"."producer_id", "records_genres"."genre_id" FROM "records" INNER JOIN "records_genres" ON ("records_genres"."record_id" = "records"."id") WHERE "records_genres"."genre_id" = ANY(CAST($1 AS bigint[])) ORDER BY "records"."id" ASC
-- args [{1,2}]
SELECT "artists"."id", "artists"."name", "artists"."label_id", "artists"."rival_id" FROM "artists" WHERE "artists"."id" = ANY(CAST($1 AS bigint[])) ORDER BY "artists"."id" ASC
-- args [{1,2}]
