import { HOUR } from '../lib/clock.js';

/** How long downloads stay possible after the first press of Download. */
export const WINDOW_MS = HOUR;

/**
 * When a window started at `startedAt` closes: one hour later, or at the pickup's deadline if
 * that comes first. Written once, with the start, as `window_ends_at`; the page uses it to say
 * when the hour would end if Download were pressed now.
 */
export function windowEnd(startedAt: number, expiresAt: number): number {
  return Math.min(startedAt + WINDOW_MS, expiresAt);
}

/** Whether a window started at `startedAt` gets less than the full hour (the deadline cuts it). */
export function windowCutShort(startedAt: number, expiresAt: number): boolean {
  return windowEnd(startedAt, expiresAt) < startedAt + WINDOW_MS;
}
