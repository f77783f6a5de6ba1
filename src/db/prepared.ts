import type { Db } from './open.js';

const cache = new WeakMap<Db, Map<string, unknown>>();

/**
 * Builds a query once per connection and reuses it. Drizzle otherwise rebuilds the SQL and
 * better-sqlite3 re-prepares it on every call, which dominated the profile of the hot routes.
 */
export function prepared<T>(db: Db, key: string, build: () => T): T {
  let map = cache.get(db);
  if (!map) cache.set(db, (map = new Map()));
  let query = map.get(key) as T | undefined;
  if (query === undefined) map.set(key, (query = build()));
  return query;
}
