import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { EventKind } from '../pickup/timeline.js';

// Timestamps are milliseconds since the epoch, always written explicitly from the injected clock.
export const pickups = sqliteTable(
  'pickups',
  {
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    passwordHash: text('password_hash').notNull(),
    serial: text('serial').notNull().unique(),
    certType: text('cert_type').notNull(),
    subjectName: text('subject_name').notNull(),
    subjectNameJa: text('subject_name_ja'),
    fingerprint: text('fingerprint').notNull(),
    certNotBefore: integer('cert_not_before').notNull(),
    certNotAfter: integer('cert_not_after').notNull(),
    certPem: text('cert_pem').notNull(),
    issuerName: text('issuer_name').notNull(),
    p12Profile: text('p12_profile').notNull(),
    email: text('email'),
    applicationCode: text('application_code').unique(),
    mailing: text('mailing'),
    issuedAt: integer('issued_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    windowStartedAt: integer('window_started_at'),
    /** Written once, with window_started_at: the hour's end, or expires_at if that comes first. */
    windowEndsAt: integer('window_ends_at'),
    firstDownloadAt: integer('first_download_at'),
    cancelledAt: integer('cancelled_at'),
    cancelReason: text('cancel_reason'),
    keyDestroyedAt: integer('key_destroyed_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('pickups_expires_at').on(t.expiresAt),
    index('pickups_window_ends_at').on(t.windowEndsAt),
    index('pickups_cert_not_after').on(t.certNotAfter),
  ],
);

/** The sealed PKCS#12, kept apart so destroying it is one DELETE and the record stays. */
export const sealedFiles = sqliteTable('sealed_files', {
  pickupId: text('pickup_id')
    .primaryKey()
    .references(() => pickups.id),
  kid: text('kid').notNull(),
  jwe: text('jwe').notNull(),
  createdAt: integer('created_at').notNull(),
});

export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    pickupId: text('pickup_id')
      .notNull()
      .references(() => pickups.id),
    at: integer('at').notNull(),
    kind: text('kind').$type<EventKind>().notNull(),
    detail: text('detail'),
  },
  (t) => [index('events_pickup').on(t.pickupId, t.at), index('events_pickup_kind').on(t.pickupId, t.kind, t.at)],
);

/** Failed password attempts per pickup and client (a keyed hash of the address, never the address). */
export const throttleClients = sqliteTable(
  'throttle_clients',
  {
    pickupId: text('pickup_id').notNull(),
    clientKey: text('client_key').notNull(),
    failures: integer('failures').notNull(),
    lastFailureAt: integer('last_failure_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.pickupId, t.clientKey] })],
);

/** Failed password attempts per pickup and network (/24 or /48), as a keyed hash, for the pickup's life. */
export const throttleNetworks = sqliteTable(
  'throttle_networks',
  {
    pickupId: text('pickup_id').notNull(),
    networkKey: text('network_key').notNull(),
    failures: integer('failures').notNull(),
    lastFailureAt: integer('last_failure_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.pickupId, t.networkKey] }), index('throttle_networks_last').on(t.lastFailureAt)],
);

/** The per-pickup guess budget, a token bucket shared by every client. */
export const throttlePickups = sqliteTable('throttle_pickups', {
  pickupId: text('pickup_id').primaryKey(),
  tokens: integer('tokens_milli').notNull(),
  updatedAt: integer('updated_at').notNull(),
  /** When staff were last told the bucket drained into its reserve (at most once an hour). */
  drainedAt: integer('drained_at'),
});

/**
 * Files written for a pickup outside the database (letters, outbox mails), so the sweep,
 * `purge` and `letters-done` can delete them. `host`: files live on the machine that wrote them.
 */
export const pickupFiles = sqliteTable(
  'pickup_files',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    pickupId: text('pickup_id')
      .notNull()
      .references(() => pickups.id),
    kind: text('kind').notNull(),
    path: text('path').notNull(),
    host: text('host').notNull(),
    createdAt: integer('created_at').notNull(),
    deletedAt: integer('deleted_at'),
  },
  (t) => [index('pickup_files_pickup').on(t.pickupId), index('pickup_files_live').on(t.deletedAt)],
);

/** Chores owed across processes, e.g. a WAL truncation that a busy reader blocked. */
export const housekeeping = sqliteTable('housekeeping', {
  name: text('name').primaryKey(),
  since: integer('since').notNull(),
});

/**
 * One row per pickup and kind of mail (notification, reminder): the unique pair is what makes a
 * reminder once per certificate. status: sending -> sent | failed; failed -> sending on retry;
 * dropped when a retry finds the pickup ended.
 */
export const mailLog = sqliteTable(
  'mail_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    pickupId: text('pickup_id')
      .notNull()
      .references(() => pickups.id),
    kind: text('kind').notNull(),
    recipient: text('recipient').notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull(),
    lastError: text('last_error'),
    /** The download URL sealed for `mail --retry` (only the token's hash is kept); cleared once sent. */
    sealedUrl: text('sealed_url'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [uniqueIndex('mail_log_pickup_kind').on(t.pickupId, t.kind), index('mail_log_status').on(t.status)],
);

export type PickupRow = typeof pickups.$inferSelect;
export type NewPickupRow = typeof pickups.$inferInsert;
export type EventRow = typeof events.$inferSelect;
export type MailRow = typeof mailLog.$inferSelect;
export type PickupFileRow = typeof pickupFiles.$inferSelect;

/**
 * One check value per shared secret (pepper, session key, each seal key): an HMAC of a fixed
 * label under the key, never the key. An instance started with a different key refuses to start.
 */
export const keyChecks = sqliteTable('key_checks', {
  name: text('name').primaryKey(),
  check: text('check_value').notNull(),
  createdAt: integer('created_at').notNull(),
});
