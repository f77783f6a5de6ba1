CREATE TABLE `housekeeping` (
	`name` text PRIMARY KEY NOT NULL,
	`since` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `pickup_files` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`pickup_id` text NOT NULL,
	`kind` text NOT NULL,
	`path` text NOT NULL,
	`host` text NOT NULL,
	`created_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`pickup_id`) REFERENCES `pickups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `pickup_files_pickup` ON `pickup_files` (`pickup_id`);--> statement-breakpoint
CREATE INDEX `pickup_files_live` ON `pickup_files` (`deleted_at`);--> statement-breakpoint
CREATE TABLE `throttle_networks` (
	`pickup_id` text NOT NULL,
	`network_key` text NOT NULL,
	`failures` integer NOT NULL,
	`last_failure_at` integer NOT NULL,
	PRIMARY KEY(`pickup_id`, `network_key`)
);
--> statement-breakpoint
CREATE INDEX `throttle_networks_last` ON `throttle_networks` (`last_failure_at`);--> statement-breakpoint
ALTER TABLE `throttle_pickups` ADD `drained_at` integer;