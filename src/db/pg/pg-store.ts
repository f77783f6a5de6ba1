import { and, asc, count, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { DatabaseConfig } from '../../config.js';
import { PICKUP_LIFETIME_MS } from '../../pickup/deadline.js';
import { isEventDue } from '../../pickup/event-rate.js';
import { admit, FAILURE_MEMORY_MS } from '../../pickup/throttle.js';
import type { EventDetails, EventKind, MailEventDetail } from '../../pickup/timeline.js';
import { DRAINED_ALERT_EVERY_MS } from '../throttle.js';
import {
  PickupConflictError,
  type AttemptVerdict,
  type Guesser,
  type MailClaim,
  type MailRow,
  type NewPickupRow,
  type PickupFileKind,
  type PickupRow,
  type SealedFile,
  type Store,
} from '../store.js';
import { migratePg } from './migrate.js';
import { checkReachable, createPool, translateError } from './pool.js';
import * as s from './schema.js';

type Db = NodePgDatabase<typeof s>;
/** A transaction or the pool: what a query helper may run on. */
type Q = Pick<Db, 'select' | 'insert' | 'update' | 'delete' | 'execute'>;

function addEvent<K extends EventKind>(q: Q, pickupId: string, at: number, kind: K, detail: EventDetails[K]) {
  return q.insert(s.events).values({ pickupId, at, kind, detail: JSON.stringify(detail) });
}

async function lastEventAt(q: Q, pickupId: string, kind: EventKind): Promise<number | null> {
  const [row] = await q
    .select({ at: s.events.at })
    .from(s.events)
    .where(and(eq(s.events.pickupId, pickupId), eq(s.events.kind, kind)))
    .orderBy(desc(s.events.at))
    .limit(1);
  return row?.at ?? null;
}

/**
 * Every change to one pickup's guess counters, on every instance, queues here until the one
 * before it commits: an admission's read, decision and write cannot interleave with another
 * admission, nor with a reset (reissue) or a clear (right password) that would otherwise be lost.
 */
async function lockThrottle(q: Q, pickupId: string): Promise<void> {
  await q.execute(sql`select pg_advisory_xact_lock(hashtextextended(${'throttle:' + pickupId}, 0))`);
}

const endedPickup = (now: number) =>
  or(isNotNull(s.pickups.cancelledAt), lte(s.pickups.expiresAt, now), lte(s.pickups.windowEndsAt, now));
const livePickup = (now: number) =>
  and(isNull(s.pickups.cancelledAt), gt(s.pickups.expiresAt, now), or(isNull(s.pickups.windowEndsAt), gt(s.pickups.windowEndsAt, now)));

/**
 * The shared store for several instances, over a node-postgres pool. Races between instances are
 * settled by the database: conditional UPDATE … RETURNING (window, cancel, token), INSERT … ON
 * CONFLICT (mail slots, key checks) and a per-pickup transaction lock (the throttle).
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
  /** One transaction: rolled back by PostgreSQL if the connection dies before COMMIT. */
  private tx<T>(work: (tx: Q) => Promise<T>): Promise<T> {
    return this.run((db) => db.transaction(work));
  }

  async insertPickup(row: NewPickupRow, sealed: SealedFile, detail: EventDetails['created']) {
    try {
      await this.tx(async (tx) => {
        await tx.insert(s.pickups).values(row);
        await tx.insert(s.sealedFiles).values({ pickupId: row.id, kid: sealed.kid, jwe: sealed.jwe, createdAt: row.createdAt });
        await addEvent(tx, row.id, row.createdAt, 'created', detail);
      });
    } catch (err) {
      const code = (err as { code?: string; cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code;
      if (code === '23505') throw new PickupConflictError('duplicate serial or application code');
      throw err;
    }
  }
  async findPickupByTokenHash(tokenHash: string) {
    return this.run(async (db) => (await db.select().from(s.pickups).where(eq(s.pickups.tokenHash, tokenHash)))[0] ?? null);
  }
  async findPickupById(id: string) {
    return this.run(async (db) => (await db.select().from(s.pickups).where(eq(s.pickups.id, id)))[0] ?? null);
  }
  async findPickupsByReference(reference: string) {
    const serial = reference.replaceAll(':', '').toUpperCase();
    return this.run((db) => db.select().from(s.pickups).where(or(eq(s.pickups.serial, serial), eq(s.pickups.applicationCode, reference))));
  }
  async findPickupByApplicationCode(code: string) {
    return this.run(async (db) => (await db.select().from(s.pickups).where(eq(s.pickups.applicationCode, code)))[0] ?? null);
  }
  async startWindow(id: string, now: number, endsAt: number, client: string) {
    return this.tx(async (tx) => {
      const [row] = await tx
        .update(s.pickups)
        .set({ windowStartedAt: now, windowEndsAt: endsAt })
        .where(and(eq(s.pickups.id, id), isNull(s.pickups.windowStartedAt), isNull(s.pickups.cancelledAt), gt(s.pickups.expiresAt, now)))
        .returning();
      if (row) await addEvent(tx, id, now, 'window-started', { client });
      return row ?? null;
    });
  }
  async recordDownload(id: string, now: number, client: string, bytes: number) {
    return this.tx(async (tx) => {
      // Racing downloads on other instances wait for this row, so the once-a-minute check below
      // sees the event the one before wrote (read committed would let both miss it).
      await tx.select({ id: s.pickups.id }).from(s.pickups).where(eq(s.pickups.id, id)).for('update');
      await tx.update(s.pickups).set({ firstDownloadAt: now }).where(and(eq(s.pickups.id, id), isNull(s.pickups.firstDownloadAt)));
      if (!isEventDue(await lastEventAt(tx, id, 'downloaded'), now)) return false;
      await addEvent(tx, id, now, 'downloaded', { client, bytes });
      return true;
    });
  }
  async findSealedFileOfLive(pickupId: string, now: number) {
    return this.run(async (db) => {
      const [row] = await db
        .select({ kid: s.sealedFiles.kid, jwe: s.sealedFiles.jwe })
        .from(s.sealedFiles)
        .innerJoin(s.pickups, eq(s.pickups.id, s.sealedFiles.pickupId))
        .where(and(eq(s.sealedFiles.pickupId, pickupId), livePickup(now)));
      return row ?? null;
    });
  }
  async cancelPickup(id: string, now: number, reason: string) {
    return this.tx(async (tx) => {
      const [row] = await tx
        .update(s.pickups)
        .set({ cancelledAt: now, cancelReason: reason })
        .where(and(eq(s.pickups.id, id), isNull(s.pickups.cancelledAt)))
        .returning();
      if (row) await addEvent(tx, id, now, 'cancelled', { reason });
      return row ?? null;
    });
  }
  async listEndedWithKeyMaterial(now: number) {
    return this.run(async (db) =>
      (
        await db
          .select({ pickup: s.pickups })
          .from(s.pickups)
          .innerJoin(s.sealedFiles, eq(s.sealedFiles.pickupId, s.pickups.id))
          .where(endedPickup(now))
          .orderBy(asc(s.pickups.createdAt))
      ).map((r) => r.pickup),
    );
  }
  async destroyKeyMaterial(id: string, now: number, reason: string) {
    // Another instance's sweep may have destroyed it a moment ago: zero rows deleted, nothing else done.
    return this.tx(async (tx) => {
      const deleted = await tx.delete(s.sealedFiles).where(eq(s.sealedFiles.pickupId, id)).returning({ id: s.sealedFiles.pickupId });
      if (deleted.length === 0) return false;
      await tx.update(s.mailLog).set({ sealedUrl: null }).where(eq(s.mailLog.pickupId, id));
      await tx.update(s.pickups).set({ keyDestroyedAt: now }).where(eq(s.pickups.id, id));
      await addEvent(tx, id, now, 'key-destroyed', { reason });
      return true;
    });
  }
  async reissueToken(id: string, tokenHash: string, now: number, detail: EventDetails['url-reissued']) {
    return this.tx(async (tx) => {
      const [row] = await tx.update(s.pickups).set({ tokenHash }).where(and(eq(s.pickups.id, id), livePickup(now))).returning();
      if (!row) return null;
      await lockThrottle(tx, id);
      await tx.delete(s.throttleClients).where(eq(s.throttleClients.pickupId, id));
      await tx.delete(s.throttleNetworks).where(eq(s.throttleNetworks.pickupId, id));
      await tx.delete(s.throttlePickups).where(eq(s.throttlePickups.pickupId, id));
      await addEvent(tx, id, now, 'url-reissued', detail);
      return row;
    });
  }
  async listPickupsCreatedSince(since: number | null) {
    return this.run((db) =>
      db
        .select({ pickup: s.pickups, notification: s.mailLog.status, guessingDrainedAt: s.throttlePickups.drainedAt })
        .from(s.pickups)
        .leftJoin(s.mailLog, and(eq(s.mailLog.pickupId, s.pickups.id), eq(s.mailLog.kind, 'notification')))
        .leftJoin(s.throttlePickups, eq(s.throttlePickups.pickupId, s.pickups.id))
        .where(since === null ? undefined : gte(s.pickups.createdAt, since))
        .orderBy(asc(s.pickups.createdAt), asc(s.pickups.serial)),
    );
  }
  async listReminderCandidates(now: number, until: number) {
    return this.run(async (db) =>
      (
        await db
          .select({ pickup: s.pickups })
          .from(s.pickups)
          .leftJoin(s.mailLog, and(eq(s.mailLog.pickupId, s.pickups.id), eq(s.mailLog.kind, 'reminder')))
          .where(
            and(
              gt(s.pickups.certNotAfter, now),
              lte(s.pickups.certNotAfter, until),
              isNotNull(s.pickups.email),
              isNotNull(s.pickups.firstDownloadAt),
              isNull(s.pickups.cancelledAt),
              isNull(s.mailLog.id),
            ),
          )
          .orderBy(asc(s.pickups.certNotAfter))
      ).map((r) => r.pickup),
    );
  }

  async addEvent<K extends EventKind>(pickupId: string, at: number, kind: K, detail: EventDetails[K]) {
    await this.run(async (db) => addEvent(db, pickupId, at, kind, detail));
  }
  async lastEventAt(pickupId: string, kind: EventKind) {
    return this.run((db) => lastEventAt(db, pickupId, kind));
  }
  async listEvents(pickupId: string) {
    return this.run((db) => db.select().from(s.events).where(eq(s.events.pickupId, pickupId)).orderBy(asc(s.events.at), asc(s.events.id)));
  }

  async admitAttempt(pickupId: string, who: Guesser, now: number): Promise<AttemptVerdict> {
    return this.tx(async (tx) => {
      await lockThrottle(tx, pickupId);
      const [bucketRow] = await tx.select().from(s.throttlePickups).where(eq(s.throttlePickups.pickupId, pickupId));
      const [clientRow] = await tx
        .select()
        .from(s.throttleClients)
        .where(and(eq(s.throttleClients.pickupId, pickupId), eq(s.throttleClients.clientKey, who.client)));
      const [networkRow] = await tx
        .select()
        .from(s.throttleNetworks)
        .where(and(eq(s.throttleNetworks.pickupId, pickupId), eq(s.throttleNetworks.networkKey, who.network)));
      const decision = admit(
        {
          client: clientRow ?? null,
          network: networkRow ?? null,
          bucket: bucketRow ? { tokensMilli: bucketRow.tokens, updatedAt: bucketRow.updatedAt } : null,
        },
        now,
      );
      if (!decision.allowed) return decision;
      const lastAlert = bucketRow?.drainedAt ?? null;
      const drainedAlert = decision.drained && (lastAlert === null || now - lastAlert >= DRAINED_ALERT_EVERY_MS);
      const bucket = { tokens: decision.bucket.tokensMilli, updatedAt: decision.bucket.updatedAt, drainedAt: drainedAlert ? now : lastAlert };
      await tx.insert(s.throttlePickups).values({ pickupId, ...bucket }).onConflictDoUpdate({ target: s.throttlePickups.pickupId, set: bucket });
      const client = { failures: decision.client.failures, lastFailureAt: now };
      await tx
        .insert(s.throttleClients)
        .values({ pickupId, clientKey: who.client, ...client })
        .onConflictDoUpdate({ target: [s.throttleClients.pickupId, s.throttleClients.clientKey], set: client });
      const network = { failures: decision.network.failures, lastFailureAt: now };
      await tx
        .insert(s.throttleNetworks)
        .values({ pickupId, networkKey: who.network, ...network })
        .onConflictDoUpdate({ target: [s.throttleNetworks.pickupId, s.throttleNetworks.networkKey], set: network });
      return { allowed: true as const, drainedAlert };
    });
  }
  async recordPasswordOk(pickupId: string, who: Guesser, now: number, client: string) {
    await this.tx(async (tx) => {
      await lockThrottle(tx, pickupId);
      await tx.delete(s.throttleClients).where(and(eq(s.throttleClients.pickupId, pickupId), eq(s.throttleClients.clientKey, who.client)));
      await tx.delete(s.throttleNetworks).where(and(eq(s.throttleNetworks.pickupId, pickupId), eq(s.throttleNetworks.networkKey, who.network)));
      await addEvent(tx, pickupId, now, 'password-ok', { client });
    });
  }
  async forgetStaleClients(now: number) {
    return this.run(async (db) => {
      const clients = await db.delete(s.throttleClients).where(lt(s.throttleClients.lastFailureAt, now - FAILURE_MEMORY_MS)).returning({ k: s.throttleClients.clientKey });
      const networks = await db.delete(s.throttleNetworks).where(lt(s.throttleNetworks.lastFailureAt, now - PICKUP_LIFETIME_MS)).returning({ k: s.throttleNetworks.networkKey });
      return clients.length + networks.length;
    });
  }

  async claimMail(c: MailClaim) {
    return this.run(async (db) => {
      const [row] = await db
        .insert(s.mailLog)
        .values({ pickupId: c.pickupId, kind: c.kind, recipient: c.recipient, status: 'sending', attempts: 0, sealedUrl: c.sealedUrl, createdAt: c.now, updatedAt: c.now })
        .onConflictDoNothing()
        .returning();
      return row ?? null;
    });
  }
  async reclaimMail(id: number, now: number, staleBefore: number) {
    return this.run(async (db) => {
      const [row] = await db
        .update(s.mailLog)
        .set({ status: 'sending', updatedAt: now })
        .where(and(eq(s.mailLog.id, id), or(eq(s.mailLog.status, 'failed'), and(eq(s.mailLog.status, 'sending'), lt(s.mailLog.updatedAt, staleBefore)))))
        .returning();
      return row ?? null;
    });
  }
  async recordMailSent(row: MailRow, now: number, detail: MailEventDetail) {
    await this.tx(async (tx) => {
      await tx
        .update(s.mailLog)
        .set({ status: 'sent', attempts: row.attempts + 1, lastError: null, sealedUrl: null, updatedAt: now, sentAt: now })
        .where(eq(s.mailLog.id, row.id));
      await addEvent(tx, row.pickupId, now, 'mailed', detail);
    });
  }
  async recordMailFailed(row: MailRow, now: number, error: string, detail: MailEventDetail) {
    await this.tx(async (tx) => {
      await tx.update(s.mailLog).set({ status: 'failed', attempts: row.attempts + 1, lastError: error, updatedAt: now }).where(eq(s.mailLog.id, row.id));
      await addEvent(tx, row.pickupId, now, 'mail-failed', { ...detail, error });
    });
  }
  async dropMail(id: number, now: number, reason: string) {
    await this.run((db) => db.update(s.mailLog).set({ status: 'dropped', lastError: reason, sealedUrl: null, updatedAt: now }).where(eq(s.mailLog.id, id)));
  }
  async listUnsentMails(staleBefore: number) {
    return this.run((db) =>
      db
        .select()
        .from(s.mailLog)
        .where(or(eq(s.mailLog.status, 'failed'), and(eq(s.mailLog.status, 'sending'), lt(s.mailLog.updatedAt, staleBefore))))
        .orderBy(asc(s.mailLog.createdAt), asc(s.mailLog.id)),
    );
  }
  async rearmNotification(c: Omit<MailClaim, 'kind'>) {
    const set = { recipient: c.recipient, status: 'sending', attempts: 0, lastError: null, sealedUrl: c.sealedUrl, updatedAt: c.now, sentAt: null };
    return this.run(async (db) => {
      const [row] = await db
        .insert(s.mailLog)
        .values({ pickupId: c.pickupId, kind: 'notification', createdAt: c.now, ...set })
        .onConflictDoUpdate({ target: [s.mailLog.pickupId, s.mailLog.kind], set })
        .returning();
      return row!;
    });
  }

  async recordPickupFiles(list: Array<{ pickupId: string; kind: PickupFileKind; path: string; host: string }>, now: number, event?: { pickupId: string; dir: string }) {
    await this.tx(async (tx) => {
      if (list.length > 0) await tx.insert(s.pickupFiles).values(list.map((f) => ({ ...f, createdAt: now })));
      if (event) await addEvent(tx, event.pickupId, now, 'letters-written', { dir: event.dir });
    });
  }
  async listKeptFiles(host: string, pickupIds: string[] | null, kinds: PickupFileKind[]) {
    if (pickupIds?.length === 0) return [];
    return this.run((db) =>
      db
        .select()
        .from(s.pickupFiles)
        .where(
          and(
            isNull(s.pickupFiles.deletedAt),
            eq(s.pickupFiles.host, host),
            inArray(s.pickupFiles.kind, kinds),
            pickupIds === null ? undefined : inArray(s.pickupFiles.pickupId, pickupIds),
          ),
        )
        .orderBy(asc(s.pickupFiles.id)),
    );
  }
  async listFilesOfEndedPickups(host: string, now: number) {
    return this.run(async (db) =>
      (
        await db
          .select({ file: s.pickupFiles })
          .from(s.pickupFiles)
          .innerJoin(s.pickups, eq(s.pickups.id, s.pickupFiles.pickupId))
          .where(and(isNull(s.pickupFiles.deletedAt), eq(s.pickupFiles.host, host), endedPickup(now)))
          .orderBy(asc(s.pickupFiles.id))
      ).map((r) => r.file),
    );
  }
  async countKeptFilesElsewhere(host: string, pickupIds: string[] | null, kinds: PickupFileKind[]) {
    if (pickupIds?.length === 0) return 0;
    return this.run(async (db) => {
      const [row] = await db
        .select({ n: count() })
        .from(s.pickupFiles)
        .where(
          and(
            isNull(s.pickupFiles.deletedAt),
            sql`${s.pickupFiles.host} <> ${host}`,
            inArray(s.pickupFiles.kind, kinds),
            pickupIds === null ? undefined : inArray(s.pickupFiles.pickupId, pickupIds),
          ),
        );
      return row?.n ?? 0;
    });
  }
  async markFileDeleted(id: number, now: number) {
    await this.run((db) => db.update(s.pickupFiles).set({ deletedAt: now }).where(eq(s.pickupFiles.id, id)));
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
