import { BoundedMap } from '../lib/bounded-map.js';
import { isEventDue } from '../pickup/event-rate.js';

/** Enough for every pickup a busy day has open at once; past it the oldest entry goes. */
const MAX_ENTRIES = 10_000;

/**
 * The newest rate-limited event (page view, throttled guess, repeat download) this process
 * knows of, per pickup and kind: one it wrote, or one it read that another process wrote. Events
 * are only ever added, so a time here is never later than the newest row in the database: when
 * this map says one is less than a minute old, the database would say so too, and skipping the
 * read changes nothing. When the map does not know, or its time is a minute old, the database is
 * asked as before.
 */
export class RecentEvents {
  // Ordered by the last remember(): a pickup still being viewed is remembered again each minute.
  readonly #at: BoundedMap<string, number>;

  constructor(maxEntries = MAX_ENTRIES) {
    this.#at = new BoundedMap(maxEntries);
  }

  /** True when a row of this kind for this pickup is known to be less than a minute old at now. */
  isRecent(pickupId: string, kind: string, now: number): boolean {
    const at = this.#at.peek(`${kind} ${pickupId}`);
    return at !== undefined && !isEventDue(at, now);
  }

  /**
   * Call with a committed row's time (one written, or one read), never before the commit: a
   * rolled-back write must not count. Of two times the later is kept, since requests may finish
   * out of order.
   */
  remember(pickupId: string, kind: string, at: number): void {
    const key = `${kind} ${pickupId}`;
    const known = this.#at.peek(key);
    this.#at.set(key, known === undefined ? at : Math.max(known, at));
  }

  get size(): number {
    return this.#at.size;
  }
}

const byConnection = new WeakMap<object, RecentEvents>();

/** One memory per database connection (each test's fresh database starts with an empty one). */
export function recentEvents(db: object): RecentEvents {
  let memo = byConnection.get(db);
  if (!memo) byConnection.set(db, (memo = new RecentEvents()));
  return memo;
}
