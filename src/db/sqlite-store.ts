import { eq } from 'drizzle-orm';
import type { EventDetails, EventKind, MailEventDetail } from '../pickup/timeline.js';
import { isEventDue } from '../pickup/event-rate.js';
import { addEvent, lastEventAt, listEvents } from './events.js';
import { isOwed, owe, settle } from './housekeeping.js';
import * as mail from './mail-log.js';
import { pingDb, truncateWal, type Db } from './open.js';
import { ReadCache } from './read-cache.js';
import * as files from './pickup-files.js';
import { listPickupsCreatedSince, listReminderCandidates } from './pickup-lists.js';
import * as p from './pickups.js';
import { keyChecks, pickups, sealedFiles, type MailRow, type NewPickupRow } from './schema.js';
import { countSealedFilesByKid, listSealedMailUrls } from './seal-usage.js';
import * as throttle from './throttle.js';
import { PickupConflictError, type Guesser, type PickupKey, type MailClaim, type PickupFileKind, type SealedFile, type Store } from './store.js';

/**
 * The embedded store: one better-sqlite3 connection, synchronous underneath. Every method runs
 * to completion before it returns, so the async interface adds no interleaving of its own; the
 * transactions stay synchronous (never an async callback, see STYLE.md).
 */
export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  /** The pickup reads every page view and download makes (read-cache.ts says when they are fresh). */
  readonly #reads: ReadCache;
  constructor(readonly db: Db) {
    this.#reads = new ReadCache(db.$client);
  }

  async insertPickup(row: NewPickupRow, sealed: SealedFile, detail: EventDetails['created']) {
    try {
      p.insertPickup(this.db, row, sealed, detail);
    } catch (err) {
      if (String((err as Error).message).includes('UNIQUE')) throw new PickupConflictError((err as Error).message);
      throw err;
    }
  }
  /** How many pickup reads are kept in memory now (for tests). */
  get readCacheSize(): number {
    return this.#reads.size;
  }
  async findPickupByTokenHash(tokenHash: string, read: { fresh?: boolean } = {}) {
    if (read.fresh) return p.findPickupByTokenHash(this.db, tokenHash);
    return this.#reads.read(`token:${tokenHash}`, () => p.findPickupByTokenHash(this.db, tokenHash));
  }
  async findPickupById(id: string) {
    return p.findPickupById(this.db, id);
  }
  async findPickupsByReference(reference: string) {
    return p.findPickupsByReference(this.db, reference);
  }
  async findPickupByApplicationCode(code: string) {
    return p.findPickupByApplicationCode(this.db, code);
  }
  async startWindow(id: string, now: number, endsAt: number, client: string) {
    return this.db.transaction(() => {
      const row = p.startWindow(this.db, id, now, endsAt);
      if (row) addEvent(this.db, id, now, 'window-started', { client });
      return row;
    });
  }
  async recordDownload(id: string, now: number, client: string, bytes: number) {
    return this.db.transaction(() => {
      p.markFirstDownload(this.db, id, now);
      const last = lastEventAt(this.db, id, 'downloaded');
      if (last !== null && !isEventDue(last, now)) return { written: false, newestAt: last };
      addEvent(this.db, id, now, 'downloaded', { client, bytes });
      return { written: true, newestAt: now };
    });
  }
  async findPickupWithSealedFile(by: PickupKey) {
    // By id only in downloadP12, after its attempt to start the window, which is rare: not kept.
    if ('id' in by) return p.findPickupWithSealedFile(this.db, by);
    return this.#reads.read(`file:${by.tokenHash}`, () => p.findPickupWithSealedFile(this.db, by));
  }
  async cancelPickup(id: string, now: number, reason: string) {
    return p.cancelPickupWithEvent(this.db, id, now, reason);
  }
  async listEndedWithKeyMaterial(now: number) {
    return p.listEndedWithKeyMaterial(this.db, now);
  }
  async destroyKeyMaterial(id: string, now: number, reason: string) {
    return p.destroyKeyMaterial(this.db, id, now, reason);
  }
  async reissueToken(id: string, tokenHash: string, now: number, detail: EventDetails['url-reissued']) {
    return this.db.transaction(() => {
      const row = p.replaceTokenHash(this.db, id, tokenHash, now);
      if (!row) return null;
      throttle.resetThrottle(this.db, id);
      addEvent(this.db, id, now, 'url-reissued', detail);
      return row;
    });
  }
  async listPickupsCreatedSince(since: number | null) {
    return listPickupsCreatedSince(this.db, since);
  }
  async listReminderCandidates(now: number, until: number) {
    return listReminderCandidates(this.db, now, until);
  }

  async addEvent<K extends EventKind>(pickupId: string, at: number, kind: K, detail: EventDetails[K]) {
    addEvent(this.db, pickupId, at, kind, detail);
  }
  async lastEventAt(pickupId: string, kind: EventKind) {
    return lastEventAt(this.db, pickupId, kind);
  }
  async listEvents(pickupId: string) {
    return listEvents(this.db, pickupId);
  }

  async admitAttempt(pickupId: string, who: Guesser, now: number) {
    return throttle.admitAttempt(this.db, pickupId, who, now);
  }
  async recordPasswordOk(pickupId: string, who: Guesser, now: number, client: string) {
    this.db.transaction(() => {
      throttle.clearGuesser(this.db, pickupId, who);
      addEvent(this.db, pickupId, now, 'password-ok', { client });
    });
  }
  async forgetStaleClients(now: number) {
    return throttle.forgetStaleClients(this.db, now);
  }

  async claimMail(claim: MailClaim) {
    return mail.claimMail(this.db, claim);
  }
  async reclaimMail(id: number, now: number, staleBefore: number) {
    return mail.reclaimMail(this.db, id, now, staleBefore);
  }
  async recordMailSent(row: MailRow, now: number, detail: MailEventDetail) {
    mail.recordMailSent(this.db, row, now, detail);
  }
  async recordMailFailed(row: MailRow, now: number, error: string, detail: MailEventDetail) {
    mail.recordMailFailed(this.db, row, now, error, detail);
  }
  async dropMail(id: number, now: number, reason: string) {
    mail.dropMail(this.db, id, now, reason);
  }
  async listUnsentMails(staleBefore: number) {
    return mail.listUnsentMails(this.db, staleBefore);
  }
  async rearmNotification(claim: Omit<MailClaim, 'kind'>) {
    return mail.rearmNotification(this.db, claim);
  }

  async recordPickupFiles(list: Array<{ pickupId: string; kind: PickupFileKind; path: string; host: string }>, now: number, event?: { pickupId: string; dir: string }) {
    this.db.transaction(() => {
      for (const f of list) files.recordPickupFile(this.db, { ...f, now });
      if (event) addEvent(this.db, event.pickupId, now, 'letters-written', { dir: event.dir });
    });
  }
  async listKeptFiles(host: string, pickupIds: string[] | null, kinds: PickupFileKind[]) {
    return files.listKeptFiles(this.db, host, pickupIds, kinds);
  }
  async listFilesOfEndedPickups(host: string, now: number) {
    return files.listFilesOfEndedPickups(this.db, host, now);
  }
  async countKeptFilesElsewhere(host: string, pickupIds: string[] | null, kinds: PickupFileKind[]) {
    return files.countKeptFilesElsewhere(this.db, host, pickupIds, kinds);
  }
  async markFileDeleted(id: number, now: number) {
    files.markFileDeleted(this.db, id, now);
  }

  async countSealedFilesByKid() {
    return countSealedFilesByKid(this.db);
  }
  async listSealedMailUrls() {
    return listSealedMailUrls(this.db);
  }

  async wipeFreedPages(destroyedAny: boolean, now: number) {
    // In WAL mode the destroyed pages may still sit in the -wal file; checkpointing into the
    // (secure_delete) database and truncating the WAL wipes them there too. A reader (an online
    // backup) can hold that off, so the debt is written down and every call tries until it is paid.
    if (destroyedAny) owe(this.db, 'wal-truncate', now);
    if (!isOwed(this.db, 'wal-truncate')) return true;
    const clean = truncateWal(this.db);
    if (clean) settle(this.db, 'wal-truncate');
    return clean;
  }

  async findKeyCheck(name: string) {
    return this.db.select().from(keyChecks).where(eq(keyChecks.name, name)).get()?.check ?? null;
  }
  async saveKeyCheck(name: string, check: string, now: number) {
    this.db.insert(keyChecks).values({ name, check, createdAt: now }).onConflictDoNothing().run();
    return (await this.findKeyCheck(name))!;
  }

  async ping() {
    pingDb(this.db);
  }
  poolStats() {
    return null;
  }
  async close() {
    if (this.db.$client.open) this.db.$client.close();
  }
}

