import { and, asc, eq, gt, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import type { EventDetails } from '../pickup/timeline.js';
import { addEvent } from './events.js';
import type { Db } from './open.js';
import { prepared } from './prepared.js';
import { mailLog, pickups, sealedFiles, type NewPickupRow, type PickupRow } from './schema.js';

import type { PickupKey, PickupWithSealedFile } from './store.js';

export type SealedFile = { kid: string; jwe: string };

/** The pickup, its sealed file and its first event land together or not at all. */
export function insertPickup(db: Db, row: NewPickupRow, sealed: SealedFile, detail: EventDetails['created']): void {
  db.transaction(() => {
    db.insert(pickups).values(row).run();
    db.insert(sealedFiles).values({ pickupId: row.id, kid: sealed.kid, jwe: sealed.jwe, createdAt: row.createdAt }).run();
    addEvent(db, row.id, row.createdAt, 'created', detail);
  });
}

export function findPickupByTokenHash(db: Db, tokenHash: string): PickupRow | null {
  const query = prepared(db, 'pickupByTokenHash', () =>
    db.select().from(pickups).where(eq(pickups.tokenHash, sql.placeholder('tokenHash'))).prepare(),
  );
  return query.get({ tokenHash }) ?? null;
}

export function findPickupById(db: Db, id: string): PickupRow | null {
  const query = prepared(db, 'pickupById', () => db.select().from(pickups).where(eq(pickups.id, sql.placeholder('id'))).prepare());
  return query.get({ id }) ?? null;
}

/** The row and its sealed file in one statement (see Store.findPickupWithSealedFile). */
export function findPickupWithSealedFile(db: Db, by: PickupKey): PickupWithSealedFile | null {
  const byId = 'id' in by;
  const query = prepared(db, byId ? 'pickupWithSealedFileById' : 'pickupWithSealedFileByTokenHash', () =>
    db
      .select({ pickup: pickups, kid: sealedFiles.kid, jwe: sealedFiles.jwe })
      .from(pickups)
      .leftJoin(sealedFiles, eq(sealedFiles.pickupId, pickups.id))
      .where(byId ? eq(pickups.id, sql.placeholder('key')) : eq(pickups.tokenHash, sql.placeholder('key')))
      .prepare(),
  );
  const row = query.get({ key: byId ? by.id : by.tokenHash });
  if (!row) return null;
  return { pickup: row.pickup, sealed: row.kid === null || row.jwe === null ? null : { kid: row.kid, jwe: row.jwe } };
}

/**
 * Staff look pickups up by certificate serial (any case, colons allowed) or application code.
 * Both may match different pickups; the caller decides what an ambiguous reference means.
 */
export function findPickupsByReference(db: Db, reference: string): PickupRow[] {
  const serial = reference.replaceAll(':', '').toUpperCase();
  return db
    .select()
    .from(pickups)
    .where(or(eq(pickups.serial, serial), eq(pickups.applicationCode, reference)))
    .all();
}

/** Cancels and records it in one transaction; null when it was already cancelled. */
export function cancelPickupWithEvent(db: Db, id: string, now: number, reason: string): PickupRow | null {
  return db.transaction(() => {
    const row = cancelPickup(db, id, now, reason);
    if (row) addEvent(db, id, now, 'cancelled', { reason });
    return row;
  });
}

export function findPickupByApplicationCode(db: Db, code: string): PickupRow | null {
  return db.select().from(pickups).where(eq(pickups.applicationCode, code)).get() ?? null;
}

/**
 * Starts the one-hour window, ending at `endsAt` (see windowEnd). One conditional UPDATE: of two
 * racing presses exactly one gets the row back; the other sees null and reads the window the
 * first one started.
 */
export function startWindow(db: Db, id: string, now: number, endsAt: number): PickupRow | null {
  const query = prepared(db, 'startWindow', () =>
    db
      .update(pickups)
      .set({ windowStartedAt: sql`${sql.placeholder('now')}`, windowEndsAt: sql`${sql.placeholder('endsAt')}` })
      .where(
        and(
          eq(pickups.id, sql.placeholder('id')),
          isNull(pickups.windowStartedAt),
          isNull(pickups.cancelledAt),
          gt(pickups.expiresAt, sql.placeholder('now')),
        ),
      )
      .returning()
      .prepare(),
  );
  return query.get({ id, now, endsAt }) ?? null;
}

export function markFirstDownload(db: Db, id: string, now: number): void {
  prepared(db, 'markFirstDownload', () =>
    db
      .update(pickups)
      .set({ firstDownloadAt: sql`${sql.placeholder('now')}` })
      .where(and(eq(pickups.id, sql.placeholder('id')), isNull(pickups.firstDownloadAt)))
      .prepare(),
  ).run({ id, now });
}

export function findSealedFile(db: Db, pickupId: string): SealedFile | null {
  const query = prepared(db, 'sealedFile', () =>
    db
      .select({ kid: sealedFiles.kid, jwe: sealedFiles.jwe })
      .from(sealedFiles)
      .where(eq(sealedFiles.pickupId, sql.placeholder('pickupId')))
      .prepare(),
  );
  return query.get({ pickupId }) ?? null;
}

export function cancelPickup(db: Db, id: string, now: number, reason: string): PickupRow | null {
  return (
    db
      .update(pickups)
      .set({ cancelledAt: now, cancelReason: reason })
      .where(and(eq(pickups.id, id), isNull(pickups.cancelledAt)))
      .returning()
      .get() ?? null
  );
}

/** Pickups that can no longer be downloaded but still hold a sealed file. */
export function listEndedWithKeyMaterial(db: Db, now: number): PickupRow[] {
  return db
    .select({ pickup: pickups })
    .from(pickups)
    .innerJoin(sealedFiles, eq(sealedFiles.pickupId, pickups.id))
    .where(
      or(
        isNotNull(pickups.cancelledAt),
        lte(pickups.expiresAt, now),
        lte(pickups.windowEndsAt, now),
      ),
    )
    .orderBy(asc(pickups.createdAt))
    .all()
    .map((r) => r.pickup);
}

/** Deletes the sealed file (and any sealed URL awaiting a mail retry) and records it; false when already gone. */
export function destroyKeyMaterial(db: Db, id: string, now: number, reason: string): boolean {
  return db.transaction(() => {
    const deleted = db.delete(sealedFiles).where(eq(sealedFiles.pickupId, id)).run();
    if (deleted.changes === 0) return false;
    // An unsent mail's sealed URL is key material too: the pickup it opens is over.
    db.update(mailLog).set({ sealedUrl: null }).where(eq(mailLog.pickupId, id)).run();
    db.update(pickups).set({ keyDestroyedAt: now }).where(eq(pickups.id, id)).run();
    addEvent(db, id, now, 'key-destroyed', { reason });
    return true;
  });
}

/**
 * Gives a live pickup a new URL token: one conditional UPDATE, so a pickup that ended (or was
 * cancelled) a moment ago keeps its old, dead hash. Null when the pickup is not live.
 */
export function replaceTokenHash(db: Db, id: string, tokenHash: string, now: number): PickupRow | null {
  return (
    db
      .update(pickups)
      .set({ tokenHash })
      .where(
        and(
          eq(pickups.id, id),
          isNull(pickups.cancelledAt),
          gt(pickups.expiresAt, now),
          or(isNull(pickups.windowEndsAt), gt(pickups.windowEndsAt, now)),
        ),
      )
      .returning()
      .get() ?? null
  );
}
