import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/open.js';
import { openPgStore } from '../../src/db/pg/pg-store.js';
import { SqliteStore } from '../../src/db/sqlite-store.js';
import { PickupConflictError, type Guesser, type NewPickupRow, type Store } from '../../src/db/store.js';
import { DAY, HOUR } from '../../src/lib/clock.js';
import { isLive, pickupState } from '../../src/pickup/state.js';
import { admit, BUCKET_CAPACITY, type ThrottleState } from '../../src/pickup/throttle.js';
import { createDatabase } from '../pg/cluster.js';
import { pgAvailable } from '../pg/support.js';

/** What the download route decides from one read: the file is served only with a live row. */
async function servable(store: Store, id: string, now: number): Promise<boolean> {
  const found = await store.findPickupWithSealedFile({ id });
  return found !== null && found.sealed !== null && isLive(pickupState(found.pickup, now));
}

const T0 = Date.UTC(2026, 10, 26, 1, 0, 0);
let counter = 0;

/** A pickup row as createPickup writes it; the certificate fields are stand-ins (the store never parses them). */
function pickupRow(over: Partial<NewPickupRow> = {}): NewPickupRow {
  counter++;
  const n = `${process.pid}${counter}`.padStart(8, '0');
  return {
    id: `pk_${n}`,
    tokenHash: `hash-${n}`,
    passwordHash: '$argon2id$v=19$stand-in',
    serial: `5E${n}`,
    certType: 'basic',
    subjectName: 'YAMADA TARO',
    subjectNameJa: null,
    fingerprint: `fp-${n}`,
    certNotBefore: T0,
    certNotAfter: T0 + 365 * DAY,
    certPem: '-----BEGIN CERTIFICATE-----stand-in',
    issuerName: 'CN=Test CA',
    p12Profile: 'compat',
    email: 'taro@example.jp',
    applicationCode: null,
    mailing: null,
    issuedAt: T0,
    expiresAt: T0 + 30 * DAY,
    createdAt: T0,
    ...over,
  };
}

async function addPickup(store: Store, over: Partial<NewPickupRow> = {}) {
  const row = pickupRow(over);
  await store.insertPickup(row, { kid: 'k1', jwe: `sealed-${row.id}` }, { serial: row.serial, certType: 'basic', p12Profile: 'compat' });
  return row;
}

/** The outcome the pure throttle rules give for these attempts one after another: what racing must not change. */
function sequentialAdmissions(guessers: Guesser[], now: number) {
  const clients = new Map<string, ThrottleState['client']>();
  const networks = new Map<string, ThrottleState['network']>();
  let bucket: ThrottleState['bucket'] = null;
  let allowed = 0;
  for (const g of guessers) {
    const d = admit({ client: clients.get(g.client) ?? null, network: networks.get(g.network) ?? null, bucket }, now);
    if (!d.allowed) continue;
    allowed++;
    clients.set(g.client, d.client);
    networks.set(g.network, d.network);
    bucket = d.bucket;
  }
  return { allowed, bucket };
}

type Pair = { a: Store; b: Store; close(): Promise<void> };

const pg = pgAvailable();
const dialects: Array<[string, () => Promise<Pair>, boolean]> = [
  [
    'SQLite (in memory)',
    async () => {
      const store = new SqliteStore(openDb(':memory:'));
      return { a: store, b: store, close: () => store.close() };
    },
    false,
  ],
  [
    'PostgreSQL (two pools, as two instances)',
    async () => {
      const url = await createDatabase(pg.url!, 'contract');
      const config = { url, poolMax: 10, statementTimeoutMs: 5000 };
      // Opened together: the second waits on the migration lock, then finds nothing to do.
      const [a, b] = await Promise.all([openPgStore(config), openPgStore(config)]);
      return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
    },
    pg.skip,
  ],
];

