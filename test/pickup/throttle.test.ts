import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../src/lib/clock.js';
import {
  admit,
  BUCKET_CAPACITY,
  checkClient,
  checkNetwork,
  clientDelayMs,
  effectiveFailures,
  FREE_FAILURES,
  FRESH_NETWORK_GUESSES,
  isFreshNetwork,
  MAX_DELAY_MS,
  NETWORK_FREE_FAILURES,
  networkDelayMs,
  REFILL_MS,
  RESERVE,
  roundedWait,
  takeGuess,
  type Bucket,
} from '../../src/pickup/throttle.js';

const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);

/** A bucket holding exactly `tokens` whole guesses at T0. */
const holding = (tokens: number): Bucket => ({ tokensMilli: tokens * 1000, updatedAt: T0 });

describe('client tier', () => {
  it('never delays the first ten mistakes', () => {
    for (let f = 0; f <= FREE_FAILURES; f++) expect(clientDelayMs(f)).toBe(0);
    expect(checkClient({ failures: FREE_FAILURES, lastFailureAt: T0 }, T0)).toEqual({ allowed: true });
  });

  it('delays from the eleventh mistake, doubling to a one-hour ceiling, exact at each edge', () => {
    expect(clientDelayMs(11)).toBe(MINUTE);
    expect(clientDelayMs(12)).toBe(2 * MINUTE);
    expect(clientDelayMs(17)).toBe(MAX_DELAY_MS);
    expect(clientDelayMs(10_000)).toBe(HOUR);
    expect(checkClient({ failures: 11, lastFailureAt: T0 }, T0 + MINUTE - 1)).toEqual({ allowed: false, retryAfterMs: 1 });
    expect(checkClient({ failures: 11, lastFailureAt: T0 }, T0 + MINUTE)).toEqual({ allowed: true });
    expect(checkClient({ failures: 500, lastFailureAt: T0 }, T0 + HOUR - 1)).toEqual({ allowed: false, retryAfterMs: 1 });
    expect(checkClient({ failures: 500, lastFailureAt: T0 }, T0 + HOUR)).toEqual({ allowed: true });
  });

  it('forgets failures after a day, not 1 ms before', () => {
    expect(effectiveFailures({ failures: 50, lastFailureAt: T0 }, T0 + DAY - 1)).toBe(50);
    expect(effectiveFailures({ failures: 50, lastFailureAt: T0 }, T0 + DAY)).toBe(0);
    expect(checkClient({ failures: 50, lastFailureAt: T0 }, T0 + DAY)).toEqual({ allowed: true });
  });
});

describe('network tier (/24, /48)', () => {
  it('lets one network make twenty-one attempts at once, then waits a minute, exact at each edge', () => {
    expect(networkDelayMs(NETWORK_FREE_FAILURES)).toBe(0);
    expect(networkDelayMs(NETWORK_FREE_FAILURES + 1)).toBe(MINUTE);
    expect(networkDelayMs(NETWORK_FREE_FAILURES + 7)).toBe(HOUR);
    expect(checkNetwork({ failures: NETWORK_FREE_FAILURES, lastFailureAt: T0 }, T0)).toEqual({ allowed: true });
    expect(checkNetwork({ failures: NETWORK_FREE_FAILURES + 1, lastFailureAt: T0 }, T0 + MINUTE - 1)).toEqual({ allowed: false, retryAfterMs: 1 });
    expect(checkNetwork({ failures: NETWORK_FREE_FAILURES + 1, lastFailureAt: T0 }, T0 + MINUTE)).toEqual({ allowed: true });
  });

  it('does not forget a network within the pickup: after a quiet day it still waits its hour', () => {
    expect(checkNetwork({ failures: 40, lastFailureAt: T0 }, T0 + DAY + HOUR - 1)).toEqual({ allowed: true });
    expect(networkDelayMs(40)).toBe(HOUR);
  });

  it('calls a network fresh below three spent guesses, and not at three', () => {
    expect(isFreshNetwork(null)).toBe(true);
    expect(isFreshNetwork({ failures: FRESH_NETWORK_GUESSES - 1, lastFailureAt: T0 })).toBe(true);
    expect(isFreshNetwork({ failures: FRESH_NETWORK_GUESSES, lastFailureAt: T0 })).toBe(false);
  });
});

