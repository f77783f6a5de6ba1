import { DAY } from '../lib/clock.js';

/** A download URL lives this long from the certificate's issuance. */
export const PICKUP_LIFETIME_MS = 30 * DAY;

/**
 * The last moment a pickup can be downloaded, before any window starts: 30 days from issuance,
 * but never past the certificate's own notAfter (an imported certificate may expire sooner).
 * Computed once when the pickup is created and stored as `expires_at`.
 */
export function pickupDeadline(issuedAt: number, certNotAfter: number): number {
  return Math.min(issuedAt + PICKUP_LIFETIME_MS, certNotAfter);
}
