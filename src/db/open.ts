import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';
import { prepared } from './prepared.js';
import { fromRoot } from '../lib/project-root.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** Bytes the WAL file is truncated to after a checkpoint. */
export const WAL_SIZE_LIMIT = 4 * 1024 * 1024;


/**
 * `full`: every commit is on disk before it returns (staff commands: a printed password must
 * never name a pickup that a power cut erased). `normal`: WAL commits survive any process
 * crash; a power cut may undo the last moments of page views, throttle counts or a window
 * start, but never a pickup. The server uses `normal` on its request path.
 */
export type Durability = 'full' | 'normal';

/**
 * Opens (or creates) the database and applies the committed migrations. WAL lets the staff
 * commands write while the server runs; secure_delete overwrites the pages a destroyed sealed
 * file occupied.
 */
export function openDb(file: string, durability: Durability = 'full'): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const sqlite = new Database(file);
  if (file !== ':memory:') fs.chmodSync(file, 0o600);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(durability === 'full' ? 'synchronous = FULL' : 'synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('secure_delete = ON');
  // After each checkpoint the WAL file is cut back to this size, so it cannot grow without bound.
  sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder: fromRoot('drizzle') });
  return db;
}

export function dbFile(dataDir: string): string {
  return path.join(dataDir, 'uketori.db');
}

/** A trivial read, for /healthz: proves the database file is open and answering. */
export function pingDb(db: Db): void {
  prepared(db, 'ping', () => db.$client.prepare('select 1')).get();
}

/**
 * Copies the WAL into the database and empties it; false when it could not. With another
 * connection reading, SQLite reports `busy` (it does not throw): the caller keeps a flag and
 * tries again (see sweep.ts).
 */
export function truncateWal(db: Db): boolean {
  // Never wait for another connection here: on the server this runs on the event loop.
  const busy = db.$client.pragma('busy_timeout', { simple: true }) as number;
  db.$client.pragma('busy_timeout = 0');
  try {
    const [result] = db.$client.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    return result !== undefined && result.busy === 0 && result.log <= 0;
  } catch {
    // SQLITE_BUSY as an error: a writer is active.
    return false;
  } finally {
    db.$client.pragma(`busy_timeout = ${busy}`);
  }
}
