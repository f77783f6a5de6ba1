import { bigint, bigserial, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { EventKind } from '../../pickup/timeline.js';

// The PostgreSQL twin of ../schema.ts: the same tables, columns and names, so rows read the same
// on both. Timestamps are milliseconds since the epoch in bigint columns read as numbers.
export const pickups = pgTable(
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
    certNotBefore: bigint('cert_not_before', { mode: 'number' }).notNull(),
    certNotAfter: bigint('cert_not_after', { mode: 'number' }).notNull(),
    certPem: text('cert_pem').notNull(),
    issuerName: text('issuer_name').notNull(),
    p12Profile: text('p12_profile').notNull(),
    email: text('email'),
    applicationCode: text('application_code').unique(),
    mailing: text('mailing'),
    issuedAt: bigint('issued_at', { mode: 'number' }).notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
    windowStartedAt: bigint('window_started_at', { mode: 'number' }),
    /** Written once, with window_started_at: the hour's end, or expires_at if that comes first. */
    windowEndsAt: bigint('window_ends_at', { mode: 'number' }),
    firstDownloadAt: bigint('first_download_at', { mode: 'number' }),
    cancelledAt: bigint('cancelled_at', { mode: 'number' }),
    cancelReason: text('cancel_reason'),
    keyDestroyedAt: bigint('key_destroyed_at', { mode: 'number' }),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [
    index('pickups_expires_at').on(t.expiresAt),
    index('pickups_window_ends_at').on(t.windowEndsAt),
    index('pickups_cert_not_after').on(t.certNotAfter),
  ],
);

/** The sealed PKCS#12, kept apart so destroying it is one DELETE and the record stays. */
export const sealedFiles = pgTable('sealed_files', {
  pickupId: text('pickup_id')
    .primaryKey()
    .references(() => pickups.id),
  kid: text('kid').notNull(),
  jwe: text('jwe').notNull(),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
});

export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    pickupId: text('pickup_id')
      .notNull()
      .references(() => pickups.id),
    at: bigint('at', { mode: 'number' }).notNull(),
    kind: text('kind').$type<EventKind>().notNull(),
    detail: text('detail'),
  },
  (t) => [index('events_pickup').on(t.pickupId, t.at), index('events_pickup_kind').on(t.pickupId, t.kind, t.at)],
);

/** Failed password attempts per pickup and client (a keyed hash of the address, never the address). */
export const throttleClients = pgTable(
  'throttle_clients',
  {
    pickupId: text('pickup_id').notNull(),
    clientKey: text('client_key').notNull(),
    failures: integer('failures').notNull(),
    lastFailureAt: bigint('last_failure_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.pickupId, t.clientKey] })],
);

/** Failed password attempts per pickup and network (/24 or /48), as a keyed hash, for the pickup's life. */
export const throttleNetworks = pgTable(
  'throttle_networks',
  {
    pickupId: text('pickup_id').notNull(),
    networkKey: text('network_key').notNull(),
    failures: integer('failures').notNull(),
    lastFailureAt: bigint('last_failure_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.pickupId, t.networkKey] }), index('throttle_networks_last').on(t.lastFailureAt)],
);

/** The per-pickup guess budget, a token bucket shared by every client. */
export const throttlePickups = pgTable('throttle_pickups', {
  pickupId: text('pickup_id').primaryKey(),
  tokens: integer('tokens_milli').notNull(),
  updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  /** When staff were last told the bucket drained into its reserve (at most once an hour). */
  drainedAt: bigint('drained_at', { mode: 'number' }),
});

/**
 * Files written for a pickup outside the database (letters, outbox mails), so the sweep,
 * `purge` and `letters-done` can delete them. `host`: files live on the machine that wrote them.
 */
export const pickupFiles = pgTable(
  'pickup_files',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    pickupId: text('pickup_id')
      .notNull()
      .references(() => pickups.id),
    kind: text('kind').notNull(),
    path: text('path').notNull(),
    host: text('host').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    deletedAt: bigint('deleted_at', { mode: 'number' }),
  },
  (t) => [index('pickup_files_pickup').on(t.pickupId), index('pickup_files_live').on(t.deletedAt)],
);

/** Chores owed across processes, e.g. a WAL truncation that a busy reader blocked. */
export const housekeeping = pgTable('housekeeping', {
  name: text('name').primaryKey(),
  since: bigint('since', { mode: 'number' }).notNull(),
});

/**
 * One row per pickup and kind of mail (notification, reminder): the unique pair is what makes a
 * reminder once per certificate. status: sending -> sent | failed; failed -> sending on retry;
 * dropped when a retry finds the pickup ended.
 */
export const mailLog = pgTable(
  'mail_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
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
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
    sentAt: bigint('sent_at', { mode: 'number' }),
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
export const keyChecks = pgTable('key_checks', {
  name: text('name').primaryKey(),
  check: text('check_value').notNull(),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
});
