SELECT "records"."id", "records"."name", "records"."artist_id", "records"."producer_id" FROM "records" WHERE NOT ((("records"."name" LIKE $1 ESCAPE E'\\') AND (("records"."producer_id" IS NOT NULL) AND ("records"."producer_id" IN ((SELECT "artists"."id" FROM "artists" WHERE ("artists"."name" = $2)))))))
-- args [%\%% Bob]
