SELECT `cuts`.`id`, `cuts`.`title`, `cuts`.`position`, `cuts`.`record_id` FROM `cuts` ORDER BY `cuts`.`position` DESC, `cuts`.`title` ASC, `cuts`.`id` ASC LIMIT ? OFFSET ?
-- args [2 1]
