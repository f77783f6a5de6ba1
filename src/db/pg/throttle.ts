import { and, eq, lt, sql } from 'drizzle-orm';
import { PICKUP_LIFETIME_MS } from '../../pickup/deadline.js';
import { admit, FAILURE_MEMORY_MS } from '../../pickup/throttle.js';
import type { AttemptVerdict, Guesser } from '../store.js';
import { DRAINED_ALERT_EVERY_MS } from '../throttle.js';
import type { Db, Q } from './db.js';
import { addEvent } from './events.js';
import * as s from './schema.js';

/**
 * Every change to one pickup's guess counters, on every instance, queues here until the one
 * before it commits: an admission's read, decision and write cannot interleave with another
 * admission, nor with a reset (reissue) or a clear (right password) that would otherwise be lost.
 */
export async function lockThrottle(q: Q, pickupId: string): Promise<void> {
  await q.execute(sql`select pg_advisory_xact_lock(hashtextextended(${'throttle:' + pickupId}, 0))`);
}

export async function admitAttempt(db: Db, pickupId: string, who: Guesser, now: number): Promise<AttemptVerdict> {
  return db.transaction(async (tx) => {
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

export async function recordPasswordOk(db: Db, pickupId: string, who: Guesser, now: number, client: string) {
  await db.transaction(async (tx) => {
    await lockThrottle(tx, pickupId);
    await tx.delete(s.throttleClients).where(and(eq(s.throttleClients.pickupId, pickupId), eq(s.throttleClients.clientKey, who.client)));
    await tx.delete(s.throttleNetworks).where(and(eq(s.throttleNetworks.pickupId, pickupId), eq(s.throttleNetworks.networkKey, who.network)));
    await addEvent(tx, pickupId, now, 'password-ok', { client });
  });
}

export async function forgetStaleClients(db: Db, now: number) {
  const clients = await db.delete(s.throttleClients).where(lt(s.throttleClients.lastFailureAt, now - FAILURE_MEMORY_MS)).returning({ k: s.throttleClients.clientKey });
  const networks = await db.delete(s.throttleNetworks).where(lt(s.throttleNetworks.lastFailureAt, now - PICKUP_LIFETIME_MS)).returning({ k: s.throttleNetworks.networkKey });
  return clients.length + networks.length;
}
