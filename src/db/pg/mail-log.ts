import { and, asc, eq, lt, or } from 'drizzle-orm';
import type { MailEventDetail } from '../../pickup/timeline.js';
import type { MailClaim, MailRow } from '../store.js';
import type { Db } from './db.js';
import { addEvent } from './events.js';
import * as s from './schema.js';

export async function claimMail(db: Db, c: MailClaim) {
  const [row] = await db
    .insert(s.mailLog)
    .values({ pickupId: c.pickupId, kind: c.kind, recipient: c.recipient, status: 'sending', attempts: 0, sealedUrl: c.sealedUrl, createdAt: c.now, updatedAt: c.now })
    .onConflictDoNothing()
    .returning();
  return row ?? null;
}

export async function reclaimMail(db: Db, id: number, now: number, staleBefore: number) {
  const [row] = await db
    .update(s.mailLog)
    .set({ status: 'sending', updatedAt: now })
    .where(and(eq(s.mailLog.id, id), or(eq(s.mailLog.status, 'failed'), and(eq(s.mailLog.status, 'sending'), lt(s.mailLog.updatedAt, staleBefore)))))
    .returning();
  return row ?? null;
}

export async function recordMailSent(db: Db, row: MailRow, now: number, detail: MailEventDetail) {
  await db.transaction(async (tx) => {
    await tx
      .update(s.mailLog)
      .set({ status: 'sent', attempts: row.attempts + 1, lastError: null, sealedUrl: null, updatedAt: now, sentAt: now })
      .where(eq(s.mailLog.id, row.id));
    await addEvent(tx, row.pickupId, now, 'mailed', detail);
  });
}

export async function recordMailFailed(db: Db, row: MailRow, now: number, error: string, detail: MailEventDetail) {
  await db.transaction(async (tx) => {
    await tx.update(s.mailLog).set({ status: 'failed', attempts: row.attempts + 1, lastError: error, updatedAt: now }).where(eq(s.mailLog.id, row.id));
    await addEvent(tx, row.pickupId, now, 'mail-failed', { ...detail, error });
  });
}

export async function dropMail(db: Db, id: number, now: number, reason: string) {
  await db.update(s.mailLog).set({ status: 'dropped', lastError: reason, sealedUrl: null, updatedAt: now }).where(eq(s.mailLog.id, id));
}

export async function listUnsentMails(db: Db, staleBefore: number) {
  return db
    .select()
    .from(s.mailLog)
    .where(or(eq(s.mailLog.status, 'failed'), and(eq(s.mailLog.status, 'sending'), lt(s.mailLog.updatedAt, staleBefore))))
    .orderBy(asc(s.mailLog.createdAt), asc(s.mailLog.id));
}

export async function rearmNotification(db: Db, c: Omit<MailClaim, 'kind'>) {
  const set = { recipient: c.recipient, status: 'sending', attempts: 0, lastError: null, sealedUrl: c.sealedUrl, updatedAt: c.now, sentAt: null };
  const [row] = await db
    .insert(s.mailLog)
    .values({ pickupId: c.pickupId, kind: 'notification', createdAt: c.now, ...set })
    .onConflictDoUpdate({ target: [s.mailLog.pickupId, s.mailLog.kind], set })
    .returning();
  return row!;
}
