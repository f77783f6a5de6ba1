import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from './open.js';
import { prepared } from './prepared.js';
import { throttleClients, throttlePickups } from './schema.js';
import { checkClient, effectiveFailures, FAILURE_MEMORY_MS, takeGuess, type Verdict } from '../pickup/throttle.js';

/** The throttle's queries, prepared once per connection: they run on every password post. */
function statements(db: Db) {
  const p = sql.placeholder;
  return prepared(db, 'throttle', () => ({
    client: db
      .select()
      .from(throttleClients)
      .where(and(eq(throttleClients.pickupId, p('pickupId')), eq(throttleClients.clientKey, p('clientKey'))))
      .prepare(),
    bucket: db.select().from(throttlePickups).where(eq(throttlePickups.pickupId, p('pickupId'))).prepare(),
    saveBucket: db
      .insert(throttlePickups)
      .values({ pickupId: p('pickupId'), tokens: p('tokens'), updatedAt: p('updatedAt') })
      .onConflictDoUpdate({ target: throttlePickups.pickupId, set: { tokens: sql`excluded.tokens_milli`, updatedAt: sql`excluded.updated_at` } })
      .prepare(),
    saveClient: db
      .insert(throttleClients)
      .values({ pickupId: p('pickupId'), clientKey: p('clientKey'), failures: p('failures'), lastFailureAt: p('at') })
      .onConflictDoUpdate({
        target: [throttleClients.pickupId, throttleClients.clientKey],
        set: { failures: sql`excluded.failures`, lastFailureAt: sql`excluded.last_failure_at` },
      })
      .prepare(),
    clearClient: db
      .delete(throttleClients)
      .where(and(eq(throttleClients.pickupId, p('pickupId')), eq(throttleClients.clientKey, p('clientKey'))))
      .prepare(),
  }));
}

/**
 * Admits one password attempt or refuses it, atomically. An admitted attempt is counted as a
 * failure up front (and cleared on success), so parallel posts from one client cannot slip
 * past the limit while their hashes are being computed.
 */
export function admitAttempt(db: Db, pickupId: string, clientKey: string, now: number): Verdict {
  const q = statements(db);
  return db.transaction(() => {
    const client = q.client.get({ pickupId, clientKey }) ?? null;
    const clientVerdict = checkClient(client, now);
    if (!clientVerdict.allowed) return clientVerdict;

    const bucketRow = q.bucket.get({ pickupId });
    const { verdict, bucket } = takeGuess(bucketRow ? { tokensMilli: bucketRow.tokens, updatedAt: bucketRow.updatedAt } : null, now);
    if (!verdict.allowed) return verdict;
    q.saveBucket.run({ pickupId, tokens: bucket.tokensMilli, updatedAt: bucket.updatedAt });
    q.saveClient.run({ pickupId, clientKey, failures: effectiveFailures(client, now) + 1, at: now });
    return verdict;
  });
}

/** The right password clears that client's record. */
export function clearClient(db: Db, pickupId: string, clientKey: string): void {
  statements(db).clearClient.run({ pickupId, clientKey });
}


export function forgetStaleClients(db: Db, now: number): number {
  return db.delete(throttleClients).where(lt(throttleClients.lastFailureAt, now - FAILURE_MEMORY_MS)).run().changes;
}
