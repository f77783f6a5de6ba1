import { DAY, HOUR } from '../lib/clock.js';

export const PICKUP_LIFETIME_MS = 30 * DAY;
export const WINDOW_MS = HOUR;

export type PickupTimes = {
  issuedAt: number;
  expiresAt: number;
  windowStartedAt: number | null;
  cancelledAt: number | null;
};

/**
 * pending: waiting for the first Download press; window: inside the one-hour window;
 * downloaded: the window has closed; expired: 30 days passed first; cancelled: staff blocked it.
 */
export type PickupState = 'pending' | 'window' | 'downloaded' | 'expired' | 'cancelled';

export function expiryFor(issuedAt: number): number {
  return issuedAt + PICKUP_LIFETIME_MS;
}

/** When downloads stop being possible: the window's end or the 30-day limit, whichever is first. */
export function downloadDeadline(p: PickupTimes): number {
  return p.windowStartedAt === null ? p.expiresAt : Math.min(p.windowStartedAt + WINDOW_MS, p.expiresAt);
}

export function pickupState(p: PickupTimes, now: number): PickupState {
  if (p.cancelledAt !== null && p.cancelledAt <= now) return 'cancelled';
  if (p.windowStartedAt !== null) return now < downloadDeadline(p) ? 'window' : 'downloaded';
  return now < p.expiresAt ? 'pending' : 'expired';
}

export function isLive(state: PickupState): boolean {
  return state === 'pending' || state === 'window';
}
