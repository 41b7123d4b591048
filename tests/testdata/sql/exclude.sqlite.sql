SELECT `records`.`id`, `records`.`name`, `records`.`artist_id`, `records`.`producer_id` FROM `records` WHERE NOT (((instr(CAST(`records`.`name` AS BLOB), CAST(? AS BLOB)) > 0) AND ((`records`.`producer_id` IS NOT ?) AND (`records`.`producer_id` IN ((SELECT `artists`.`id` FROM `artists` WHERE (`artists`.`name` = ?)))))))
-- args [% <nil> Bob]
