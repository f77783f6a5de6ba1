import { and, asc, desc, eq } from 'drizzle-orm';
import type { Db } from './open.js';
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
  | 'cancelled';

export function addEvent(db: Db, pickupId: string, at: number, kind: EventKind, detail?: Record<string, unknown>): void {
  db.insert(events)
    .values({ pickupId, at, kind, detail: detail ? JSON.stringify(detail) : null })
    .run();
}

export function listEvents(db: Db, pickupId: string): EventRow[] {
  return db.select().from(events).where(eq(events.pickupId, pickupId)).orderBy(asc(events.at), asc(events.id)).all();
}

export function lastEventAt(db: Db, pickupId: string, kind: EventKind): number | null {
  const row = db
    .select({ at: events.at })
    .from(events)
    .where(and(eq(events.pickupId, pickupId), eq(events.kind, kind)))
    .orderBy(desc(events.at))
    .limit(1)
    .get();
  return row?.at ?? null;
}
