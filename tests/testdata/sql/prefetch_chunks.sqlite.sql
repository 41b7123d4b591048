SELECT `genres`.`id`, `genres`.`name` FROM `genres`
SELECT `records`.`id`, `records`.`name`, `records`.`artist_id`, `records`.`producer_id`, `records_genres`.`genre_id` FROM `records` INNER JOIN `records_genres` ON (`records_genres`.`record_id` = `records`.`id`) WHERE (`records_genres`.`genre_id` IN (?...(32766 markers))) ORDER BY `records`.`id` ASC
-- 32766 args
SELECT `records`.`id`, `records`.`name`, `records`.`artist_id`, `records`.`producer_id`, `records_genres`.`genre_id` FROM `records` INNER JOIN `records_genres` ON (`records_genres`.`record_id` = `records`.`id`) WHERE (`records_genres`.`genre_id` IN (?, ?, ?, ?, ?)) ORDER BY `records`.`id` ASC
-- args [32767 32768 32769 32770 32771]
