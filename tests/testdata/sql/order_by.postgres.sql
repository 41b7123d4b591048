SELECT "cuts"."id", "cuts"."title", "cuts"."position", "cuts"."record_id" FROM "cuts" ORDER BY "cuts"."position" DESC, "cuts"."title" ASC, "cuts"."id" ASC LIMIT $1 OFFSET $2
-- args [2 1]
