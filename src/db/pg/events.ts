import { and, asc, desc, eq } from 'drizzle-orm';
import type { EventDetails, EventKind } from '../../pickup/timeline.js';
import type { Q } from './db.js';
import * as s from './schema.js';

export function addEvent<K extends EventKind>(q: Q, pickupId: string, at: number, kind: K, detail: EventDetails[K]) {
  return q.insert(s.events).values({ pickupId, at, kind, detail: JSON.stringify(detail) });
}

export async function lastEventAt(q: Q, pickupId: string, kind: EventKind): Promise<number | null> {
  const [row] = await q
    .select({ at: s.events.at })
    .from(s.events)
    .where(and(eq(s.events.pickupId, pickupId), eq(s.events.kind, kind)))
    .orderBy(desc(s.events.at))
    .limit(1);
  return row?.at ?? null;
}

export function listEvents(q: Q, pickupId: string) {
  return q.select().from(s.events).where(eq(s.events.pickupId, pickupId)).orderBy(asc(s.events.at), asc(s.events.id));
}
