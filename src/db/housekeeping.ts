import { eq } from 'drizzle-orm';
import type { Db } from './open.js';
import { housekeeping } from './schema.js';

/** Chores one process may owe and another may finish (the server's sweep, `staff purge`). */
export type Chore = 'wal-truncate';

export function owe(db: Db, chore: Chore, now: number): void {
  db.insert(housekeeping).values({ name: chore, since: now }).onConflictDoNothing().run();
}

export function isOwed(db: Db, chore: Chore): boolean {
  return db.select().from(housekeeping).where(eq(housekeeping.name, chore)).get() !== undefined;
}

export function settle(db: Db, chore: Chore): void {
  db.delete(housekeeping).where(eq(housekeeping.name, chore)).run();
}
