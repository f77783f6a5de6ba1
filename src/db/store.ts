import type { EventDetails, EventKind, MailEventDetail } from '../pickup/timeline.js';
import type { EventRow, MailRow, NewPickupRow, PickupFileRow, PickupRow } from './schema.js';

export type { EventRow, MailRow, NewPickupRow, PickupFileRow, PickupRow };
export type SealedFile = { kid: string; jwe: string };
export type MailKind = 'notification' | 'reminder';
export type MailStatus = 'sending' | 'sent' | 'failed' | 'dropped';
export type MailClaim = { pickupId: string; kind: MailKind; recipient: string; sealedUrl: string | null; now: number };
/** letter: a printed-letter HTML file (password or PIN); outbox: an .eml written instead of SMTP. */
export type PickupFileKind = 'letter' | 'outbox';
/** `guessingDrainedAt`: when the shared guess budget last drained into its reserve (an attack), or null. */
export type ListedPickup = { pickup: PickupRow; notification: string | null; guessingDrainedAt: number | null };
/** Who is guessing: keyed hashes of the client (address or IPv6 /64) and of its network (/24 or /48). */
export type Guesser = { client: string; network: string };
export type AttemptVerdict =
  | { allowed: true; drainedAlert: boolean }
  | { allowed: false; tier: 'client' | 'network' | 'pickup'; retryAfterMs: number };
/** Connections open, idle and in use, and callers waiting for one (for /metrics). */
export type PoolStats = { total: number; idle: number; inUse: number; waiting: number };
/** What `recordDownload` did: whether it wrote the `downloaded` event, and the newest one's time. */
export type DownloadRecord = { written: boolean; newestAt: number };

/** A second pickup for the same serial or application code. */
export class PickupConflictError extends Error {
  override name = 'PickupConflictError';
}

/**
 * The database could not be reached or answered with a connection-level failure (PostgreSQL
 * down, a connection cut). The request it served did not change anything; try again later.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/**
 * Whether an error means "the database cannot take this now, try again": PostgreSQL unreachable
 * (the PgStore throws StoreUnavailableError), or SQLite still locked by another writer (a staff
 * command, a backup) when its busy timeout ran out.
 */
export function isStoreUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

/**
 * Everything the portal and the staff commands keep, as domain operations. One implementation per
 * database (sqlite-store.ts, pg/pg-store.ts); the services only ever see this interface, and
 * each method is atomic on its own: an operation that writes an event with its change lands both
 * together or neither.
 */
