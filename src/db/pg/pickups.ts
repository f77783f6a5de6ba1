import { and, asc, eq, gt, gte, isNotNull, isNull, lte, or } from 'drizzle-orm';
import { isEventDue } from '../../pickup/event-rate.js';
import type { EventDetails } from '../../pickup/timeline.js';
import { PickupConflictError, type DownloadRecord, type NewPickupRow, type PickupKey, type PickupWithSealedFile, type SealedFile } from '../store.js';
import type { Db } from './db.js';
import { addEvent, lastEventAt } from './events.js';
import * as s from './schema.js';
import { lockThrottle } from './throttle.js';

export const endedPickup = (now: number) =>
  or(isNotNull(s.pickups.cancelledAt), lte(s.pickups.expiresAt, now), lte(s.pickups.windowEndsAt, now));
const livePickup = (now: number) =>
  and(isNull(s.pickups.cancelledAt), gt(s.pickups.expiresAt, now), or(isNull(s.pickups.windowEndsAt), gt(s.pickups.windowEndsAt, now)));

export async function insertPickup(db: Db, row: NewPickupRow, sealed: SealedFile, detail: EventDetails['created']) {
  try {
    await db.transaction(async (tx) => {
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

export async function findPickupByTokenHash(db: Db, tokenHash: string) {
  return (await db.select().from(s.pickups).where(eq(s.pickups.tokenHash, tokenHash)))[0] ?? null;
}

export async function findPickupById(db: Db, id: string) {
  return (await db.select().from(s.pickups).where(eq(s.pickups.id, id)))[0] ?? null;
}

export async function findPickupsByReference(db: Db, reference: string) {
  const serial = reference.replaceAll(':', '').toUpperCase();
  return db.select().from(s.pickups).where(or(eq(s.pickups.serial, serial), eq(s.pickups.applicationCode, reference)));
}

export async function findPickupByApplicationCode(db: Db, code: string) {
  return (await db.select().from(s.pickups).where(eq(s.pickups.applicationCode, code)))[0] ?? null;
}

export async function startWindow(db: Db, id: string, now: number, endsAt: number, client: string) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(s.pickups)
      .set({ windowStartedAt: now, windowEndsAt: endsAt })
      .where(and(eq(s.pickups.id, id), isNull(s.pickups.windowStartedAt), isNull(s.pickups.cancelledAt), gt(s.pickups.expiresAt, now)))
      .returning();
    if (row) await addEvent(tx, id, now, 'window-started', { client });
    return row ?? null;
  });
}

export async function recordDownload(db: Db, id: string, now: number, client: string, bytes: number): Promise<DownloadRecord> {
  return db.transaction(async (tx) => {
    // Racing downloads on other instances wait for this row, so the once-a-minute check below
    // sees the event the one before wrote (read committed would let both miss it).
    await tx.select({ id: s.pickups.id }).from(s.pickups).where(eq(s.pickups.id, id)).for('update');
    await tx.update(s.pickups).set({ firstDownloadAt: now }).where(and(eq(s.pickups.id, id), isNull(s.pickups.firstDownloadAt)));
    const last = await lastEventAt(tx, id, 'downloaded');
    if (last !== null && !isEventDue(last, now)) return { written: false, newestAt: last };
    await addEvent(tx, id, now, 'downloaded', { client, bytes });
    return { written: true, newestAt: now };
  });
}

/** The row and its sealed file in one statement (see Store.findPickupWithSealedFile). */
export async function findPickupWithSealedFile(db: Db, by: PickupKey): Promise<PickupWithSealedFile | null> {
  const [row] = await db
    .select({ pickup: s.pickups, kid: s.sealedFiles.kid, jwe: s.sealedFiles.jwe })
    .from(s.pickups)
    .leftJoin(s.sealedFiles, eq(s.sealedFiles.pickupId, s.pickups.id))
    .where('id' in by ? eq(s.pickups.id, by.id) : eq(s.pickups.tokenHash, by.tokenHash));
  if (!row) return null;
  return { pickup: row.pickup, sealed: row.kid === null || row.jwe === null ? null : { kid: row.kid, jwe: row.jwe } };
}

export async function cancelPickup(db: Db, id: string, now: number, reason: string) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(s.pickups)
      .set({ cancelledAt: now, cancelReason: reason })
      .where(and(eq(s.pickups.id, id), isNull(s.pickups.cancelledAt)))
      .returning();
    if (row) await addEvent(tx, id, now, 'cancelled', { reason });
    return row ?? null;
  });
}

export async function listEndedWithKeyMaterial(db: Db, now: number) {
  return (
    await db
      .select({ pickup: s.pickups })
      .from(s.pickups)
      .innerJoin(s.sealedFiles, eq(s.sealedFiles.pickupId, s.pickups.id))
      .where(endedPickup(now))
      .orderBy(asc(s.pickups.createdAt))
  ).map((r) => r.pickup);
}

export async function destroyKeyMaterial(db: Db, id: string, now: number, reason: string) {
  // Another instance's sweep may have destroyed it a moment ago: zero rows deleted, nothing else done.
  return db.transaction(async (tx) => {
    const deleted = await tx.delete(s.sealedFiles).where(eq(s.sealedFiles.pickupId, id)).returning({ id: s.sealedFiles.pickupId });
    if (deleted.length === 0) return false;
    await tx.update(s.mailLog).set({ sealedUrl: null }).where(eq(s.mailLog.pickupId, id));
    await tx.update(s.pickups).set({ keyDestroyedAt: now }).where(eq(s.pickups.id, id));
    await addEvent(tx, id, now, 'key-destroyed', { reason });
    return true;
  });
}

export async function reissueToken(db: Db, id: string, tokenHash: string, now: number, detail: EventDetails['url-reissued']) {
  return db.transaction(async (tx) => {
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

export async function listPickupsCreatedSince(db: Db, since: number | null) {
  return db
    .select({ pickup: s.pickups, notification: s.mailLog.status, guessingDrainedAt: s.throttlePickups.drainedAt })
    .from(s.pickups)
    .leftJoin(s.mailLog, and(eq(s.mailLog.pickupId, s.pickups.id), eq(s.mailLog.kind, 'notification')))
    .leftJoin(s.throttlePickups, eq(s.throttlePickups.pickupId, s.pickups.id))
    .where(since === null ? undefined : gte(s.pickups.createdAt, since))
    .orderBy(asc(s.pickups.createdAt), asc(s.pickups.serial));
}

export async function listReminderCandidates(db: Db, now: number, until: number) {
  return (
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
  ).map((r) => r.pickup);
}
