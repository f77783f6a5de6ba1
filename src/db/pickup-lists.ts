import { and, asc, eq, gt, gte, isNotNull, isNull, lte } from 'drizzle-orm';
import type { Db } from './open.js';
import { mailLog, pickups, throttlePickups, type PickupRow } from './schema.js';

/** `guessingDrainedAt`: when the shared guess budget last drained into its reserve (an attack), or null. */
export type ListedPickup = { pickup: PickupRow; notification: string | null; guessingDrainedAt: number | null };

/** Pickups created at or after `since` (all when null), oldest first, with their notification mail status. */
export function listPickupsCreatedSince(db: Db, since: number | null): ListedPickup[] {
  return db
    .select({ pickup: pickups, notification: mailLog.status, guessingDrainedAt: throttlePickups.drainedAt })
    .from(pickups)
    .leftJoin(mailLog, and(eq(mailLog.pickupId, pickups.id), eq(mailLog.kind, 'notification')))
    .leftJoin(throttlePickups, eq(throttlePickups.pickupId, pickups.id))
    .where(since === null ? undefined : gte(pickups.createdAt, since))
    .orderBy(asc(pickups.createdAt), asc(pickups.serial))
    .all();
}

/**
 * Certificates that expire in (now, until], were downloaded, were not cancelled, have an
 * address, and have had no reminder yet. A pickup never downloaded left no certificate in use.
 */
export function listReminderCandidates(db: Db, now: number, until: number): PickupRow[] {
  return db
    .select({ pickup: pickups })
    .from(pickups)
    .leftJoin(mailLog, and(eq(mailLog.pickupId, pickups.id), eq(mailLog.kind, 'reminder')))
    .where(
      and(
        gt(pickups.certNotAfter, now),
        lte(pickups.certNotAfter, until),
        isNotNull(pickups.email),
        isNotNull(pickups.firstDownloadAt),
        isNull(pickups.cancelledAt),
        isNull(mailLog.id),
      ),
    )
    .orderBy(asc(pickups.certNotAfter))
    .all()
    .map((r) => r.pickup);
}
