import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { events, pickups, sealedFiles } from '../../src/db/schema.js';
import { startWindow } from '../../src/db/pickups.js';
import { DAY, HOUR } from '../../src/lib/clock.js';
import { windowEnd } from '../../src/pickup/window.js';
import { sweepKeyMaterial } from '../../src/services/sweep.js';
import { issueTestPickup } from '../factories.js';
import { makeTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
beforeEach(() => {
  t = makeTestApp();
});
afterEach(() => t.close());

const sealedCount = () => t.db.select().from(sealedFiles).all().length;

describe('the key-material sweep', () => {
  it('destroys nothing while pickups are live, at the exact boundaries', async () => {
    const waiting = await issueTestPickup(t.deps);
    const inWindow = await issueTestPickup(t.deps, { nameRomaji: 'SATO HANAKO' });
    startWindow(t.db, inWindow.id, t.clock(), windowEnd(t.clock(), inWindow.expiresAt));
    t.clock.advance(HOUR - 1);
    expect((await sweepKeyMaterial(t.deps)).destroyed).toEqual([]);
    expect(sealedCount()).toBe(2);

    t.clock.advance(1);
    expect((await sweepKeyMaterial(t.deps)).destroyed.map((d) => [d.serial, d.reason])).toEqual([[inWindow.serial, 'downloaded']]);

    t.clock.set(waiting.issuedAt + 30 * DAY - 1);
    expect((await sweepKeyMaterial(t.deps)).destroyed).toEqual([]);
    t.clock.set(waiting.issuedAt + 30 * DAY);
    expect((await sweepKeyMaterial(t.deps)).destroyed.map((d) => [d.serial, d.reason])).toEqual([[waiting.serial, 'expired']]);
    expect(sealedCount()).toBe(0);

    // Idempotent, and the record stays.
    expect((await sweepKeyMaterial(t.deps)).destroyed).toEqual([]);
    const row = t.db.select().from(pickups).where(eq(pickups.id, waiting.id)).get()!;
    expect(row.keyDestroyedAt).toBe(t.clock());
    const kinds = t.db.select().from(events).where(eq(events.pickupId, waiting.id)).all().map((e) => e.kind);
    expect(kinds).toEqual(['created', 'key-destroyed']);
  });
});
