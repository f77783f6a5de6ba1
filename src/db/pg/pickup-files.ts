import { and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { PickupFileKind } from '../store.js';
import type { Db } from './db.js';
import { addEvent } from './events.js';
import { endedPickup } from './pickups.js';
import * as s from './schema.js';

export async function recordPickupFiles(db: Db, list: Array<{ pickupId: string; kind: PickupFileKind; path: string; host: string }>, now: number, event?: { pickupId: string; dir: string }) {
  await db.transaction(async (tx) => {
    if (list.length > 0) await tx.insert(s.pickupFiles).values(list.map((f) => ({ ...f, createdAt: now })));
    if (event) await addEvent(tx, event.pickupId, now, 'letters-written', { dir: event.dir });
  });
}

export async function listKeptFiles(db: Db, host: string, pickupIds: string[] | null, kinds: PickupFileKind[]) {
  if (pickupIds?.length === 0) return [];
  return db
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
    .orderBy(asc(s.pickupFiles.id));
}

export async function listFilesOfEndedPickups(db: Db, host: string, now: number) {
  return (
    await db
      .select({ file: s.pickupFiles })
      .from(s.pickupFiles)
      .innerJoin(s.pickups, eq(s.pickups.id, s.pickupFiles.pickupId))
      .where(and(isNull(s.pickupFiles.deletedAt), eq(s.pickupFiles.host, host), endedPickup(now)))
      .orderBy(asc(s.pickupFiles.id))
  ).map((r) => r.file);
}

export async function countKeptFilesElsewhere(db: Db, host: string, pickupIds: string[] | null, kinds: PickupFileKind[]) {
  if (pickupIds?.length === 0) return 0;
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
}

export async function markFileDeleted(db: Db, id: number, now: number) {
  await db.update(s.pickupFiles).set({ deletedAt: now }).where(eq(s.pickupFiles.id, id));
}
