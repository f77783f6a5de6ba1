import fs from 'node:fs';
import { loadConfig, redactedUrl, type DatabaseConfig } from '../../config.js';
import type { TableCopy } from '../../db/copy-store.js';
import { dbFile } from '../../db/open.js';
import type { PgStore } from '../../db/pg/pg-store.js';
import { SqliteStore } from '../../db/sqlite-store.js';
import { verifyKeyChecks } from '../../secrets/key-check.js';
import { loadSecrets } from '../../secrets/keyring.js';
import { printJson, UsageError, type Command } from '../context.js';

function table(rows: TableCopy[]): string {
  return rows.map((r) => `  ${r.table.padEnd(18)} ${String(r.rows).padStart(8)} rows  sha256 ${r.checksum.slice(0, 16)}…`).join('\n');
}

/** The target's settings: its URL from --to, pool size and statement timeout from the environment (a large copy may need more). */
export function targetConfig(to: string, env: Record<string, string | undefined>): DatabaseConfig {
  return loadConfig({ DATABASE_URL: to, DATABASE_POOL_MAX: env.DATABASE_POOL_MAX, DATABASE_STATEMENT_TIMEOUT_MS: env.DATABASE_STATEMENT_TIMEOUT_MS }).database!;
}

/**
 * `migrate-store --to postgres://…`: copies this DATA_DIR's SQLite deployment into an empty
 * PostgreSQL database and proves the copy (counts and a checksum per table). The server must be
 * stopped meanwhile, or pickups changed during the copy would be left behind.
 */
export const migrateStore: Command = {
  name: 'migrate-store',
  summary: 'Copy the SQLite deployment in DATA_DIR into an empty PostgreSQL database, verified per table (--dry-run: only say what it would copy).',
  usage: 'migrate-store --to postgres://user:password@host/database [--dry-run] [--json]',
  options: { to: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
  async run(ctx, args) {
    const to = typeof args.values.to === 'string' ? args.values.to : '';
    if (!to) throw new UsageError('name the target: migrate-store --to postgres://user:password@host/database');
    const target = targetConfig(to, ctx.env);
    const deps = await ctx.deps();
    const sourceConfig = deps.config;
    if (sourceConfig.database) throw new UsageError('the source is the SQLite database in DATA_DIR: run this with DATABASE_URL unset');
    if (!fs.existsSync(dbFile(sourceConfig.dataDir))) throw new UsageError(`there is no database in ${sourceConfig.dataDir} to copy`);
    const sqlite = deps.store as SqliteStore;
    // Loaded here, not at the top: every other staff command would otherwise load pg at start-up.
    const { copySqliteToPg, CopyMismatchError, describeSqlite, inspectTarget, nonEmptyTables } = await import('../../db/copy-store.js');
    const dryRun = args.values['dry-run'] === true;
    const refuseBusy = (busy: string[]) => {
      if (busy.length > 0) throw new UsageError(`the target ${redactedUrl(to)} is not empty (${busy.join(', ')} hold rows); it must be a new, empty database`);
    };
    if (dryRun) {
      refuseBusy(await inspectTarget(target));
      const source = describeSqlite(sqlite.db);
      if (args.values.json) printJson(ctx, { dryRun: true, target: redactedUrl(to), tables: source });
      else ctx.stdout(`Would copy into ${redactedUrl(to)} (reachable, empty):\n${table(source)}\nNothing was written.\n`);
      return 0;
    }
    const { openPgStore } = await import('../../db/pg/pg-store.js');
    // Opening applies the PostgreSQL migrations (under the advisory lock): an empty database gets the tables.
    let pgStore: PgStore | null = null;
    try {
      pgStore = await openPgStore(target);
      refuseBusy(await nonEmptyTables(pgStore));
      let copied: TableCopy[];
      try {
        copied = (await copySqliteToPg(sqlite.db, pgStore)).target;
      } catch (err) {
        if (!(err instanceof CopyMismatchError)) throw err;
        ctx.stderr(`staff migrate-store: ${err.message}\n`);
        return 2;
      }
      // The keys of this deployment become the keys every PostgreSQL instance must be given.
      await verifyKeyChecks(pgStore, loadSecrets(sourceConfig, deps.clock(), deps.random), deps.clock());
      if (args.values.json) printJson(ctx, { dryRun: false, target: redactedUrl(to), tables: copied, verified: true });
      else {
        ctx.stdout(
          `Copied into ${redactedUrl(to)} and verified (counts and checksums match):\n${table(copied)}\n` +
            'Next: give every instance DATABASE_URL and the same PASSWORD_PEPPER, SESSION_KEY and SEAL_KEYS as this DATA_DIR holds (see docs/several-instances.md).\n',
        );
      }
      return 0;
    } finally {
      await pgStore?.close();
    }
  },
};
