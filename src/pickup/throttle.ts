import { DAY, HOUR, MINUTE } from '../lib/clock.js';

/**
 * Two limits, both kept in SQLite so a restart forgets nothing:
 *
 * Per client (keyed hash of the address, per pickup): the first FREE_FAILURES failures cost
 * nothing. After that each failure doubles the wait, from one minute up to a one-hour ceiling.
 * Failures older than a day are forgotten; a success clears the client's record.
 *
 * Per pickup (all clients together): a token bucket holding BUCKET_CAPACITY guesses that refills
 * one guess every REFILL_MS. In any 24 hours at most CAPACITY + 24h/REFILL = 100 + 900 = 1,000
 * guesses are possible, and the wait for the next guess is never longer than REFILL_MS.
 */
export const FREE_FAILURES = 10;
export const FIRST_DELAY_MS = MINUTE;
export const MAX_DELAY_MS = HOUR;
export const FAILURE_MEMORY_MS = DAY;
export const BUCKET_CAPACITY = 100;
export const REFILL_MS = 96_000;

export type ClientRecord = { failures: number; lastFailureAt: number };
export type Bucket = { tokensMilli: number; updatedAt: number };
export type Verdict = { allowed: true } | { allowed: false; retryAfterMs: number };

export function clientDelayMs(failures: number): number {
  if (failures <= FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(failures - FREE_FAILURES - 1, 20));
}

export function effectiveFailures(record: ClientRecord | null, now: number): number {
  if (!record || now - record.lastFailureAt >= FAILURE_MEMORY_MS) return 0;
  return record.failures;
}

export function checkClient(record: ClientRecord | null, now: number): Verdict {
  const failures = effectiveFailures(record, now);
  const delay = clientDelayMs(failures);
  if (delay === 0 || !record) return { allowed: true };
  const until = record.lastFailureAt + delay;
  return now >= until ? { allowed: true } : { allowed: false, retryAfterMs: until - now };
}

const MS_PER_MILLI_TOKEN = REFILL_MS / 1000;

export function refill(bucket: Bucket | null, now: number): Bucket {
  const full = BUCKET_CAPACITY * 1000;
  if (!bucket) return { tokensMilli: full, updatedAt: now };
  const gained = Math.floor(Math.max(0, now - bucket.updatedAt) / MS_PER_MILLI_TOKEN);
  if (bucket.tokensMilli + gained >= full) return { tokensMilli: full, updatedAt: now };
  // Advance only by the time actually converted, so frequent calls cannot starve the refill.
  return { tokensMilli: bucket.tokensMilli + gained, updatedAt: bucket.updatedAt + gained * MS_PER_MILLI_TOKEN };
}

/** Takes one guess from the bucket, or says how long until one is there. */
export function takeGuess(bucket: Bucket | null, now: number): { verdict: Verdict; bucket: Bucket } {
  const current = refill(bucket, now);
  if (current.tokensMilli >= 1000) {
    return { verdict: { allowed: true }, bucket: { ...current, tokensMilli: current.tokensMilli - 1000 } };
  }
  const retryAfterMs = Math.max(1, current.updatedAt + (1000 - current.tokensMilli) * MS_PER_MILLI_TOKEN - now);
  return { verdict: { allowed: false, retryAfterMs }, bucket: current };
}
