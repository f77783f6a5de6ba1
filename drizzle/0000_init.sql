CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`pickup_id` text NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`detail` text,
	FOREIGN KEY (`pickup_id`) REFERENCES `pickups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `events_pickup` ON `events` (`pickup_id`,`at`);--> statement-breakpoint
CREATE TABLE `pickups` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`password_hash` text NOT NULL,
	`serial` text NOT NULL,
	`cert_type` text NOT NULL,
	`subject_name` text NOT NULL,
	`subject_name_ja` text,
	`fingerprint` text NOT NULL,
	`cert_not_before` integer NOT NULL,
	`cert_not_after` integer NOT NULL,
	`cert_pem` text NOT NULL,
	`issuer_name` text NOT NULL,
	`p12_profile` text NOT NULL,
	`email` text,
	`application_code` text,
	`mailing` text,
	`issued_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`window_started_at` integer,
	`first_download_at` integer,
	`cancelled_at` integer,
	`cancel_reason` text,
	`key_destroyed_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pickups_token_hash_unique` ON `pickups` (`token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `pickups_serial_unique` ON `pickups` (`serial`);--> statement-breakpoint
CREATE UNIQUE INDEX `pickups_application_code_unique` ON `pickups` (`application_code`);--> statement-breakpoint
CREATE INDEX `pickups_expires_at` ON `pickups` (`expires_at`);--> statement-breakpoint
CREATE INDEX `pickups_cert_not_after` ON `pickups` (`cert_not_after`);--> statement-breakpoint
CREATE TABLE `sealed_files` (
	`pickup_id` text PRIMARY KEY NOT NULL,
	`kid` text NOT NULL,
	`jwe` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`pickup_id`) REFERENCES `pickups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `throttle_clients` (
	`pickup_id` text NOT NULL,
	`client_key` text NOT NULL,
	`failures` integer NOT NULL,
	`last_failure_at` integer NOT NULL,
	PRIMARY KEY(`pickup_id`, `client_key`)
);
--> statement-breakpoint
CREATE TABLE `throttle_pickups` (
	`pickup_id` text PRIMARY KEY NOT NULL,
	`tokens_milli` integer NOT NULL,
	`updated_at` integer NOT NULL
);