describe('the guess bucket and its reserve', () => {
  it('lets anyone take a guess down to the reserve, and only fresh networks below it', () => {
    expect(takeGuess(holding(RESERVE + 1), T0, false)).toMatchObject({ allowed: true, bucket: holding(RESERVE) });
    expect(takeGuess(holding(RESERVE), T0, false)).toMatchObject({ allowed: false });
    expect(takeGuess(holding(RESERVE), T0, true)).toMatchObject({ allowed: true, bucket: holding(RESERVE - 1) });
    expect(takeGuess(holding(1), T0, true)).toMatchObject({ allowed: true, bucket: holding(0) });
    expect(takeGuess(holding(0), T0, true)).toMatchObject({ allowed: false });
  });

  it('refills one guess at exactly 96 s, not 1 ms before', () => {
    expect(takeGuess(holding(0), T0 + REFILL_MS - 1, true).allowed).toBe(false);
    expect(takeGuess(holding(0), T0 + REFILL_MS, true).allowed).toBe(true);
    expect(takeGuess(holding(RESERVE), T0 + REFILL_MS - 1, false).allowed).toBe(false);
    expect(takeGuess(holding(RESERVE), T0 + REFILL_MS, false).allowed).toBe(true);
  });

  it('says drained on the guess that carries the bucket into the reserve, and only then', () => {
    expect(takeGuess(holding(RESERVE + 2), T0, false)).toMatchObject({ allowed: true, drained: false });
    expect(takeGuess(holding(RESERVE + 1), T0, false)).toMatchObject({ allowed: true, drained: true });
    expect(takeGuess(holding(RESERVE), T0, true)).toMatchObject({ allowed: true, drained: false });
  });

  it('rounds the wait up to whole minutes, so a refusal never names the refill instant', () => {
    expect(roundedWait(1)).toBe(MINUTE);
    expect(roundedWait(MINUTE)).toBe(MINUTE);
    expect(roundedWait(MINUTE + 1)).toBe(2 * MINUTE);
    let bucket: Bucket | null = null;
    for (let i = 0; i < BUCKET_CAPACITY; i++) {
      const r = takeGuess(bucket, T0);
      bucket = r.bucket;
    }
    expect(takeGuess(bucket, T0)).toMatchObject({ allowed: false, retryAfterMs: 2 * MINUTE });
    expect(takeGuess(bucket, T0 + REFILL_MS - 1)).toMatchObject({ allowed: false, retryAfterMs: MINUTE });
    // A spent network waits for the bucket to climb out of the reserve: eleven refills.
    expect(takeGuess(bucket, T0, false)).toMatchObject({ allowed: false, retryAfterMs: roundedWait((RESERVE + 1) * REFILL_MS) });
  });

  it('allows at most 1,000 guesses in any 24 hours, however they are spread', () => {
    let bucket: Bucket | null = null;
    let granted = 0;
    for (let t = 0; t < DAY; t += 1000) {
      const r = takeGuess(bucket, T0 + t);
      bucket = r.bucket;
      if (r.allowed) granted++;
    }
    expect(granted).toBeLessThanOrEqual(1000);
    expect(granted).toBeGreaterThanOrEqual(BUCKET_CAPACITY + Math.floor(DAY / REFILL_MS) - 1);
  });

  it('keeps the 30-day success chance of a URL holder below 1e-9', () => {
    const guesses = BUCKET_CAPACITY + (30 * DAY) / REFILL_MS;
    expect(guesses).toBe(27_100);
    expect(guesses / 55 ** 8).toBeLessThan(1e-9);
  });
});

describe('admit: the three tiers together', () => {
  it('counts the attempt on the client and the network, and spends one guess', () => {
    const r = admit({ client: null, network: null, bucket: null }, T0);
    expect(r).toEqual({
      allowed: true,
      client: { failures: 1, lastFailureAt: T0 },
      network: { failures: 1, lastFailureAt: T0 },
      bucket: holding(BUCKET_CAPACITY - 1),
      drained: false,
    });
  });

  it('names the tier that refused', () => {
    const late = { failures: 11, lastFailureAt: T0 };
    expect(admit({ client: late, network: null, bucket: null }, T0)).toEqual({ allowed: false, tier: 'client', retryAfterMs: MINUTE });
    expect(admit({ client: null, network: { failures: 21, lastFailureAt: T0 }, bucket: null }, T0)).toEqual({ allowed: false, tier: 'network', retryAfterMs: MINUTE });
    expect(admit({ client: null, network: { failures: 3, lastFailureAt: T0 }, bucket: holding(RESERVE) }, T0)).toMatchObject({ allowed: false, tier: 'pickup' });
    expect(admit({ client: null, network: { failures: 2, lastFailureAt: T0 }, bucket: holding(RESERVE) }, T0)).toMatchObject({ allowed: true });
  });
});
