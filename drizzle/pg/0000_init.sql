CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"pickup_id" text NOT NULL,
	"at" bigint NOT NULL,
	"kind" text NOT NULL,
	"detail" text
);
--> statement-breakpoint
CREATE TABLE "housekeeping" (
	"name" text PRIMARY KEY NOT NULL,
	"since" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "key_checks" (
	"name" text PRIMARY KEY NOT NULL,
	"check_value" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mail_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"pickup_id" text NOT NULL,
	"kind" text NOT NULL,
	"recipient" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer NOT NULL,
	"last_error" text,
	"sealed_url" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"sent_at" bigint
);
--> statement-breakpoint
CREATE TABLE "pickup_files" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"pickup_id" text NOT NULL,
	"kind" text NOT NULL,
	"path" text NOT NULL,
	"host" text NOT NULL,
	"created_at" bigint NOT NULL,
	"deleted_at" bigint
);
--> statement-breakpoint
CREATE TABLE "pickups" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"password_hash" text NOT NULL,
	"serial" text NOT NULL,
	"cert_type" text NOT NULL,
	"subject_name" text NOT NULL,
	"subject_name_ja" text,
	"fingerprint" text NOT NULL,
	"cert_not_before" bigint NOT NULL,
	"cert_not_after" bigint NOT NULL,
	"cert_pem" text NOT NULL,
	"issuer_name" text NOT NULL,
	"p12_profile" text NOT NULL,
	"email" text,
	"application_code" text,
	"mailing" text,
	"issued_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"window_started_at" bigint,
	"window_ends_at" bigint,
	"first_download_at" bigint,
	"cancelled_at" bigint,
	"cancel_reason" text,
	"key_destroyed_at" bigint,
	"created_at" bigint NOT NULL,
	CONSTRAINT "pickups_token_hash_unique" UNIQUE("token_hash"),
	CONSTRAINT "pickups_serial_unique" UNIQUE("serial"),
	CONSTRAINT "pickups_application_code_unique" UNIQUE("application_code")
);
--> statement-breakpoint
CREATE TABLE "sealed_files" (
	"pickup_id" text PRIMARY KEY NOT NULL,
	"kid" text NOT NULL,
	"jwe" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "throttle_clients" (
	"pickup_id" text NOT NULL,
	"client_key" text NOT NULL,
	"failures" integer NOT NULL,
	"last_failure_at" bigint NOT NULL,
	CONSTRAINT "throttle_clients_pickup_id_client_key_pk" PRIMARY KEY("pickup_id","client_key")
);
--> statement-breakpoint
CREATE TABLE "throttle_networks" (
	"pickup_id" text NOT NULL,
	"network_key" text NOT NULL,
	"failures" integer NOT NULL,
	"last_failure_at" bigint NOT NULL,
	CONSTRAINT "throttle_networks_pickup_id_network_key_pk" PRIMARY KEY("pickup_id","network_key")
);
--> statement-breakpoint
CREATE TABLE "throttle_pickups" (
	"pickup_id" text PRIMARY KEY NOT NULL,
	"tokens_milli" integer NOT NULL,
	"updated_at" bigint NOT NULL,
	"drained_at" bigint
);
--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_pickup_id_pickups_id_fk" FOREIGN KEY ("pickup_id") REFERENCES "public"."pickups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_log" ADD CONSTRAINT "mail_log_pickup_id_pickups_id_fk" FOREIGN KEY ("pickup_id") REFERENCES "public"."pickups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pickup_files" ADD CONSTRAINT "pickup_files_pickup_id_pickups_id_fk" FOREIGN KEY ("pickup_id") REFERENCES "public"."pickups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sealed_files" ADD CONSTRAINT "sealed_files_pickup_id_pickups_id_fk" FOREIGN KEY ("pickup_id") REFERENCES "public"."pickups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "events_pickup" ON "events" USING btree ("pickup_id","at");--> statement-breakpoint
CREATE INDEX "events_pickup_kind" ON "events" USING btree ("pickup_id","kind","at");--> statement-breakpoint
CREATE UNIQUE INDEX "mail_log_pickup_kind" ON "mail_log" USING btree ("pickup_id","kind");--> statement-breakpoint
CREATE INDEX "mail_log_status" ON "mail_log" USING btree ("status");--> statement-breakpoint
CREATE INDEX "pickup_files_pickup" ON "pickup_files" USING btree ("pickup_id");--> statement-breakpoint
CREATE INDEX "pickup_files_live" ON "pickup_files" USING btree ("deleted_at");--> statement-breakpoint
CREATE INDEX "pickups_expires_at" ON "pickups" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "pickups_window_ends_at" ON "pickups" USING btree ("window_ends_at");--> statement-breakpoint
CREATE INDEX "pickups_cert_not_after" ON "pickups" USING btree ("cert_not_after");--> statement-breakpoint
CREATE INDEX "throttle_networks_last" ON "throttle_networks" USING btree ("last_failure_at");