ALTER TABLE `pickups` ADD `window_ends_at` integer;--> statement-breakpoint
CREATE INDEX `pickups_window_ends_at` ON `pickups` (`window_ends_at`);--> statement-breakpoint
-- Pickups whose window started before this column existed: the hour (3,600,000 ms) or the deadline, whichever came first.
UPDATE `pickups` SET `window_ends_at` = MIN(`window_started_at` + 3600000, `expires_at`) WHERE `window_started_at` IS NOT NULL;
