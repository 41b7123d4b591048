DROP TABLE `albums`;

