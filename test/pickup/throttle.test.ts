import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../src/lib/clock.js';
import {
  BUCKET_CAPACITY,
  checkClient,
  clientDelayMs,
  FREE_FAILURES,
  MAX_DELAY_MS,
  REFILL_MS,
  takeGuess,
  type Bucket,
} from '../../src/pickup/throttle.js';

const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);

describe('throttle', () => {
  it('never delays the first ten mistakes', () => {
    for (let f = 0; f <= FREE_FAILURES; f++) expect(clientDelayMs(f)).toBe(0);
    expect(checkClient({ failures: FREE_FAILURES, lastFailureAt: T0 }, T0)).toEqual({ allowed: true });
  });

  it('delays from the eleventh mistake, doubling to a one-hour ceiling', () => {
    expect(clientDelayMs(11)).toBe(MINUTE);
    expect(clientDelayMs(12)).toBe(2 * MINUTE);
    expect(clientDelayMs(17)).toBe(MAX_DELAY_MS);
    expect(clientDelayMs(10_000)).toBe(HOUR);
    expect(checkClient({ failures: 11, lastFailureAt: T0 }, T0 + MINUTE - 1)).toEqual({ allowed: false, retryAfterMs: 1 });
    expect(checkClient({ failures: 11, lastFailureAt: T0 }, T0 + MINUTE)).toEqual({ allowed: true });
    expect(checkClient({ failures: 500, lastFailureAt: T0 }, T0 + HOUR)).toEqual({ allowed: true });
  });

  it('forgets failures after a day', () => {
    expect(checkClient({ failures: 50, lastFailureAt: T0 }, T0 + DAY)).toEqual({ allowed: true });
  });

  it('allows at most 1,000 guesses in any 24 hours, however they are spread', () => {
    let bucket: Bucket | null = null;
    let granted = 0;
    // One attempt every second for a day, from the start with a full bucket.
    for (let t = 0; t < DAY; t += 1000) {
      const r = takeGuess(bucket, T0 + t);
      bucket = r.bucket;
      if (r.verdict.allowed) granted++;
    }
    expect(granted).toBeLessThanOrEqual(1000);
    expect(granted).toBeGreaterThanOrEqual(BUCKET_CAPACITY + Math.floor(DAY / REFILL_MS) - 1);
  });

  it('keeps the 30-day success chance of a URL holder below 1e-9', () => {
    const guesses = BUCKET_CAPACITY + (30 * DAY) / REFILL_MS;
    expect(guesses / 55 ** 8).toBeLessThan(1e-9);
  });

  it('tells an emptied bucket how long to wait, never more than one refill', () => {
    let bucket: Bucket | null = null;
    for (let i = 0; i < BUCKET_CAPACITY; i++) bucket = takeGuess(bucket, T0).bucket;
    const r = takeGuess(bucket, T0);
    expect(r.verdict).toEqual({ allowed: false, retryAfterMs: REFILL_MS });
    expect(takeGuess(r.bucket, T0 + REFILL_MS).verdict).toEqual({ allowed: true });
  });
});
