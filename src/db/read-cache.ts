import type Database from 'better-sqlite3';

/** How many reads are kept at once; the oldest goes first. A pickup row with its sealed file is about 10 KB. */
export const READ_CACHE_ENTRIES = 256;

/**
 * Reads through one SQLite connection, kept only while nothing in the database can have changed
 * since they were made. Before every answer from memory the connection is asked two counters in
 * one statement: `data_version`, which moves when any other connection (a staff command, another
 * process) commits, and `total_changes()`, which moves with every row this connection inserts,
 * updates or deletes, committed or not. When either has moved, everything kept is dropped. A
 * state change is therefore seen by the very next read, wherever it was written; the price is one
 * trivial statement instead of the read itself.
 *
 * Inside a transaction nothing is kept or answered from memory: what it reads may be rolled back.
 * The values are frozen, as the callers share them.
 */
export class ReadCache {
  readonly #sqlite: Database.Database;
  readonly #counters: Database.Statement<[], [number, number]>;
  readonly #limit: number;
  readonly #kept = new Map<string, unknown>();
  #dataVersion = -1;
  #changes = -1;

  constructor(sqlite: Database.Database, limit = READ_CACHE_ENTRIES) {
    this.#sqlite = sqlite;
    this.#counters = sqlite.prepare<[], [number, number]>('select data_version, total_changes() from pragma_data_version').raw();
    this.#limit = limit;
  }

  /** `load`'s value for `key`, from memory when the database is as it was when it was read. */
  read<T extends object>(key: string, load: () => T | null): T | null {
    if (this.#sqlite.inTransaction) return load();
    const [dataVersion, changes] = this.#counters.get()!;
    if (dataVersion !== this.#dataVersion || changes !== this.#changes) {
      this.#kept.clear();
      this.#dataVersion = dataVersion;
      this.#changes = changes;
    }
    const kept = this.#kept.get(key) as T | undefined;
    if (kept !== undefined) return kept;
    const value = load();
    // A miss is not kept: an unknown token costs its read every time, and cannot push out the
    // rows of live pickups.
    if (value === null) return null;
    if (this.#kept.size >= this.#limit) this.#kept.delete(this.#kept.keys().next().value!);
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
