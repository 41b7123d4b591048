ALTER TABLE `albums` RENAME COLUMN `name` TO `title`;

ALTER TABLE `albums` RENAME INDEX `uq_albums_name` TO `uq_albums_title`;

ALTER TABLE `albums` MODIFY COLUMN `title` VARCHAR(200) NOT NULL;

ALTER TABLE `albums` MODIFY COLUMN `price` DECIMAL(12,2) NOT NULL DEFAULT '9.99';

ALTER TABLE `albums` ADD COLUMN `rating` SMALLINT;

ALTER TABLE `albums` DROP COLUMN `cover`;

CREATE INDEX `ix_albums_rating` ON `albums` (`rating`);

