-- atomdb:irreversible

ALTER TABLE `albums` DROP INDEX `ix_albums_rating`;

ALTER TABLE `albums` ADD COLUMN `cover` LONGBLOB DEFAULT (X'DEAD');

ALTER TABLE `albums` DROP COLUMN `rating`;

ALTER TABLE `albums` MODIFY COLUMN `price` DECIMAL(10,2) NOT NULL DEFAULT '9.99';

ALTER TABLE `albums` MODIFY COLUMN `title` VARCHAR(100) NOT NULL;

ALTER TABLE `albums` RENAME INDEX `uq_albums_title` TO `uq_albums_name`;

ALTER TABLE `albums` RENAME COLUMN `title` TO `name`;

