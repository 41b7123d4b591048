-- create table "notes"
CREATE TABLE `notes` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `album_id` BIGINT,
  `text` LONGTEXT NOT NULL DEFAULT ('it''s'),
  CONSTRAINT `pk_notes` PRIMARY KEY (`id`),
  CONSTRAINT `fk_notes_album_id_albums` FOREIGN KEY (`album_id`) REFERENCES `albums` (`id`) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX `ix_notes_album_id` ON `notes` (`album_id`);

-- drop table "notes"
DROP TABLE `notes`;

-- add column "albums"."rating" SmallInt
ALTER TABLE `albums` ADD COLUMN `rating` SMALLINT;

-- add column "albums"."added" Timestamp
ALTER TABLE `albums` ADD COLUMN `added` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6);

-- add column "albums"."label" String(50)
ALTER TABLE `albums` ADD COLUMN `label` VARCHAR(50) NOT NULL;

-- drop column "albums"."rating"
ALTER TABLE `albums` DROP COLUMN `rating`;

-- drop column "albums"."label"
ALTER TABLE `albums` DROP COLUMN `label`;

-- alter column "tracks"."position"
ALTER TABLE `tracks` MODIFY COLUMN `position` BIGINT DEFAULT 1;

-- alter column "tracks"."position"
ALTER TABLE `tracks` MODIFY COLUMN `position` BIGINT NOT NULL;

-- rename column "tracks"."position" to "number"
ALTER TABLE `tracks` RENAME COLUMN `position` TO `number`;

-- add index "ix_tracks_album_id_number" on "tracks" [album_id number]
CREATE INDEX `ix_tracks_album_id_number` ON `tracks` (`album_id`, `number`);

-- rename index "ix_tracks_album_id_number" of "tracks" to "ix_tracks_album_number"
ALTER TABLE `tracks` RENAME INDEX `ix_tracks_album_id_number` TO `ix_tracks_album_number`;

-- drop index "ix_tracks_album_number" of "tracks"
ALTER TABLE `tracks` DROP FOREIGN KEY `fk_tracks_album_id_albums`;

ALTER TABLE `tracks` DROP INDEX `ix_tracks_album_number`;

ALTER TABLE `tracks` ADD CONSTRAINT `fk_tracks_album_id_albums` FOREIGN KEY (`album_id`) REFERENCES `albums` (`id`) ON DELETE CASCADE;

-- add unique "uq_tracks_album_id_title" on "tracks" [album_id title]
ALTER TABLE `tracks` ADD CONSTRAINT `uq_tracks_album_id_title` UNIQUE (`album_id`, `title`);

-- drop unique "uq_tracks_album_id_title" of "tracks"
ALTER TABLE `tracks` DROP FOREIGN KEY `fk_tracks_album_id_albums`;

ALTER TABLE `tracks` DROP INDEX `uq_tracks_album_id_title`;

ALTER TABLE `tracks` ADD CONSTRAINT `fk_tracks_album_id_albums` FOREIGN KEY (`album_id`) REFERENCES `albums` (`id`) ON DELETE CASCADE;

-- add check "ck_tracks_number" on "tracks"
ALTER TABLE `tracks` ADD CONSTRAINT `ck_tracks_number` CHECK (number >= 0);

-- rename constraint "ck_tracks_number" of "tracks" to "ck_tracks_number_positive"
ALTER TABLE `tracks` DROP CONSTRAINT `ck_tracks_number`;

ALTER TABLE `tracks` ADD CONSTRAINT `ck_tracks_number_positive` CHECK (number >= 0);

-- drop check "ck_tracks_number_positive" of "tracks"
ALTER TABLE `tracks` DROP CONSTRAINT `ck_tracks_number_positive`;

-- drop foreign key "fk_tracks_album_id_albums" of "tracks"
ALTER TABLE `tracks` DROP FOREIGN KEY `fk_tracks_album_id_albums`;

ALTER TABLE `tracks` DROP INDEX `fk_tracks_album_id_albums`;

-- add foreign key "fk_tracks_album_id_albums" on "tracks"."album_id" -> "albums"."id"
ALTER TABLE `tracks` ADD CONSTRAINT `fk_tracks_album_id_albums` FOREIGN KEY (`album_id`) REFERENCES `albums` (`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- rename constraint "fk_tracks_album_id_albums" of "tracks" to "fk_tracks_album"
ALTER TABLE `tracks` DROP FOREIGN KEY `fk_tracks_album_id_albums`;

ALTER TABLE `tracks` DROP INDEX `fk_tracks_album_id_albums`;

ALTER TABLE `tracks` ADD CONSTRAINT `fk_tracks_album` FOREIGN KEY (`album_id`) REFERENCES `albums` (`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- rename table "tracks" to "songs"
RENAME TABLE `tracks` TO `songs`;

