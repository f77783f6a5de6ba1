import path from 'node:path';
import type { MailKind, MailRow, PickupRow } from '../db/store.js';
import type { Deps } from '../deps.js';
import { MINUTE } from '../lib/clock.js';
import type { ComposedMail } from '../mail/message.js';
import { notificationMail } from '../mail/notification.js';
import { reminderMail } from '../mail/reminder.js';
import type { Mailer } from '../mail/transport.js';
import { downloadDeadline, pickupState } from '../pickup/state.js';
import { trackFile } from './pickup-files.js';

export type MailOutcome =
  | { status: 'sent'; to: string; file: string | null }
  | { status: 'failed'; to: string; error: string }
  | { status: 'no-address' }
  /** The (pickup, kind) slot was taken: sent, failed and waiting for a retry, or being sent. */
  | { status: 'already' };

export type RetryOutcome = MailOutcome | { status: 'dropped'; reason: string };

/** A `sending` row older than this was left by a run that died mid-send. */
export const STALE_SENDING_MS = 10 * MINUTE;

const URL_PURPOSE = 'mail-url';

function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 300);
}

/** Sends and records. Never throws for a mail problem: the pickup must not depend on the mail. */
async function deliver(deps: Deps, mailer: Mailer, row: MailRow, pickup: PickupRow, composed: ComposedMail): Promise<MailOutcome> {
  const detail = { mail: row.kind, to: row.recipient, attempt: row.attempts + 1 };
  try {
    const sent = await mailer.send({ ...composed, to: row.recipient, date: deps.clock(), label: `${row.kind}-${pickup.serial}` });
    const now = deps.clock();
    await deps.store.recordMailSent(row, now, sent.file ? { ...detail, file: path.basename(sent.file) } : detail);
    // An outbox file holds the URL: on record, so it is deleted when the pickup ends.
    if (sent.file) await trackFile(deps, row.pickupId, 'outbox', sent.file, now);
    return { status: 'sent', to: row.recipient, file: sent.file };
  } catch (err) {
    const error = oneLine(err);
    await deps.store.recordMailFailed(row, deps.clock(), error, detail);
    return { status: 'failed', to: row.recipient, error };
  }
}

function compose(deps: Deps, kind: MailKind, pickup: PickupRow, url: string | null, replacesEarlierUrl = false): ComposedMail {
  const who = { serial: pickup.serial, nameRomaji: pickup.subjectName, nameJa: pickup.subjectNameJa, ca: deps.config.ca };
  return kind === 'notification'
    ? // A URL reissued while the hour runs is good until the hour ends, not the 30 days.
      notificationMail({ ...who, url: url!, expiresAt: downloadDeadline(pickup), replacesEarlierUrl })
    : reminderMail({ ...who, notAfter: pickup.certNotAfter });
}

/**
 * The "your certificate is ready" mail. The URL is kept sealed until the mail has gone, because
 * the server keeps only the token's hash and `mail --retry` needs the URL again.
 */
export async function sendNotification(deps: Deps, mailer: Mailer, pickup: PickupRow, url: string): Promise<MailOutcome> {
  if (!pickup.email) return { status: 'no-address' };
  const sealedUrl = await deps.sealer.seal(new Uint8Array(Buffer.from(url, 'utf8')), { purpose: URL_PURPOSE, id: pickup.id });
  const row = await deps.store.claimMail({ pickupId: pickup.id, kind: 'notification', recipient: pickup.email, sealedUrl, now: deps.clock() });
  if (!row) return { status: 'already' };
  return deliver(deps, mailer, row, pickup, compose(deps, 'notification', pickup, url));
}

/**
 * The notification again, for a new URL (`staff reissue-url`). It takes over the pickup's
 * notification slot, so a failure is retried by `mail --retry` with the new URL.
 */
export async function sendReissuedUrl(deps: Deps, mailer: Mailer, pickup: PickupRow, url: string): Promise<MailOutcome> {
  if (!pickup.email) return { status: 'no-address' };
  const sealedUrl = await deps.sealer.seal(new Uint8Array(Buffer.from(url, 'utf8')), { purpose: URL_PURPOSE, id: pickup.id });
  const row = await deps.store.rearmNotification({ pickupId: pickup.id, recipient: pickup.email, sealedUrl, now: deps.clock() });
  return deliver(deps, mailer, row, pickup, compose(deps, 'notification', pickup, url, true));
}

/** The expiry reminder, at most once per certificate. */
export async function sendReminder(deps: Deps, mailer: Mailer, pickup: PickupRow): Promise<MailOutcome> {
  if (!pickup.email) return { status: 'no-address' };
  const row = await deps.store.claimMail({ pickupId: pickup.id, kind: 'reminder', recipient: pickup.email, sealedUrl: null, now: deps.clock() });
  if (!row) return { status: 'already' };
  return deliver(deps, mailer, row, pickup, compose(deps, 'reminder', pickup, null));
}

/** Why a retry would be pointless now, or null when it is worth sending. */
function staleReason(row: MailRow, pickup: PickupRow, now: number): string | null {
  const state = pickupState(pickup, now);
  if (row.kind === 'notification') {
    if (state !== 'pending') return `the pickup is ${state === 'window' ? 'already being downloaded' : state}`;
    if (!row.sealedUrl) return 'the URL is no longer kept';
    return null;
  }
  if (state === 'cancelled') return 'the pickup was cancelled';
  return pickup.certNotAfter <= now ? 'the certificate has expired' : null;
}

/** Sends one failed (or abandoned) mail again, or drops it when the pickup has ended. */
export async function retryMail(deps: Deps, mailer: Mailer, failed: MailRow): Promise<RetryOutcome> {
  const now = deps.clock();
  const row = await deps.store.reclaimMail(failed.id, now, now - STALE_SENDING_MS);
  if (!row) return { status: 'already' };
  const pickup = await deps.store.findPickupById(row.pickupId);
  const reason = pickup ? staleReason(row, pickup, now) : 'the pickup is gone';
  if (!pickup || reason) {
    await deps.store.dropMail(row.id, now, reason ?? 'dropped');
    return { status: 'dropped', reason: reason ?? 'dropped' };
  }
  const url = row.kind === 'notification' ? Buffer.from(await deps.sealer.open(row.sealedUrl!, { purpose: URL_PURPOSE, id: pickup.id })).toString('utf8') : null;
  // A retried notification after `reissue-url` still says that it replaces the earlier URL.
  const reissued = row.kind === 'notification' && (await deps.store.lastEventAt(pickup.id, 'url-reissued')) !== null;
  return deliver(deps, mailer, row, pickup, compose(deps, row.kind as MailKind, pickup, url, reissued));
}
