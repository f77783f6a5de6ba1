import { MINUTE } from '../lib/clock.js';

/**
 * Events anyone holding the URL can cause at line rate (page views, throttled guesses) go on the
 * timeline at most once per this interval and pickup, so a crawler or a guesser can neither
 * bloat the database nor bury the timeline.
 */
export const RATE_LIMITED_EVENT_MS = MINUTE;

/** Whether an event of a rate-limited kind is recorded now, given when the last one was. */
export function isEventDue(lastAt: number | null, now: number): boolean {
  return lastAt === null || now - lastAt >= RATE_LIMITED_EVENT_MS;
}
