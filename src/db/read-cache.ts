import type Database from 'better-sqlite3';
import { BoundedMap } from '../lib/bounded-map.js';

/** How many reads are kept at once; the one read longest ago goes first. A pickup row with its sealed file is about 10 KB. */
export const READ_CACHE_ENTRIES = 256;

/**
 * Reads through one SQLite connection, kept only while nothing in the database can have changed
 * since they were made. Before every answer from memory the connection is asked two counters:
 * `data_version`, which moves when any other connection (a staff command, another process)
 * commits, and `total_changes()`, which moves with every row this connection inserts, updates or
 * deletes (trigger programs and foreign-key actions included), committed or not. When either has
 * moved since the last read, everything kept is dropped, so a state change is seen by the very
 * next read, wherever it was written, and a sealed file the sweep destroyed is not held on to in
 * memory either. The price is two trivial statements instead of the read itself.
 *
 * Inside a transaction nothing is kept or answered from memory: what it reads may be rolled back.
 * Schema changes and ATTACHed databases move neither counter; the portal makes none at run time.
 * The values are frozen, as the callers share them.
 */
export class ReadCache {
  readonly #sqlite: Database.Database;
  readonly #dataVersion: Database.Statement<[], number>;
  readonly #changes: Database.Statement<[], number>;
  readonly #kept: BoundedMap<string, object>;
  #seenVersion = -1;
  #seenChanges = -1;

  constructor(sqlite: Database.Database, limit = READ_CACHE_ENTRIES) {
    this.#sqlite = sqlite;
    // Two statements: the table-valued pragma_data_version() that could ask both at once costs more.
    this.#dataVersion = sqlite.prepare<[], number>('pragma data_version').pluck();
    this.#changes = sqlite.prepare<[], number>('select total_changes()').pluck();
    this.#kept = new BoundedMap(limit);
  }

  /** `load`'s value for `key`, from memory when the database is as it was when it was read. */
  read<T extends object>(key: string, load: () => T | null): T | null {
    if (this.#sqlite.inTransaction) return load();
    const dataVersion = this.#dataVersion.get()!;
    const changes = this.#changes.get()!;
    if (dataVersion !== this.#seenVersion || changes !== this.#seenChanges) {
      this.#kept.clear();
      this.#seenVersion = dataVersion;
      this.#seenChanges = changes;
    }
    // A hit counts as a use: the limit drops the entry read longest ago.
    const kept = this.#kept.get(key) as T | undefined;
    if (kept !== undefined) return kept;
    const value = load();
    // A miss is not kept: an unknown token costs its read every time, and cannot push out the
    // rows of live pickups.
    if (value === null) return null;
    this.#kept.set(key, deepFreeze(value));
    return value;
  }

  /** How many reads are kept now (for tests). */
  get size(): number {
    return this.#kept.size;
  }
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (inner !== null && typeof inner === 'object') deepFreeze(inner as object);
  return Object.freeze(value);
}
