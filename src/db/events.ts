import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from './open.js';
import { prepared } from './prepared.js';
import { events, type EventRow } from './schema.js';

export type EventKind =
  | 'created'
  | 'letters-written'
  | 'mailed'
  | 'mail-failed'
  | 'page-view'
  | 'password-failed'
  | 'password-ok'
  | 'throttled'
  | 'window-started'
  | 'downloaded'
  | 'key-destroyed'
  | 'cancelled'
  | 'guess-budget-drained'
  | 'url-reissued'
  | 'files-deleted';

export function addEvent(db: Db, pickupId: string, at: number, kind: EventKind, detail?: Record<string, unknown>): void {
  prepared(db, 'addEvent', () =>
    db
      .insert(events)
      .values({ pickupId: sql.placeholder('pickupId'), at: sql.placeholder('at'), kind: sql.placeholder('kind'), detail: sql.placeholder('detail') })
      .prepare(),
  ).run({ pickupId, at, kind, detail: detail ? JSON.stringify(detail) : null });
}

export function listEvents(db: Db, pickupId: string): EventRow[] {
  return db.select().from(events).where(eq(events.pickupId, pickupId)).orderBy(asc(events.at), asc(events.id)).all();
}

export function lastEventAt(db: Db, pickupId: string, kind: EventKind): number | null {
  const row = prepared(db, 'lastEventAt', () =>
    db
      .select({ at: events.at })
      .from(events)
      .where(and(eq(events.pickupId, sql.placeholder('pickupId')), eq(events.kind, sql.placeholder('kind'))))
      .orderBy(desc(events.at))
      .limit(1)
      .prepare(),
  ).get({ pickupId, kind });
  return row?.at ?? null;
}
