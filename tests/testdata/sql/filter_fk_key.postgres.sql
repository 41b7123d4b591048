SELECT "records"."id", "records"."name", "records"."artist_id", "records"."producer_id" FROM "records" WHERE (("records"."artist_id" = $1) AND ("records"."producer_id" IS NULL))
-- args [1]
