import { MINUTE } from '../lib/clock.js';

/**
 * The per-pickup guess budget shared by every client: a token bucket of BUCKET_CAPACITY guesses
 * refilling one every REFILL_MS, so at most 100 + 900 = 1,000 guesses in any 24 hours.
 *
 * Its last RESERVE guesses are kept for networks that have spent fewer than FRESH_NETWORK_GUESSES
 * guesses on this pickup. Whoever drains the bucket from a few networks therefore stops at the
 * reserve, and a refill that lands in the reserve goes to a fresh network, not to the fastest
 * poller. To keep a subscriber on a fresh network out, an attacker has to spend a guess from a
 * fresh network on every refill, and each network is fresh for only three guesses.
 */
export const BUCKET_CAPACITY = 100;
export const REFILL_MS = 96_000;
export const RESERVE = 10;
export const FRESH_NETWORK_GUESSES = 3;

export type Bucket = { tokensMilli: number; updatedAt: number };

const MS_PER_MILLI_TOKEN = REFILL_MS / 1000;
const FULL = BUCKET_CAPACITY * 1000;
/** Below this level only fresh networks may take a guess. */
const RESERVE_FLOOR = (RESERVE + 1) * 1000;

export function refill(bucket: Bucket | null, now: number): Bucket {
  if (!bucket) return { tokensMilli: FULL, updatedAt: now };
  const gained = Math.floor(Math.max(0, now - bucket.updatedAt) / MS_PER_MILLI_TOKEN);
  if (bucket.tokensMilli + gained >= FULL) return { tokensMilli: FULL, updatedAt: now };
  // Advance only by the time actually converted, so frequent calls cannot starve the refill.
  return { tokensMilli: bucket.tokensMilli + gained, updatedAt: bucket.updatedAt + gained * MS_PER_MILLI_TOKEN };
}

/**
 * A refused client is told to come back after whole minutes: the exact refill instant would only
 * tell a poller when to fire. Never less than one minute.
 */
export function roundedWait(ms: number): number {
  return Math.max(1, Math.ceil(ms / MINUTE)) * MINUTE;
}

export type Take =
  | { allowed: true; bucket: Bucket; drained: boolean }
  | { allowed: false; bucket: Bucket; retryAfterMs: number };

/**
 * Takes one guess, or says (rounded up to the minute) when there may be one. `fresh`: the
 * client's network may use the reserve. `drained` is true when this guess carried the bucket
 * down into the reserve: staff are told, since honest subscribers never get near it.
 */
export function takeGuess(bucket: Bucket | null, now: number, fresh = true): Take {
  const current = refill(bucket, now);
  const floor = fresh ? 1000 : RESERVE_FLOOR;
  if (current.tokensMilli >= floor) {
    const after = current.tokensMilli - 1000;
    return { allowed: true, bucket: { ...current, tokensMilli: after }, drained: current.tokensMilli >= RESERVE_FLOOR && after < RESERVE_FLOOR };
  }
  const exact = current.updatedAt + (floor - current.tokensMilli) * MS_PER_MILLI_TOKEN - now;
  return { allowed: false, bucket: current, retryAfterMs: roundedWait(exact) };
}
