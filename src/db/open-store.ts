import type { Config } from '../config.js';
import { dbFile, openDb, type Durability } from './open.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/**
 * Opens the store the configuration names, with its migrations applied: PostgreSQL when
 * DATABASE_URL is set, else SQLite in DATA_DIR. An unreachable or refusing database is a
 * ConfigError (one line at start-up).
 */
export async function openStore(config: Config, durability: Durability = 'full'): Promise<Store> {
  if (config.database) {
    const { openPgStore } = await import('./pg/pg-store.js');
    return openPgStore(config.database);
  }
  return new SqliteStore(openDb(dbFile(config.dataDir), durability));
}
