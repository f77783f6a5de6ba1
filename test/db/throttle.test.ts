import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/open.js';
import { admitAttempt, clearClient } from '../../src/db/throttle.js';
import { DAY, HOUR } from '../../src/lib/clock.js';
import { BUCKET_CAPACITY, REFILL_MS } from '../../src/pickup/throttle.js';
import { T0 } from '../helpers.js';

let db: Db;
beforeEach(() => {
  db = openDb(':memory:');
});
afterEach(() => db.$client.close());

describe('the stored throttle', () => {
  it('shares one guess budget per pickup among any number of addresses', () => {
    for (let i = 0; i < BUCKET_CAPACITY; i++) expect(admitAttempt(db, 'pk', `client-${i}`, T0).allowed, `guess ${i}`).toBe(true);
    const refused = admitAttempt(db, 'pk', 'client-fresh', T0);
    expect(refused).toEqual({ allowed: false, retryAfterMs: REFILL_MS });
    // Another pickup has its own budget.
    expect(admitAttempt(db, 'other', 'client-fresh', T0).allowed).toBe(true);
    expect(admitAttempt(db, 'pk', 'client-fresh', T0 + REFILL_MS).allowed).toBe(true);
  });

  it('caps a day of guesses from fresh addresses at 1,000 and 30 days at 27,100', () => {
    let granted = 0;
    let n = 0;
    for (let t = 0; t < DAY; t += 10_000) {
      for (let k = 0; k < 20; k++) if (admitAttempt(db, 'pk', `c${n++}`, T0 + t).allowed) granted++;
    }
    expect(granted).toBeLessThanOrEqual(1000);
    expect(granted).toBeGreaterThan(990);
  });

  it('counts an attempt before its hash is checked, so parallel posts cannot slip past', () => {
    for (let i = 0; i < 11; i++) expect(admitAttempt(db, 'pk', 'me', T0).allowed).toBe(true);
    expect(admitAttempt(db, 'pk', 'me', T0).allowed).toBe(false);
    expect(admitAttempt(db, 'pk', 'someone-else', T0).allowed).toBe(true);
  });

  it('forgets a client on success, and waits at most an hour otherwise', () => {
    // Forty failures an hour apart: every one was allowed, since the wait never passes an hour.
    for (let i = 0; i < 40; i++) expect(admitAttempt(db, 'pk', 'me', T0 + i * HOUR).allowed, `hour ${i}`).toBe(true);
    const verdict = admitAttempt(db, 'pk', 'me', T0 + 39 * HOUR + HOUR / 2);
    expect(verdict).toEqual({ allowed: false, retryAfterMs: HOUR / 2 });
    clearClient(db, 'pk', 'me');
    expect(admitAttempt(db, 'pk', 'me', T0 + 39 * HOUR + HOUR / 2).allowed).toBe(true);
  });
});
