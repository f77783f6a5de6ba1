import { and, asc, eq, lt, or } from 'drizzle-orm';
import type { MailEventDetail } from '../pickup/timeline.js';
import { addEvent } from './events.js';
import type { Db } from './open.js';
import { mailLog, type MailRow } from './schema.js';

export type MailKind = 'notification' | 'reminder';
export type MailStatus = 'sending' | 'sent' | 'failed' | 'dropped';

export type MailClaim = { pickupId: string; kind: MailKind; recipient: string; sealedUrl: string | null; now: number };

/**
 * Takes the one (pickup, kind) slot. Null when it is taken already: the mail was sent, failed
 * (and waits for `mail --retry`) or is being sent by another run. This is what makes a reminder
 * once per certificate even when two runs overlap.
 */
export function claimMail(db: Db, c: MailClaim): MailRow | null {
  return (
    db
      .insert(mailLog)
      .values({
        pickupId: c.pickupId,
        kind: c.kind,
        recipient: c.recipient,
        status: 'sending',
        attempts: 0,
        sealedUrl: c.sealedUrl,
        createdAt: c.now,
        updatedAt: c.now,
      })
      .onConflictDoNothing()
      .returning()
      .get() ?? null
  );
}

/** Moves a failed (or abandoned `sending`) mail back to `sending`; null when another run took it. */
export function reclaimMail(db: Db, id: number, now: number, staleBefore: number): MailRow | null {
  return (
    db
      .update(mailLog)
      .set({ status: 'sending', updatedAt: now })
      .where(and(eq(mailLog.id, id), or(eq(mailLog.status, 'failed'), and(eq(mailLog.status, 'sending'), lt(mailLog.updatedAt, staleBefore)))))
      .returning()
      .get() ?? null
  );
}

/** The row and its `mailed` event land together. The sealed URL is not needed any more. */
export function recordMailSent(db: Db, row: MailRow, now: number, detail: MailEventDetail): void {
  db.transaction(() => {
    db.update(mailLog)
      .set({ status: 'sent', attempts: row.attempts + 1, lastError: null, sealedUrl: null, updatedAt: now, sentAt: now })
      .where(eq(mailLog.id, row.id))
      .run();
    addEvent(db, row.pickupId, now, 'mailed', detail);
  });
}

export function recordMailFailed(db: Db, row: MailRow, now: number, error: string, detail: MailEventDetail): void {
  db.transaction(() => {
    db.update(mailLog).set({ status: 'failed', attempts: row.attempts + 1, lastError: error, updatedAt: now }).where(eq(mailLog.id, row.id)).run();
    addEvent(db, row.pickupId, now, 'mail-failed', { ...detail, error });
  });
}

/** A retry found nothing worth sending (the pickup ended): stop retrying and forget the URL. */
export function dropMail(db: Db, id: number, now: number, reason: string): void {
  db.update(mailLog).set({ status: 'dropped', lastError: reason, sealedUrl: null, updatedAt: now }).where(eq(mailLog.id, id)).run();
}

/** Failed mails, and mails left `sending` since before `staleBefore` by a run that died. */
export function listUnsentMails(db: Db, staleBefore: number): MailRow[] {
  return db
    .select()
    .from(mailLog)
    .where(or(eq(mailLog.status, 'failed'), and(eq(mailLog.status, 'sending'), lt(mailLog.updatedAt, staleBefore))))
    .orderBy(asc(mailLog.createdAt), asc(mailLog.id))
    .all();
}

/**
 * Arms the pickup's notification slot again for a new URL (`reissue-url`): back to `sending`
 * with the new sealed URL, whatever became of the earlier mail. The earlier mail's history stays
 * on the timeline. Inserts the row when the pickup never had one.
 */
export function rearmNotification(db: Db, c: Omit<MailClaim, 'kind'>): MailRow {
  const row = db
    .update(mailLog)
    .set({ recipient: c.recipient, status: 'sending', attempts: 0, lastError: null, sealedUrl: c.sealedUrl, updatedAt: c.now, sentAt: null })
    .where(and(eq(mailLog.pickupId, c.pickupId), eq(mailLog.kind, 'notification')))
    .returning()
    .get();
  return row ?? claimMail(db, { ...c, kind: 'notification' })!;
}