/** A pickup row with its sealed file, as one read. */
export type PickupWithSealedFile = { pickup: PickupRow; sealed: SealedFile | null };
/** A pickup named by its id or by the hash of its URL token. */
export type PickupKey = { id: string } | { tokenHash: string };

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';

  /** The pickup, its sealed file and its first event. Throws PickupConflictError on a duplicate serial or code. */
  insertPickup(row: NewPickupRow, sealed: SealedFile, detail: EventDetails['created']): Promise<void>;
  /**
   * `fresh`: read the database even where a store keeps recent reads (the SQLite store does, see
   * read-cache.ts), for a caller about to write, which makes anything kept stale at once.
   */
  findPickupByTokenHash(tokenHash: string, read?: { fresh?: boolean }): Promise<PickupRow | null>;
  findPickupById(id: string): Promise<PickupRow | null>;
  /** By certificate serial (any case, colons allowed) or application code; both may match. */
  findPickupsByReference(reference: string): Promise<PickupRow[]>;
  findPickupByApplicationCode(code: string): Promise<PickupRow | null>;
  /**
   * Starts the download window (one conditional UPDATE … RETURNING) and records `window-started`.
   * Of racing calls, on any number of instances, exactly one gets the row; the rest get null.
   */
  startWindow(id: string, now: number, endsAt: number, client: string): Promise<PickupRow | null>;
  /**
   * First download time (once) and a `downloaded` event unless one was written within the minute.
   * `written` says whether this call wrote it; `newestAt` is the newest such event's time once
   * committed (`now` when written), for the caller's memory of recent events.
   */
  recordDownload(id: string, now: number, client: string, bytes: number): Promise<DownloadRecord>;
  /**
   * The pickup and its sealed file (null once destroyed) read in one statement, so the caller
   * judges the state on the very row the file came with: a cancel, or the sweep, committed first
   * wins over a download reading at the same moment. The SQLite store may answer it by token
   * from memory, only while nothing in the database has changed since (read-cache.ts).
   */
  findPickupWithSealedFile(by: PickupKey): Promise<PickupWithSealedFile | null>;
  /** Cancels and records it; null when it was already cancelled. */
  cancelPickup(id: string, now: number, reason: string): Promise<PickupRow | null>;
  listEndedWithKeyMaterial(now: number): Promise<PickupRow[]>;
  /** Deletes the sealed file and any sealed mail URL, and records it; false when already gone. */
  destroyKeyMaterial(id: string, now: number, reason: string): Promise<boolean>;
  /** A new token hash for a live pickup, its throttle reset and `url-reissued` recorded; null when not live. */
  reissueToken(id: string, tokenHash: string, now: number, detail: EventDetails['url-reissued']): Promise<PickupRow | null>;
  listPickupsCreatedSince(since: number | null): Promise<ListedPickup[]>;
  listReminderCandidates(now: number, until: number): Promise<PickupRow[]>;

  addEvent<K extends EventKind>(pickupId: string, at: number, kind: K, detail: EventDetails[K]): Promise<void>;
  lastEventAt(pickupId: string, kind: EventKind): Promise<number | null>;
  listEvents(pickupId: string): Promise<EventRow[]>;

  /** Admits or refuses one password attempt; concurrent calls never lose an update. */
  admitAttempt(pickupId: string, who: Guesser, now: number): Promise<AttemptVerdict>;
  /** The right password: that client's and network's records cleared, `password-ok` recorded. */
  recordPasswordOk(pickupId: string, who: Guesser, now: number, client: string): Promise<void>;
  forgetStaleClients(now: number): Promise<number>;

  claimMail(claim: MailClaim): Promise<MailRow | null>;
  reclaimMail(id: number, now: number, staleBefore: number): Promise<MailRow | null>;
  recordMailSent(row: MailRow, now: number, detail: MailEventDetail): Promise<void>;
  recordMailFailed(row: MailRow, now: number, error: string, detail: MailEventDetail): Promise<void>;
  dropMail(id: number, now: number, reason: string): Promise<void>;
  listUnsentMails(staleBefore: number): Promise<MailRow[]>;
  rearmNotification(claim: Omit<MailClaim, 'kind'>): Promise<MailRow>;

  recordPickupFiles(files: Array<{ pickupId: string; kind: PickupFileKind; path: string; host: string }>, now: number, event?: { pickupId: string; dir: string }): Promise<void>;
  listKeptFiles(host: string, pickupIds: string[] | null, kinds: PickupFileKind[]): Promise<PickupFileRow[]>;
  listFilesOfEndedPickups(host: string, now: number): Promise<PickupFileRow[]>;
  countKeptFilesElsewhere(host: string, pickupIds: string[] | null, kinds: PickupFileKind[]): Promise<number>;
  markFileDeleted(id: number, now: number): Promise<void>;

  countSealedFilesByKid(): Promise<Map<string, number>>;
  listSealedMailUrls(): Promise<string[]>;

  /**
   * After destroying key material: make the freed pages unreadable where the database can.
   * SQLite truncates its WAL (false while a reader holds it off; the debt is kept and paid by a
   * later call). PostgreSQL leaves dead tuples to VACUUM (see docs/several-instances.md).
   */
  wipeFreedPages(destroyedAny: boolean, now: number): Promise<boolean>;

  /** The check value stored for a named secret, or null (see secrets/key-check.ts). */
  findKeyCheck(name: string): Promise<string | null>;
  /** Stores the check value unless one exists; returns the stored one (which may differ). */
  saveKeyCheck(name: string, check: string, now: number): Promise<string>;

  /** A trivial round trip: resolves when the database answers. */
  ping(): Promise<void>;
  /** Connections in use and callers waiting, for metrics; null where there is no pool (SQLite). */
  poolStats(): PoolStats | null;
  close(): Promise<void>;
}
