SELECT "artists"."id", "artists"."name", "artists"."label_id", "artists"."rival_id" FROM "artists" ORDER BY "artists"."id" ASC
SELECT "records"."id", "records"."name", "records"."artist_id", "records"."producer_id" FROM "records" WHERE "records"."artist_id" = ANY(CAST($1 AS bigint[])) ORDER BY "records"."id" ASC
-- args [{1,2,3}]
SELECT "cuts"."id", "cuts"."title", "cuts"."position", "cuts"."record_id" FROM "cuts" WHERE "cuts"."record_id" = ANY(CAST($1 AS bigint[])) ORDER BY "cuts"."id" ASC
-- args [{1,2,3}]
SELECT "genres"."id", "genres"."name", "records_genres"."record_id" FROM "genres" INNER JOIN "records_genres" ON ("records_genres"."genre_id" = "genres"."id") WHERE "records_genres"."record_id" = ANY(CAST($1 AS bigint[])) ORDER BY "genres"."id" ASC
-- args [{1,2,3}]
SELECT "listeners"."id", "listeners"."name", "artists_fans"."artist_id" FROM "listeners" INNER JOIN "artists_fans" ON ("artists_fans"."listener_id" = "listeners"."id") WHERE "artists_fans"."artist_id" = ANY(CAST($1 AS bigint[])) ORDER BY "listeners"."id" ASC
-- args [{1,2,3}]
SELECT "labels"."id", "labels"."name", "labels"."owner_id" FROM "labels" WHERE "labels"."id" = ANY(CAST($1 AS bigint[])) ORDER BY "labels"."id" ASC
-- args [{1}]
