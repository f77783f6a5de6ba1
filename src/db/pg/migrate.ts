import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';
import { fromRoot } from '../../lib/project-root.js';

/** Any fixed 64-bit number: every Uketori instance takes the same lock before migrating. */
const MIGRATION_LOCK = 0x756b65746f7269n;

/**
 * Applies the committed drizzle/pg migrations. Instances starting together queue on a session
 * advisory lock, so one migrates and the others find nothing left to do.
 */
export async function migratePg(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
    try {
      await migrate(drizzle({ client }), { migrationsFolder: fromRoot('drizzle/pg') });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]);
    }
  } finally {
    client.release();
  }
}
