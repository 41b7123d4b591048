DROP TABLE "albums";