describe.each(dialects)('the store contract on %s', (_name, open, skip) => {
  let pair: Pair;
  beforeAll(async () => {
    if (!skip) pair = await open();
  });
  afterAll(async () => {
    await pair?.close();
  });

  it.skipIf(skip)('keeps a pickup, its sealed file and its first event together, and finds it every way', async () => {
    const { a, b } = pair;
    const row = await addPickup(a, { applicationCode: `APP-${counter}` });
    expect(await b.findPickupByTokenHash(row.tokenHash)).toMatchObject({ id: row.id, serial: row.serial, expiresAt: row.expiresAt, windowStartedAt: null });
    expect(await b.findPickupByTokenHash('hash-nobody')).toBeNull();
    expect((await b.findPickupById(row.id))?.tokenHash).toBe(row.tokenHash);
    expect((await b.findPickupsByReference(row.serial.toLowerCase().replace(/(..)(?=.)/g, '$1:'))).map((p) => p.id)).toEqual([row.id]);
    expect((await b.findPickupByApplicationCode(row.applicationCode!))?.id).toBe(row.id);
    expect(await b.findPickupWithSealedFile({ id: row.id })).toEqual({ pickup: expect.objectContaining({ id: row.id, serial: row.serial }), sealed: { kid: 'k1', jwe: `sealed-${row.id}` } });
    expect(await b.findPickupWithSealedFile({ id: 'pk_nobody' })).toBeNull();
    expect(await b.findPickupWithSealedFile({ tokenHash: row.tokenHash })).toEqual(await b.findPickupWithSealedFile({ id: row.id }));
    expect(await b.findPickupWithSealedFile({ tokenHash: 'hash-nobody' })).toBeNull();
    expect((await b.listEvents(row.id)).map((e) => e.kind)).toEqual(['created']);
    expect((await b.countSealedFilesByKid()).get('k1')).toBeGreaterThanOrEqual(1);
  });

  it.skipIf(skip)('refuses a second pickup for the same serial, and keeps nothing of it', async () => {
    const { a, b } = pair;
    const row = await addPickup(a);
    await expect(addPickup(b, { serial: row.serial })).rejects.toBeInstanceOf(PickupConflictError);
    expect((await a.findPickupsByReference(row.serial)).map((p) => p.id)).toEqual([row.id]);
  });

  it.skipIf(skip)('racing startWindow calls over both instances start exactly one window', async () => {
    const { a, b } = pair;
    const row = await addPickup(a);
    const now = T0 + DAY;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).startWindow(row.id, now + i, now + i + HOUR, `c${i}`)));
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    const stored = (await a.findPickupById(row.id))!;
    expect(stored.windowStartedAt).toBe(winners[0]!.windowStartedAt);
    expect(stored.windowEndsAt).toBe(stored.windowStartedAt! + HOUR);
    expect((await a.listEvents(row.id)).filter((e) => e.kind === 'window-started')).toHaveLength(1);
    // Negative: a cancelled or expired pickup never gets a window.
    const cancelled = await addPickup(a);
    expect(await b.cancelPickup(cancelled.id, now, 'test')).not.toBeNull();
    expect(await a.startWindow(cancelled.id, now, now + HOUR, 'x')).toBeNull();
    const expired = await addPickup(a);
    expect(await a.startWindow(expired.id, expired.expiresAt, expired.expiresAt + HOUR, 'x')).toBeNull();
  });

  it.skipIf(skip)('racing first downloads over both instances write one downloaded event a minute, and say so once', async () => {
    const { a, b } = pair;
    const row = await addPickup(a);
    const now = T0 + DAY;
    await a.startWindow(row.id, now, now + HOUR, 'c');
    for (const at of [now + 1, now + 60_000 + 1]) {
      const written = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).recordDownload(row.id, at, `c${i}`, 100)));
      expect(written.filter((r) => r.written)).toHaveLength(1);
      // Every call, writer or not, reports the one event's time: the callers remember it.
      expect(written.map((r) => r.newestAt)).toEqual(Array.from({ length: 10 }, () => at));
      // A call later in the minute reports the stored time, never its own.
      expect(await b.recordDownload(row.id, at + 30_000, 'late', 100)).toEqual({ written: false, newestAt: at });
    }
    expect((await a.listEvents(row.id)).filter((e) => e.kind === 'downloaded')).toHaveLength(2);
    expect((await b.findPickupById(row.id))!.firstDownloadAt).toBe(now + 1);
  });

  it.skipIf(skip)('50 parallel wrong passwords through both instances spend exactly 50 guesses', async () => {
    const { a, b } = pair;
    const row = await addPickup(a);
    const now = T0 + DAY;
    const guessers = Array.from({ length: 50 }, (_, i) => ({ client: `client-${i}`, network: `net-${i}` }));
    const verdicts = await Promise.all(guessers.map((g, i) => (i % 2 ? a : b).admitAttempt(row.id, g, now)));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(50);
    const expected = sequentialAdmissions(guessers, now);
    expect(expected.bucket!.tokensMilli).toBe((BUCKET_CAPACITY - 50) * 1000);
    const listed = (await a.listPickupsCreatedSince(null)).find((l) => l.pickup.id === row.id);
    expect(listed).toBeDefined();
    // The bucket holds exactly what 50 guesses one after another leave: no update was lost.
    const verdict = await a.admitAttempt(row.id, { client: 'probe', network: 'probe-net' }, now);
    expect(verdict.allowed).toBe(true);
    const after = sequentialAdmissions([...guessers, { client: 'probe', network: 'probe-net' }], now);
    expect(after.allowed).toBe(51);
  });

  it.skipIf(skip)('one client racing 50 guesses gets exactly as many as the rules allow one after another', async () => {
    const { a, b } = pair;
    const row = await addPickup(a);
    const now = T0 + DAY;
    const guessers = Array.from({ length: 50 }, () => ({ client: 'same-client', network: 'same-net' }));
    const verdicts = await Promise.all(guessers.map((g, i) => (i % 2 ? a : b).admitAttempt(row.id, g, now)));
    const expected = sequentialAdmissions(guessers, now);
    expect(expected.allowed).toBeLessThan(50);
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(expected.allowed);
    expect(verdicts.filter((v) => !v.allowed).every((v) => !v.allowed && v.tier === 'client' && v.retryAfterMs > 0)).toBe(true);
    // The right password clears this client: its next attempt is admitted again.
    await b.recordPasswordOk(row.id, guessers[0]!, now, 'test');
    expect((await a.admitAttempt(row.id, guessers[0]!, now)).allowed).toBe(true);
  });

  it.skipIf(skip)('claims a mail slot once, however many runs race for it', async () => {
    const { a, b } = pair;
    const row = await addPickup(a);
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).claimMail({ pickupId: row.id, kind: 'reminder', recipient: 'taro@example.jp', sealedUrl: null, now: T0 + i })),
    );
    expect(claims.filter((c) => c !== null)).toHaveLength(1);
    const claimed = claims.find((c) => c !== null)!;
    await a.recordMailFailed(claimed, T0 + DAY, 'smtp down', { mail: 'reminder', to: 'taro@example.jp', attempt: 1 });
    expect((await b.listUnsentMails(T0)).map((m) => m.id)).toContain(claimed.id);
    const reclaims = await Promise.all([a.reclaimMail(claimed.id, T0 + 2 * DAY, T0), b.reclaimMail(claimed.id, T0 + 2 * DAY, T0)]);
    expect(reclaims.filter((r) => r !== null)).toHaveLength(1);
    await b.recordMailSent(reclaims.find((r) => r !== null)!, T0 + 2 * DAY, { mail: 'reminder', to: 'taro@example.jp', attempt: 2 });
    expect((await a.listUnsentMails(T0 + 3 * DAY)).map((m) => m.id)).not.toContain(claimed.id);
    expect((await a.listEvents(row.id)).map((e) => e.kind)).toEqual(['created', 'mail-failed', 'mailed']);
  });

  it.skipIf(skip)('destroying key material is idempotent across instances and never errors on a row already gone', async () => {
    const { a, b } = pair;
    const row = await addPickup(a);
    await a.claimMail({ pickupId: row.id, kind: 'notification', recipient: 'taro@example.jp', sealedUrl: 'sealed-url', now: T0 });
    await a.cancelPickup(row.id, T0 + HOUR, 'test');
    const ended = (await b.listEndedWithKeyMaterial(T0 + HOUR)).map((p) => p.id);
    expect(ended).toContain(row.id);
    const outcomes = await Promise.all([a.destroyKeyMaterial(row.id, T0 + HOUR, 'cancelled'), b.destroyKeyMaterial(row.id, T0 + HOUR, 'cancelled')]);
    expect(outcomes.sort()).toEqual([false, true]);
    expect(await b.destroyKeyMaterial(row.id, T0 + 2 * HOUR, 'cancelled')).toBe(false);
    expect((await a.listEndedWithKeyMaterial(T0 + HOUR)).map((p) => p.id)).not.toContain(row.id);
    expect(await a.listSealedMailUrls()).not.toContain('sealed-url');
    expect((await a.findPickupById(row.id))!.keyDestroyedAt).toBe(T0 + HOUR);
    expect(await b.findPickupWithSealedFile({ id: row.id })).toEqual({ pickup: expect.objectContaining({ id: row.id, keyDestroyedAt: T0 + HOUR }), sealed: null });
    expect((await a.listEvents(row.id)).filter((e) => e.kind === 'key-destroyed')).toHaveLength(1);
  });

  it.skipIf(skip)('a cancel on one instance wins over a download reading on the other', async () => {
    const { a, b } = pair;
    const row = await addPickup(a);
    const now = T0 + DAY;
    const started = await a.startWindow(row.id, now, now + HOUR, 'c');
    expect(started).not.toBeNull();
    // B read the row (live, window open) before the cancel; A cancels; B then reads again with the file.
    expect(await servable(b, row.id, now + 1)).toBe(true);
    await a.cancelPickup(row.id, now + 2, 'stolen');
    expect(await servable(b, row.id, now + 3)).toBe(false);
    // Negative: the window's end and the 30 days end it too.
    const other = await addPickup(a);
    await a.startWindow(other.id, now, now + HOUR, 'c');
    expect(await servable(b, other.id, now + HOUR - 1)).toBe(true);
    expect(await servable(b, other.id, now + HOUR)).toBe(false);
  });

  it.skipIf(skip)('a reissued token kills the old hash and resets the guess budget; an ended pickup keeps its hash', async () => {
    const { a, b } = pair;
    const row = await addPickup(a);
    await a.admitAttempt(row.id, { client: 'c', network: 'n' }, T0);
    const updated = await b.reissueToken(row.id, `new-${row.tokenHash}`, T0 + 1, { previous: 'old', current: 'new' });
    expect(updated?.tokenHash).toBe(`new-${row.tokenHash}`);
    expect(await a.findPickupByTokenHash(row.tokenHash)).toBeNull();
    expect((await a.listPickupsCreatedSince(null)).find((l) => l.pickup.id === row.id)?.guessingDrainedAt).toBeNull();
    await a.cancelPickup(row.id, T0 + 2, 'test');
    expect(await b.reissueToken(row.id, 'another', T0 + 3, { previous: 'new', current: 'another' })).toBeNull();
  });

  it.skipIf(skip)('a reissue racing a guess on the other instance always leaves the new URL a budget', async () => {
    const { a, b } = pair;
    const row = await addPickup(a);
    for (let round = 0; round < 15; round++) {
      const now = T0 + round * DAY;
      // Spend all but one guess, each from a network of its own (so the reserve is open to it too).
      for (let i = 0; i < BUCKET_CAPACITY - 1; i++) expect((await a.admitAttempt(row.id, { client: `c${round}-${i}`, network: `n${round}-${i}` }, now)).allowed).toBe(true);
      const [last] = await Promise.all([
        a.admitAttempt(row.id, { client: `last-${round}`, network: `last-net-${round}` }, now),
        b.reissueToken(row.id, `hash-${row.id}-${round}`, now, { previous: 'p', current: 'c' }),
      ]);
      expect(last.allowed).toBe(true);
      // The last guess came before the reset (wiped with the rest) or after it (one spent of a new
      // budget): either way a guess on the new URL gets in. A lost reset leaves the bucket empty.
      const probe = await b.admitAttempt(row.id, { client: `probe-${round}`, network: `probe-net-${round}` }, now);
      expect(probe).toEqual({ allowed: true, drainedAlert: false });
      await a.reissueToken(row.id, `hash-${row.id}-${round}-clean`, now, { previous: 'p', current: 'c' });
    }
  });

  it.skipIf(skip)('records files per host, and the rearmed notification takes over the slot', async () => {
    const { a, b } = pair;
    const row = await addPickup(a);
    await a.recordPickupFiles([{ pickupId: row.id, kind: 'letter', path: '/tmp/x.html', host: 'host-a' }, { pickupId: row.id, kind: 'letter', path: '/tmp/y.html', host: 'host-b' }], T0, { pickupId: row.id, dir: '/tmp' });
    const kept = await b.listKeptFiles('host-a', [row.id], ['letter']);
    expect(kept.map((f) => f.path)).toEqual(['/tmp/x.html']);
    expect(await b.countKeptFilesElsewhere('host-a', [row.id], ['letter'])).toBe(1);
    await b.markFileDeleted(kept[0]!.id, T0 + 1);
    expect(await a.listKeptFiles('host-a', [row.id], ['letter'])).toEqual([]);
    const first = await a.rearmNotification({ pickupId: row.id, recipient: 'a@example.jp', sealedUrl: 'u1', now: T0 });
    const second = await b.rearmNotification({ pickupId: row.id, recipient: 'b@example.jp', sealedUrl: 'u2', now: T0 + 1 });
    expect(second.id).toBe(first.id);
    expect(second).toMatchObject({ recipient: 'b@example.jp', status: 'sending', sealedUrl: 'u2', attempts: 0 });
  });

  it.skipIf(skip)('keeps one check value per key name: the first stored wins', async () => {
    const { a, b } = pair;
    const name = `seal:k-${counter++}`;
    expect(await a.findKeyCheck(name)).toBeNull();
    expect(await a.saveKeyCheck(name, 'check-1', T0)).toBe('check-1');
    expect(await b.saveKeyCheck(name, 'check-2', T0)).toBe('check-1');
    await a.ping();
    if (a.dialect === 'sqlite') expect(a.poolStats()).toBeNull();
    else expect(a.poolStats()).toMatchObject({ total: expect.any(Number), idle: expect.any(Number), inUse: 0, waiting: 0 });
  });
});
