import { and, asc, eq, inArray, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from './open.js';
import { pickupFiles, pickups, type PickupFileRow } from './schema.js';

/** letter: a printed-letter HTML file (password or PIN); outbox: an .eml written instead of SMTP. */
export type PickupFileKind = 'letter' | 'outbox';

export function recordPickupFile(db: Db, f: { pickupId: string; kind: PickupFileKind; path: string; host: string; now: number }): void {
  db.insert(pickupFiles).values({ pickupId: f.pickupId, kind: f.kind, path: f.path, host: f.host, createdAt: f.now }).run();
}

/** Files still on disk (as far as we know) on `host`, for the given pickups and kinds; all pickups when `pickupIds` is null. */
export function listKeptFiles(db: Db, host: string, pickupIds: string[] | null, kinds: PickupFileKind[]): PickupFileRow[] {
  return db
    .select()
    .from(pickupFiles)
    .where(
      and(
        isNull(pickupFiles.deletedAt),
        eq(pickupFiles.host, host),
        inArray(pickupFiles.kind, kinds),
        pickupIds === null ? undefined : inArray(pickupFiles.pickupId, pickupIds),
      ),
    )
    .orderBy(asc(pickupFiles.id))
    .all();
}

/**
 * Kept files on `host` whose pickup can no longer be downloaded: they only hold secrets now.
 * A downloaded pickup keeps its letters until the 30-day deadline (or `letters-done`): staff may
 * print the PIN letter after the subscriber has already downloaded, and a lost PIN is never
 * re-issued. Its outbox mail (the dead URL) goes when the hour ends.
 */
export function listFilesOfEndedPickups(db: Db, host: string, now: number): PickupFileRow[] {
  return db
    .select({ file: pickupFiles })
    .from(pickupFiles)
    .innerJoin(pickups, eq(pickups.id, pickupFiles.pickupId))
    .where(
      and(
        isNull(pickupFiles.deletedAt),
        eq(pickupFiles.host, host),
        or(
          isNotNull(pickups.cancelledAt),
          lte(pickups.expiresAt, now),
          and(lte(pickups.windowEndsAt, now), eq(pickupFiles.kind, 'outbox')),
        ),
      ),
    )
    .orderBy(asc(pickupFiles.id))
    .all()
    .map((r) => r.file);
}

/** Files kept elsewhere (another host wrote them): reported, never touched from here. */
export function countKeptFilesElsewhere(db: Db, host: string, pickupIds: string[] | null, kinds: PickupFileKind[]): number {
  return db
    .select({ id: pickupFiles.id })
    .from(pickupFiles)
    .where(
      and(
        isNull(pickupFiles.deletedAt),
        sql`${pickupFiles.host} <> ${host}`,
        inArray(pickupFiles.kind, kinds),
        pickupIds === null ? undefined : inArray(pickupFiles.pickupId, pickupIds),
      ),
    )
    .all().length;
}

export function markFileDeleted(db: Db, id: number, now: number): void {
  db.update(pickupFiles).set({ deletedAt: now }).where(eq(pickupFiles.id, id)).run();
}
