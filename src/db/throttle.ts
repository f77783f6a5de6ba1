import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from './open.js';
import type { AttemptVerdict, Guesser } from './store.js';
import { prepared } from './prepared.js';
import { throttleClients, throttleNetworks, throttlePickups } from './schema.js';
import { HOUR } from '../lib/clock.js';
import { PICKUP_LIFETIME_MS } from '../pickup/deadline.js';
import { admit, FAILURE_MEMORY_MS } from '../pickup/throttle.js';

/** Staff hear of a drained bucket at most this often per pickup. */
export const DRAINED_ALERT_EVERY_MS = HOUR;

/** The throttle's queries, prepared once per connection: they run on every password post. */
function statements(db: Db) {
  const p = sql.placeholder;
  return prepared(db, 'throttle', () => ({
    client: db
      .select()
      .from(throttleClients)
      .where(and(eq(throttleClients.pickupId, p('pickupId')), eq(throttleClients.clientKey, p('clientKey'))))
      .prepare(),
    network: db
      .select()
      .from(throttleNetworks)
      .where(and(eq(throttleNetworks.pickupId, p('pickupId')), eq(throttleNetworks.networkKey, p('networkKey'))))
      .prepare(),
    bucket: db.select().from(throttlePickups).where(eq(throttlePickups.pickupId, p('pickupId'))).prepare(),
    saveBucket: db
      .insert(throttlePickups)
      .values({ pickupId: p('pickupId'), tokens: p('tokens'), updatedAt: p('updatedAt'), drainedAt: p('drainedAt') })
      .onConflictDoUpdate({
        target: throttlePickups.pickupId,
        set: { tokens: sql`excluded.tokens_milli`, updatedAt: sql`excluded.updated_at`, drainedAt: sql`excluded.drained_at` },
      })
      .prepare(),
    saveClient: db
      .insert(throttleClients)
      .values({ pickupId: p('pickupId'), clientKey: p('clientKey'), failures: p('failures'), lastFailureAt: p('at') })
      .onConflictDoUpdate({
        target: [throttleClients.pickupId, throttleClients.clientKey],
        set: { failures: sql`excluded.failures`, lastFailureAt: sql`excluded.last_failure_at` },
      })
      .prepare(),
    saveNetwork: db
      .insert(throttleNetworks)
      .values({ pickupId: p('pickupId'), networkKey: p('networkKey'), failures: p('failures'), lastFailureAt: p('at') })
      .onConflictDoUpdate({
        target: [throttleNetworks.pickupId, throttleNetworks.networkKey],
        set: { failures: sql`excluded.failures`, lastFailureAt: sql`excluded.last_failure_at` },
      })
      .prepare(),
    clearClient: db
      .delete(throttleClients)
      .where(and(eq(throttleClients.pickupId, p('pickupId')), eq(throttleClients.clientKey, p('clientKey'))))
      .prepare(),
    clearNetwork: db
      .delete(throttleNetworks)
      .where(and(eq(throttleNetworks.pickupId, p('pickupId')), eq(throttleNetworks.networkKey, p('networkKey'))))
      .prepare(),
  }));
}

/**
 * Admits one password attempt or refuses it, atomically (the rules are in pickup/throttle.ts).
 * `drainedAlert` is true when this attempt drained the bucket into its reserve and staff have not
 * been told within the last hour.
 */
export function admitAttempt(db: Db, pickupId: string, who: Guesser, now: number): AttemptVerdict {
  const q = statements(db);
  return db.transaction(() => {
    const bucketRow = q.bucket.get({ pickupId }) ?? null;
    const decision = admit(
      {
        client: q.client.get({ pickupId, clientKey: who.client }) ?? null,
        network: q.network.get({ pickupId, networkKey: who.network }) ?? null,
        bucket: bucketRow ? { tokensMilli: bucketRow.tokens, updatedAt: bucketRow.updatedAt } : null,
      },
      now,
    );
    if (!decision.allowed) return decision;
    const lastAlert = bucketRow?.drainedAt ?? null;
    const drainedAlert = decision.drained && (lastAlert === null || now - lastAlert >= DRAINED_ALERT_EVERY_MS);
    q.saveBucket.run({ pickupId, tokens: decision.bucket.tokensMilli, updatedAt: decision.bucket.updatedAt, drainedAt: drainedAlert ? now : lastAlert });
    q.saveClient.run({ pickupId, clientKey: who.client, failures: decision.client.failures, at: now });
    q.saveNetwork.run({ pickupId, networkKey: who.network, failures: decision.network.failures, at: now });
    return { allowed: true, drainedAlert };
  });
}

/** The right password clears that client's and that network's records. */
export function clearGuesser(db: Db, pickupId: string, who: Guesser): void {
  const q = statements(db);
  q.clearClient.run({ pickupId, clientKey: who.client });
  q.clearNetwork.run({ pickupId, networkKey: who.network });
}

/** A new URL starts with a full budget: the old one's guessers no longer hold it. */
export function resetThrottle(db: Db, pickupId: string): void {
  db.delete(throttleClients).where(eq(throttleClients.pickupId, pickupId)).run();
  db.delete(throttleNetworks).where(eq(throttleNetworks.pickupId, pickupId)).run();
  db.delete(throttlePickups).where(eq(throttlePickups.pickupId, pickupId)).run();
}

/** Client records a day old, and network records older than any pickup can live. */
export function forgetStaleClients(db: Db, now: number): number {
  const clients = db.delete(throttleClients).where(lt(throttleClients.lastFailureAt, now - FAILURE_MEMORY_MS)).run().changes;
  const networks = db.delete(throttleNetworks).where(lt(throttleNetworks.lastFailureAt, now - PICKUP_LIFETIME_MS)).run().changes;
  return clients + networks;
}
