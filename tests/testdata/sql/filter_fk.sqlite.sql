SELECT `records`.`id`, `records`.`name`, `records`.`artist_id`, `records`.`producer_id` FROM `records` WHERE (`records`.`artist_id` IN ((SELECT `artists`.`id` FROM `artists` WHERE ((`artists`.`name` = ?) AND ((`artists`.`label_id` IS NOT ?) AND (`artists`.`label_id` IN ((SELECT `labels`.`id` FROM `labels` WHERE (`labels`.`name` GLOB ?)))))))))
-- args [Ann <nil> S*]
