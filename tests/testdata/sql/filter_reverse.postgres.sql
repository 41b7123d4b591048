SELECT COUNT(*) FROM "artists" WHERE ("artists"."id" IN ((SELECT "records"."artist_id" FROM "records" WHERE ((("records"."name" LIKE $1 ESCAPE E'\\') AND ("records"."id" IN ((SELECT "cuts"."record_id" FROM "cuts" WHERE (("cuts"."position" >= $2) AND ("cuts"."record_id" IS NOT NULL)))))) AND ("records"."artist_id" IS NOT NULL)))))
-- args [S% 2]
