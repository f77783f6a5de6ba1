import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openDb, type Db } from '../../src/db/open.js';
import { throttlePickups } from '../../src/db/schema.js';
import { admitAttempt, clearGuesser, DRAINED_ALERT_EVERY_MS, resetThrottle } from '../../src/db/throttle.js';
import { DAY, HOUR, MINUTE } from '../../src/lib/clock.js';
import { BUCKET_CAPACITY, REFILL_MS, RESERVE } from '../../src/pickup/throttle.js';
import { T0 } from '../helpers.js';

let db: Db;
beforeEach(() => {
  db = openDb(':memory:');
});
afterEach(() => db.$client.close());

/** Client `c` alone in network `n`. */
const who = (c: string, n = `net-${c}`) => ({ client: c, network: n });

describe('the stored throttle', () => {
  it('shares one guess budget per pickup among any number of networks, and keeps a reserve for fresh ones', () => {
    for (let i = 0; i < BUCKET_CAPACITY; i++) expect(admitAttempt(db, 'pk', who(`client-${i}`), T0).allowed, `guess ${i}`).toBe(true);
    expect(admitAttempt(db, 'pk', who('client-fresh'), T0)).toEqual({ allowed: false, tier: 'pickup', retryAfterMs: 2 * MINUTE });
    // Another pickup has its own budget.
    expect(admitAttempt(db, 'other', who('client-fresh'), T0).allowed).toBe(true);
    expect(admitAttempt(db, 'pk', who('client-fresh'), T0 + REFILL_MS).allowed).toBe(true);
  });

  it('stops a spent network at the reserve; a fresh network still gets in', () => {
    // Four networks spend 90 guesses between them, well inside their own limits.
    let n = 0;
    for (let net = 0; net < 5 && n < BUCKET_CAPACITY - RESERVE; net++) {
      for (let k = 0; k < 21 && n < BUCKET_CAPACITY - RESERVE; k++, n++) expect(admitAttempt(db, 'pk', who(`a${net}-${k}`, `attacker-${net}`), T0).allowed).toBe(true);
    }
    // attacker-4 has spent 6 guesses: inside its own limit, but no longer fresh.
    expect(admitAttempt(db, 'pk', who('a4-x', 'attacker-4'), T0)).toMatchObject({ allowed: false, tier: 'pickup' });
    expect(admitAttempt(db, 'pk', who('subscriber', 'home'), T0).allowed).toBe(true);
  });

  it('caps a day of guesses from fresh addresses at 1,000', () => {
    let granted = 0;
    let n = 0;
    for (let t = 0; t < DAY; t += 30_000) {
      for (let k = 0; k < 20; k++) if (admitAttempt(db, 'pk', who(`c${n++}`), T0 + t).allowed) granted++;
    }
    expect(granted).toBeLessThanOrEqual(1000);
    expect(granted).toBeGreaterThan(990);
  });

  it('counts an attempt before its hash is checked, so parallel posts cannot slip past', () => {
    for (let i = 0; i < 11; i++) expect(admitAttempt(db, 'pk', who('me'), T0).allowed).toBe(true);
    expect(admitAttempt(db, 'pk', who('me'), T0)).toEqual({ allowed: false, tier: 'client', retryAfterMs: MINUTE });
    expect(admitAttempt(db, 'pk', who('someone-else'), T0).allowed).toBe(true);
  });

  it('counts 250 addresses of one network as one network: 21 attempts, then a wait', () => {
    let allowed = 0;
    for (let i = 0; i < 250; i++) if (admitAttempt(db, 'pk', who(`203.0.113.${i}`, '203.0.113.0/24'), T0).allowed) allowed++;
    expect(allowed).toBe(21);
    expect(admitAttempt(db, 'pk', who('203.0.113.251', '203.0.113.0/24'), T0 + MINUTE - 1)).toEqual({ allowed: false, tier: 'network', retryAfterMs: 1 });
    expect(admitAttempt(db, 'pk', who('203.0.113.251', '203.0.113.0/24'), T0 + MINUTE).allowed).toBe(true);
  });

  it('forgets a client and its network on success, and waits at most an hour otherwise', () => {
    for (let i = 0; i < 40; i++) expect(admitAttempt(db, 'pk', who('me'), T0 + i * HOUR).allowed, `hour ${i}`).toBe(true);
    const verdict = admitAttempt(db, 'pk', who('me'), T0 + 39 * HOUR + HOUR / 2);
    expect(verdict).toEqual({ allowed: false, tier: 'client', retryAfterMs: HOUR / 2 });
    clearGuesser(db, 'pk', who('me'));
    expect(admitAttempt(db, 'pk', who('me'), T0 + 39 * HOUR + HOUR / 2).allowed).toBe(true);
  });

  it('raises the drained alert once an hour at most, and a reset gives a full budget', () => {
    const alerts: number[] = [];
    for (let i = 0; i < BUCKET_CAPACITY - RESERVE; i++) if ((admitAttempt(db, 'pk', who(`c${i}`), T0) as { drainedAlert: boolean }).drainedAlert) alerts.push(i);
    expect(alerts).toEqual([BUCKET_CAPACITY - RESERVE - 1]);
    expect(db.select().from(throttlePickups).where(eq(throttlePickups.pickupId, 'pk')).get()!.drainedAt).toBe(T0);
    // Refilled past the reserve and drained again within the hour: no second alert; after it, one.
    expect(admitAttempt(db, 'pk', who('x1'), T0 + REFILL_MS)).toEqual({ allowed: true, drainedAlert: false });
    expect(admitAttempt(db, 'pk', who('x2'), T0 + DRAINED_ALERT_EVERY_MS - 1)).toEqual({ allowed: true, drainedAlert: false });
    for (let i = 0; ; i++) {
      const r = admitAttempt(db, 'pk', who(`y${i}`), T0 + DRAINED_ALERT_EVERY_MS);
      if (!r.allowed) throw new Error('never drained again');
      if (r.drainedAlert) break;
    }
    resetThrottle(db, 'pk');
    for (let i = 0; i < BUCKET_CAPACITY; i++) expect(admitAttempt(db, 'pk', who(`z${i}`), T0 + DRAINED_ALERT_EVERY_MS).allowed).toBe(true);
  });
});
