import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openDb, type Db } from '../../src/db/open.js';
import { ReadCache } from '../../src/db/read-cache.js';
import { pickups } from '../../src/db/schema.js';
import { SqliteStore } from '../../src/db/sqlite-store.js';
import { hashToken } from '../../src/pickup/token.js';
import type { IssuedPickup } from '../../src/services/create-pickup.js';
import { issueTestPickup } from '../factories.js';
import { makeTestApp, tmpFile, type TestApp } from '../helpers.js';

// The pickup reads of the embedded store are answered from memory while the database is
// unchanged. Each test changes it a different way and reads straight after.

let t: TestApp;
let store: SqliteStore;
let p: IssuedPickup;
let tokenHash: string;
let other: Db | null = null;

async function setUp(dbFile?: string) {
  t = makeTestApp({ dbFile });
  store = t.deps.store as SqliteStore;
  p = await issueTestPickup(t.deps);
  tokenHash = hashToken(new URL(p.url).pathname.split('/').pop()!);
}

afterEach(() => {
  other?.$client.close();
  other = null;
  t.close();
});

describe('ReadCache in the SQLite store', () => {
  beforeEach(() => setUp());

  it('answers a second read of an unchanged database from memory, frozen', async () => {
    const first = await store.findPickupByTokenHash(tokenHash);
    const second = await store.findPickupByTokenHash(tokenHash);
    expect(first).not.toBeNull();
    expect(second).toBe(first);
    expect(Object.isFrozen(second)).toBe(true);
    expect(() => {
      (second as { cancelledAt: number | null }).cancelledAt = 1;
    }).toThrow(TypeError);
    const withFile = await store.findPickupWithSealedFile({ tokenHash });
    expect(await store.findPickupWithSealedFile({ tokenHash })).toBe(withFile);
    expect(Object.isFrozen(withFile!.sealed)).toBe(true);
  });

  it('reads the database for a fresh read, and keeps nothing from it', async () => {
    const fresh = await store.findPickupByTokenHash(tokenHash, { fresh: true });
    const kept = await store.findPickupByTokenHash(tokenHash);
    expect(kept).not.toBe(fresh);
    expect(kept).toEqual(fresh);
    const again = await store.findPickupByTokenHash(tokenHash, { fresh: true });
    expect(again).not.toBe(kept);
    expect(Object.isFrozen(again)).toBe(false);
    expect(await store.findPickupByTokenHash(tokenHash)).toBe(kept);
  });

  it("sees the store's own write on the next read", async () => {
    const withFile = await store.findPickupWithSealedFile({ tokenHash });
    expect(await store.findPickupWithSealedFile({ tokenHash })).toBe(withFile);
    const before = await store.findPickupByTokenHash(tokenHash);
    expect(before!.windowEndsAt).toBeNull();
    const started = await store.startWindow(p.id, t.clock(), t.clock() + 3_600_000, 'test');
    expect(started).not.toBeNull();
    const after = await store.findPickupByTokenHash(tokenHash);
    expect(after).not.toBe(before);
    expect(after!.windowEndsAt).toBe(t.clock() + 3_600_000);
    expect((await store.findPickupWithSealedFile({ tokenHash }))!.pickup.windowEndsAt).toBe(t.clock() + 3_600_000);
  });

  it('sees a write made on the same connection outside the store', async () => {
    await store.findPickupByTokenHash(tokenHash);
    t.db.update(pickups).set({ cancelledAt: t.clock(), cancelReason: 'direct' }).where(eq(pickups.id, p.id)).run();
    expect((await store.findPickupByTokenHash(tokenHash))!.cancelReason).toBe('direct');
  });

  it('sees a destroyed sealed file on the next read, and lets go of the one it kept', async () => {
    const kept = await store.findPickupWithSealedFile({ tokenHash });
    expect(await store.findPickupWithSealedFile({ tokenHash })).toBe(kept);
    expect(kept!.sealed).not.toBeNull();
    expect(await store.destroyKeyMaterial(p.id, t.clock(), 'test')).toBe(true);
    // Any read after the change drops everything kept, the sealed file with it.
    expect(await store.findPickupByTokenHash('0'.repeat(64))).toBeNull();
    expect(store.readCacheSize).toBe(0);
    expect((await store.findPickupWithSealedFile({ tokenHash }))!.sealed).toBeNull();
  });

  it('keeps nothing read inside a transaction, which may yet be rolled back', async () => {
    const kept = await store.findPickupByTokenHash(tokenHash);
    let inside: unknown = null;
    expect(() =>
      t.db.transaction(() => {
        t.db.update(pickups).set({ cancelReason: 'rolled back' }).where(eq(pickups.id, p.id)).run();
        // The async method runs its synchronous read at once; its promise settles after.
        void store.findPickupByTokenHash(tokenHash).then((row) => (inside = row));
        throw new Error('abort');
      }),
    ).toThrow('abort');
    await Promise.resolve();
    expect((inside as { cancelReason: string | null }).cancelReason).toBe('rolled back');
    const after = await store.findPickupByTokenHash(tokenHash);
    expect(after!.cancelReason).toBeNull();
    expect(after).not.toBe(kept);
  });

  it('does not keep a miss, and keeps at most its limit, dropping the one read longest ago', async () => {
    expect(await store.findPickupByTokenHash('0'.repeat(64))).toBeNull();
    const cache = new ReadCache(t.db.$client, 2);
    let loads = 0;
    const load = (id: string) => () => {
      loads++;
      return { id };
    };
    expect(cache.read('missing', () => null)).toBeNull();
    expect(cache.size).toBe(0);
    const a = cache.read('a', load('a'));
    const b = cache.read('b', load('b'));
    expect(cache.read('a', load('a'))).toBe(a);
    cache.read('c', load('c'));
    expect(cache.size).toBe(2);
    expect(loads).toBe(3);
    expect(cache.read('a', load('a'))).toBe(a);
    expect(cache.read('b', load('b'))).not.toBe(b);
    expect(loads).toBe(4);
  });
});

describe('ReadCache with a second connection on the same file', () => {
  beforeEach(() => setUp(tmpFile('read-cache.db')));

  it("sees another connection's commit on the next read (a staff command in its own process)", async () => {
    other = openDb(t.db.$client.name);
    const before = await store.findPickupByTokenHash(tokenHash);
    expect(await store.findPickupByTokenHash(tokenHash)).toBe(before);
    const withFile = await store.findPickupWithSealedFile({ tokenHash });
    expect(await store.findPickupWithSealedFile({ tokenHash })).toBe(withFile);
    other.update(pickups).set({ cancelledAt: t.clock(), cancelReason: 'elsewhere' }).where(eq(pickups.id, p.id)).run();
    const after = await store.findPickupByTokenHash(tokenHash);
    expect(after!.cancelReason).toBe('elsewhere');
    expect((await store.findPickupWithSealedFile({ tokenHash }))!.pickup.cancelReason).toBe('elsewhere');
  });
});
