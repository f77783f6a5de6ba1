import { createHash } from 'node:crypto';
import { asc, count, sql, type Column } from 'drizzle-orm';
import type { DatabaseConfig } from '../config.js';
import type { Db } from './open.js';
import { checkReachable, createPool } from './pg/pool.js';
import type { PgStore } from './pg/pg-store.js';
import * as pgSchema from './pg/schema.js';
import * as sqliteSchema from './schema.js';

/** The tables a deployment keeps, parents first; `housekeeping` holds SQLite-only chores and stays behind. */
const TABLES = ['pickups', 'sealedFiles', 'events', 'mailLog', 'pickupFiles', 'throttleClients', 'throttleNetworks', 'throttlePickups', 'keyChecks'] as const;
type TableName = (typeof TABLES)[number];

/** Rows are read and compared in this order on both sides. */
const ORDER: Record<TableName, string[]> = {
  pickups: ['id'],
  sealedFiles: ['pickupId'],
  events: ['id'],
  mailLog: ['id'],
  pickupFiles: ['id'],
  throttleClients: ['pickupId', 'clientKey'],
  throttleNetworks: ['pickupId', 'networkKey'],
  throttlePickups: ['pickupId'],
  keyChecks: ['name'],
};
const WITH_SERIAL: Partial<Record<TableName, string>> = { events: 'events', mailLog: 'mail_log', pickupFiles: 'pickup_files' };
const CHUNK = 500;

export type TableCopy = { table: string; rows: number; checksum: string };

function sqlName(table: TableName): string {
  return table.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** SHA-256 over every row in key order, each as JSON with its columns sorted: equal data, equal sum, on either database. */
function checksum(rows: Array<Record<string, unknown>>): string {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(JSON.stringify(Object.keys(row).sort().map((k) => [k, row[k] ?? null])) + '\n');
  return hash.digest('hex');
}

function readSqlite(db: Db, table: TableName): Array<Record<string, unknown>> {
  const t = sqliteSchema[table];
  const cols = t as unknown as Record<string, Column>;
  return db.select().from(t).orderBy(...ORDER[table].map((c) => asc(cols[c]!))).all() as Array<Record<string, unknown>>;
}

async function readPg(q: Pick<PgStore['db'], 'select'>, table: TableName): Promise<Array<Record<string, unknown>>> {
  const t = pgSchema[table];
  const cols = t as unknown as Record<string, Column>;
  return (await q.select().from(t).orderBy(...ORDER[table].map((c) => asc(cols[c]!)))) as Array<Record<string, unknown>>;
}

/** Every table's rows, read in one SQLite transaction: one consistent moment, whatever writes meanwhile. */
function snapshotSqlite(db: Db): Map<TableName, Array<Record<string, unknown>>> {
  return db.transaction(() => new Map(TABLES.map((table) => [table, readSqlite(db, table)])), { behavior: 'deferred' });
}

function describe(rows: Map<TableName, Array<Record<string, unknown>>>): TableCopy[] {
  return TABLES.map((table) => ({ table: sqlName(table), rows: rows.get(table)!.length, checksum: checksum(rows.get(table)!) }));
}

/** What the SQLite database holds, per table: rows and checksum. */
export function describeSqlite(db: Db): TableCopy[] {
  return describe(snapshotSqlite(db));
}

/** Tables of the target that already hold rows (a target must be empty). */
export async function nonEmptyTables(store: PgStore): Promise<string[]> {
  const found: string[] = [];
  for (const table of TABLES) {
    const [row] = await store.db.select({ n: count() }).from(pgSchema[table]);
    if ((row?.n ?? 0) > 0) found.push(sqlName(table));
  }
  return found;
}

/** The copy differs from its source; nothing was committed. */
export class CopyMismatchError extends Error {
  override name = 'CopyMismatchError';
  constructor(readonly tables: string[]) {
    super(`the copy differs from the source in ${tables.join(', ')}; nothing was written`);
  }
}

/**
 * Copies one snapshot of every table in one PostgreSQL transaction, moves the id sequences past
 * the copied ids, then reads the target back inside that transaction and compares counts and
 * checksums. A mismatch or a failure rolls everything back, so the target stays empty and the run
 * can simply be repeated.
 */
export async function copySqliteToPg(db: Db, store: PgStore): Promise<{ source: TableCopy[]; target: TableCopy[] }> {
  const snapshot = snapshotSqlite(db);
  const source = describe(snapshot);
  const target = await store.db.transaction(async (tx) => {
    for (const table of TABLES) {
      const rows = snapshot.get(table)!;
      for (let i = 0; i < rows.length; i += CHUNK) {
        await tx.insert(pgSchema[table]).values(rows.slice(i, i + CHUNK) as never);
      }
      const seq = WITH_SERIAL[table];
      if (seq && rows.length > 0) {
        await tx.execute(sql.raw(`select setval(pg_get_serial_sequence('${seq}', 'id'), (select max(id) from ${seq}))`));
      }
    }
    const copied: TableCopy[] = [];
    for (const table of TABLES) {
      const rows = await readPg(tx, table);
      copied.push({ table: sqlName(table), rows: rows.length, checksum: checksum(rows) });
    }
    const mismatched = source.filter((s, i) => s.rows !== copied[i]!.rows || s.checksum !== copied[i]!.checksum).map((s) => s.table);
    if (mismatched.length > 0) throw new CopyMismatchError(mismatched);
    return copied;
  });
  return { source, target };
}

/**
 * For a dry run: reaches the target and lists its tables that hold rows, without creating or
 * changing anything (a database never migrated has no tables, which counts as empty).
 */
export async function inspectTarget(config: DatabaseConfig): Promise<string[]> {
  const pool = createPool(config);
  await checkReachable(pool, config);
  try {
    const busy: string[] = [];
    for (const table of TABLES.map(sqlName)) {
      const { rows } = await pool.query('select to_regclass($1) as t', [`public.${table}`]);
      if (!rows[0]?.t) continue;
      const counted = await pool.query(`select exists (select 1 from "${table}") as any`);
      if (counted.rows[0]?.any) busy.push(table);
    }
    return busy;
  } finally {
    await pool.end();
  }
}
