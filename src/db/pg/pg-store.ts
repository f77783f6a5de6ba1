import { count, eq, isNotNull, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { DatabaseConfig } from '../../config.js';
import type { EventDetails, EventKind, MailEventDetail } from '../../pickup/timeline.js';
import type { Guesser, MailClaim, MailRow, NewPickupRow, PickupFileKind, PickupKey, PickupRow, SealedFile, Store } from '../store.js';
import type { Db } from './db.js';
import * as events from './events.js';
import * as mail from './mail-log.js';
import { migratePg } from './migrate.js';
import * as files from './pickup-files.js';
import * as p from './pickups.js';
import { checkReachable, createPool, translateError } from './pool.js';
import * as s from './schema.js';
import * as throttle from './throttle.js';

/**
 * The shared store for several instances, over a node-postgres pool. Races between instances are
 * settled by the database: conditional UPDATE … RETURNING (window, cancel, token), INSERT … ON
 * CONFLICT (mail slots, key checks), a row lock (download events) and a per-pickup transaction
 * lock (the throttle). The queries live beside it, one module per noun; every call goes through
 * run(), so a lost connection is a StoreUnavailableError wherever it happens.
 */
export class PgStore implements Store {
  readonly dialect = 'postgres' as const;
  readonly db: Db;
  constructor(readonly pool: pg.Pool) {
    this.db = drizzle({ client: pool, schema: s });
  }

  /** Runs a query; a lost or refused connection becomes StoreUnavailableError (503). */
  private async run<T>(work: (db: Db) => Promise<T>): Promise<T> {
    try {
      return await work(this.db);
    } catch (err) {
      return translateError(err);
    }
  }

  insertPickup(row: NewPickupRow, sealed: SealedFile, detail: EventDetails['created']) {
    return this.run((db) => p.insertPickup(db, row, sealed, detail));
  }
  findPickupByTokenHash(tokenHash: string) {
    return this.run((db) => p.findPickupByTokenHash(db, tokenHash));
  }
  findPickupById(id: string) {
    return this.run((db) => p.findPickupById(db, id));
  }
  findPickupsByReference(reference: string) {
    return this.run((db) => p.findPickupsByReference(db, reference));
  }
  findPickupByApplicationCode(code: string) {
    return this.run((db) => p.findPickupByApplicationCode(db, code));
  }
  startWindow(id: string, now: number, endsAt: number, client: string) {
    return this.run((db) => p.startWindow(db, id, now, endsAt, client));
  }
  recordDownload(id: string, now: number, client: string, bytes: number) {
    return this.run((db) => p.recordDownload(db, id, now, client, bytes));
  }
  findPickupWithSealedFile(by: PickupKey) {
    return this.run((db) => p.findPickupWithSealedFile(db, by));
  }
  cancelPickup(id: string, now: number, reason: string) {
    return this.run((db) => p.cancelPickup(db, id, now, reason));
  }
  listEndedWithKeyMaterial(now: number) {
    return this.run((db) => p.listEndedWithKeyMaterial(db, now));
  }
  destroyKeyMaterial(id: string, now: number, reason: string) {
    return this.run((db) => p.destroyKeyMaterial(db, id, now, reason));
  }
  reissueToken(id: string, tokenHash: string, now: number, detail: EventDetails['url-reissued']) {
    return this.run((db) => p.reissueToken(db, id, tokenHash, now, detail));
  }
  listPickupsCreatedSince(since: number | null) {
    return this.run((db) => p.listPickupsCreatedSince(db, since));
  }
  listReminderCandidates(now: number, until: number) {
    return this.run((db) => p.listReminderCandidates(db, now, until));
  }

  async addEvent<K extends EventKind>(pickupId: string, at: number, kind: K, detail: EventDetails[K]) {
    await this.run(async (db) => events.addEvent(db, pickupId, at, kind, detail));
  }
  lastEventAt(pickupId: string, kind: EventKind) {
    return this.run((db) => events.lastEventAt(db, pickupId, kind));
  }
  listEvents(pickupId: string) {
    return this.run(async (db) => events.listEvents(db, pickupId));
  }

  admitAttempt(pickupId: string, who: Guesser, now: number) {
    return this.run((db) => throttle.admitAttempt(db, pickupId, who, now));
  }
  recordPasswordOk(pickupId: string, who: Guesser, now: number, client: string) {
    return this.run((db) => throttle.recordPasswordOk(db, pickupId, who, now, client));
  }
  forgetStaleClients(now: number) {
    return this.run((db) => throttle.forgetStaleClients(db, now));
  }

  claimMail(claim: MailClaim) {
    return this.run((db) => mail.claimMail(db, claim));
  }
  reclaimMail(id: number, now: number, staleBefore: number) {
    return this.run((db) => mail.reclaimMail(db, id, now, staleBefore));
  }
  recordMailSent(row: MailRow, now: number, detail: MailEventDetail) {
    return this.run((db) => mail.recordMailSent(db, row, now, detail));
  }
  recordMailFailed(row: MailRow, now: number, error: string, detail: MailEventDetail) {
    return this.run((db) => mail.recordMailFailed(db, row, now, error, detail));
  }
  dropMail(id: number, now: number, reason: string) {
    return this.run((db) => mail.dropMail(db, id, now, reason));
  }
  listUnsentMails(staleBefore: number) {
    return this.run((db) => mail.listUnsentMails(db, staleBefore));
  }
  rearmNotification(claim: Omit<MailClaim, 'kind'>) {
    return this.run((db) => mail.rearmNotification(db, claim));
  }

  recordPickupFiles(list: Array<{ pickupId: string; kind: PickupFileKind; path: string; host: string }>, now: number, event?: { pickupId: string; dir: string }) {
    return this.run((db) => files.recordPickupFiles(db, list, now, event));
  }
  listKeptFiles(host: string, pickupIds: string[] | null, kinds: PickupFileKind[]) {
    return this.run((db) => files.listKeptFiles(db, host, pickupIds, kinds));
  }
  listFilesOfEndedPickups(host: string, now: number) {
    return this.run((db) => files.listFilesOfEndedPickups(db, host, now));
  }
  countKeptFilesElsewhere(host: string, pickupIds: string[] | null, kinds: PickupFileKind[]) {
    return this.run((db) => files.countKeptFilesElsewhere(db, host, pickupIds, kinds));
  }
  markFileDeleted(id: number, now: number) {
    return this.run((db) => files.markFileDeleted(db, id, now));
  }

  async countSealedFilesByKid() {
    return this.run(async (db) => {
      const rows = await db.select({ kid: s.sealedFiles.kid, n: count() }).from(s.sealedFiles).groupBy(s.sealedFiles.kid);
      return new Map(rows.map((r) => [r.kid, r.n]));
    });
  }
  async listSealedMailUrls() {
    return this.run(async (db) => (await db.select({ u: s.mailLog.sealedUrl }).from(s.mailLog).where(isNotNull(s.mailLog.sealedUrl))).map((r) => r.u!));
  }

  async wipeFreedPages() {
    // Deleted rows stay as dead tuples until (auto)VACUUM reclaims them; what they hold is the
    // sealed, PIN-encrypted file (docs/several-instances.md). Nothing to do per sweep.
    return true;
  }

  async findKeyCheck(name: string) {
    return this.run(async (db) => (await db.select().from(s.keyChecks).where(eq(s.keyChecks.name, name)))[0]?.check ?? null);
  }
  async saveKeyCheck(name: string, check: string, now: number) {
    await this.run((db) => db.insert(s.keyChecks).values({ name, check, createdAt: now }).onConflictDoNothing());
    return (await this.findKeyCheck(name))!;
  }

  async ping() {
    await this.run((db) => db.execute(sql`select 1`));
  }
  poolStats() {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, inUse: this.pool.totalCount - this.pool.idleCount, waiting: this.pool.waitingCount };
  }
  private closing: Promise<void> | null = null;
  close() {
    return (this.closing ??= this.pool.end());
  }
}

/** Connects, migrates under the advisory lock, and returns the store; a failure is one ConfigError line. */
export async function openPgStore(config: DatabaseConfig): Promise<PgStore> {
  const pool = createPool(config);
  await checkReachable(pool, config);
  try {
    await migratePg(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return new PgStore(pool);
}

export type { PickupRow };
