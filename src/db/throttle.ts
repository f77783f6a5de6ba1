import { and, eq, lt } from 'drizzle-orm';
import type { Db } from './open.js';
import { throttleClients, throttlePickups } from './schema.js';
import { checkClient, effectiveFailures, FAILURE_MEMORY_MS, takeGuess, type Verdict } from '../pickup/throttle.js';

/**
 * Admits one password attempt or refuses it, atomically. An admitted attempt is counted as a
 * failure up front (and cleared on success), so parallel posts from one client cannot slip
 * past the limit while their hashes are being computed.
 */
export function admitAttempt(db: Db, pickupId: string, clientKey: string, now: number): Verdict {
  return db.transaction((tx) => {
    const client = tx
      .select()
      .from(throttleClients)
      .where(and(eq(throttleClients.pickupId, pickupId), eq(throttleClients.clientKey, clientKey)))
      .get();
    const clientVerdict = checkClient(client ?? null, now);
    if (!clientVerdict.allowed) return clientVerdict;

    const bucketRow = tx.select().from(throttlePickups).where(eq(throttlePickups.pickupId, pickupId)).get();
    const { verdict, bucket } = takeGuess(bucketRow ? { tokensMilli: bucketRow.tokens, updatedAt: bucketRow.updatedAt } : null, now);
    if (!verdict.allowed) return verdict;
    tx.insert(throttlePickups)
      .values({ pickupId, tokens: bucket.tokensMilli, updatedAt: bucket.updatedAt })
      .onConflictDoUpdate({ target: throttlePickups.pickupId, set: { tokens: bucket.tokensMilli, updatedAt: bucket.updatedAt } })
      .run();

    const failures = effectiveFailures(client ?? null, now) + 1;
    tx.insert(throttleClients)
      .values({ pickupId, clientKey, failures, lastFailureAt: now })
      .onConflictDoUpdate({ target: [throttleClients.pickupId, throttleClients.clientKey], set: { failures, lastFailureAt: now } })
      .run();
    return verdict;
  });
}

/** The right password clears that client's record. */
export function clearClient(db: Db, pickupId: string, clientKey: string): void {
  db.delete(throttleClients)
    .where(and(eq(throttleClients.pickupId, pickupId), eq(throttleClients.clientKey, clientKey)))
    .run();
}

export function readClientFailures(db: Db, pickupId: string, clientKey: string, now: number): number {
  const row = db
    .select()
    .from(throttleClients)
    .where(and(eq(throttleClients.pickupId, pickupId), eq(throttleClients.clientKey, clientKey)))
    .get();
  return effectiveFailures(row ?? null, now);
}

export function forgetStaleClients(db: Db, now: number): number {
  return db.delete(throttleClients).where(lt(throttleClients.lastFailureAt, now - FAILURE_MEMORY_MS)).run().changes;
}
