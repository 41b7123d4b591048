SELECT COUNT(*) FROM `artists` WHERE (`artists`.`id` IN ((SELECT `records`.`artist_id` FROM `records` WHERE (((`records`.`name` LIKE ? ESCAPE '\\') AND (`records`.`id` IN ((SELECT `cuts`.`record_id` FROM `cuts` WHERE ((`cuts`.`position` >= ?) AND (`cuts`.`record_id` IS NOT NULL)))))) AND (`records`.`artist_id` IS NOT NULL)))))
-- args [S% 2]
