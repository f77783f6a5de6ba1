import { DAY, HOUR, MINUTE } from '../lib/clock.js';
import { FRESH_NETWORK_GUESSES, takeGuess, type Bucket } from './guess-bucket.js';

export { BUCKET_CAPACITY, FRESH_NETWORK_GUESSES, REFILL_MS, RESERVE, refill, roundedWait, takeGuess, type Bucket } from './guess-bucket.js';

/**
 * Three limits, all kept in SQLite so a restart forgets nothing, all per pickup:
 *
 * Per client (keyed hash of the address, IPv6 by /64): the first FREE_FAILURES failures cost
 * nothing; after that each failure doubles the wait, from one minute up to a one-hour ceiling.
 * Failures older than a day are forgotten; a success clears the record.
 *
 * Per network (keyed hash of the IPv4 /24 or IPv6 /48): the same shape with NETWORK_FREE_FAILURES,
 * so 250 addresses of one /24 are worth one network, not 250 clients. The count lasts the
 * pickup's life (a success clears it): it also decides whether the network is still fresh.
 *
 * Per pickup: the guess bucket (guess-bucket.ts), with its reserve for fresh networks.
 */
export const FREE_FAILURES = 10;
export const NETWORK_FREE_FAILURES = 20;
export const FIRST_DELAY_MS = MINUTE;
export const MAX_DELAY_MS = HOUR;
export const FAILURE_MEMORY_MS = DAY;

export type ClientRecord = { failures: number; lastFailureAt: number };
export type NetworkRecord = { failures: number; lastFailureAt: number };
export type Verdict = { allowed: true } | { allowed: false; retryAfterMs: number };

function doublingDelay(failures: number, free: number): number {
  if (failures <= free) return 0;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(failures - free - 1, 20));
}

export function clientDelayMs(failures: number): number {
  return doublingDelay(failures, FREE_FAILURES);
}

export function networkDelayMs(failures: number): number {
  return doublingDelay(failures, NETWORK_FREE_FAILURES);
}

export function effectiveFailures(record: ClientRecord | null, now: number): number {
  if (!record || now - record.lastFailureAt >= FAILURE_MEMORY_MS) return 0;
  return record.failures;
}

function waitVerdict(lastFailureAt: number, delay: number, now: number): Verdict {
  if (delay === 0) return { allowed: true };
  const until = lastFailureAt + delay;
  return now >= until ? { allowed: true } : { allowed: false, retryAfterMs: until - now };
}

export function checkClient(record: ClientRecord | null, now: number): Verdict {
  if (!record) return { allowed: true };
  return waitVerdict(record.lastFailureAt, clientDelayMs(effectiveFailures(record, now)), now);
}

export function checkNetwork(record: NetworkRecord | null, now: number): Verdict {
  if (!record) return { allowed: true };
  return waitVerdict(record.lastFailureAt, networkDelayMs(record.failures), now);
}

/** A network may use the bucket's reserve while it has spent fewer than three guesses here. */
export function isFreshNetwork(record: NetworkRecord | null): boolean {
  return (record?.failures ?? 0) < FRESH_NETWORK_GUESSES;
}

export type ThrottleState = { client: ClientRecord | null; network: NetworkRecord | null; bucket: Bucket | null };

export type Admission =
  | { allowed: true; client: ClientRecord; network: NetworkRecord; bucket: Bucket; drained: boolean }
  | { allowed: false; tier: 'client' | 'network' | 'pickup'; retryAfterMs: number };

/**
 * One password attempt against the three limits. An admitted attempt is counted as a failure up
 * front (a success clears it later), so parallel posts cannot slip past while hashes run.
 */
export function admit(state: ThrottleState, now: number): Admission {
  const client = checkClient(state.client, now);
  if (!client.allowed) return { allowed: false, tier: 'client', retryAfterMs: client.retryAfterMs };
  const network = checkNetwork(state.network, now);
  if (!network.allowed) return { allowed: false, tier: 'network', retryAfterMs: network.retryAfterMs };
  const take = takeGuess(state.bucket, now, isFreshNetwork(state.network));
  if (!take.allowed) return { allowed: false, tier: 'pickup', retryAfterMs: take.retryAfterMs };
  return {
    allowed: true,
    client: { failures: effectiveFailures(state.client, now) + 1, lastFailureAt: now },
    network: { failures: (state.network?.failures ?? 0) + 1, lastFailureAt: now },
    bucket: take.bucket,
    drained: take.drained,
  };
}
