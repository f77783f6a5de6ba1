import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type * as s from './schema.js';

export type Db = NodePgDatabase<typeof s>;
/** A transaction or the pool: what a query helper may run on. */
export type Q = Pick<Db, 'select' | 'insert' | 'update' | 'delete' | 'execute'>;
