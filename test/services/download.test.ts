import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../src/lib/clock.js';
import { hashToken, normalizeToken } from '../../src/pickup/token.js';
import { windowEnd } from '../../src/pickup/window.js';
import { downloadP12 } from '../../src/services/portal.js';
import { issueTestPickup } from '../factories.js';
import { makeTestApp, type TestApp } from '../helpers.js';
import { openP12 } from '../openssl.js';

let t: TestApp;
beforeEach(() => {
  t = makeTestApp();
});
afterEach(() => t.close());

/** The row and file as the download route reads them: one statement, by the URL's token. */
async function readAsRoute(url: string) {
  const token = normalizeToken(url.split('/d/')[1]!);
  if (!token.ok) throw new Error('bad token');
  return (await t.deps.store.findPickupWithSealedFile({ tokenHash: hashToken(token.token) }))!;
}

const kinds = async (id: string) => (await t.deps.store.listEvents(id)).map((e) => e.kind);

describe('downloading from the row the request read', () => {
  it('serves the first press from the started row and the file read with it, and a repeat from one read', async () => {
    const p = await issueTestPickup(t.deps);
    const first = await downloadP12(t.deps, await readAsRoute(p.url), () => 'c', t.clock());
    expect(first.kind).toBe('file');
    if (first.kind !== 'file') return;
    expect(first.pickup.windowEndsAt).toBe(windowEnd(t.clock(), p.expiresAt));
    expect(openP12(Buffer.from(first.bytes), p.pin).ok).toBe(true);
    t.clock.advance(30 * MINUTE);
    const again = await downloadP12(t.deps, await readAsRoute(p.url), () => 'c', t.clock());
    expect(again.kind === 'file' && Buffer.from(again.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    expect((await kinds(p.id)).filter((k) => k === 'window-started')).toHaveLength(1);
    t.clock.advance(30 * MINUTE);
    expect((await downloadP12(t.deps, await readAsRoute(p.url), () => 'c', t.clock())).kind).toBe('dead');
  });

  it('reads again when a racing press started the window after this request read the row', async () => {
    const p = await issueTestPickup(t.deps);
    const stale = await readAsRoute(p.url);
    expect(stale.pickup.windowEndsAt).toBeNull();
    const racer = await downloadP12(t.deps, await readAsRoute(p.url), () => 'racer', t.clock());
    expect(racer.kind).toBe('file');
    t.clock.advance(1000);
    const late = await downloadP12(t.deps, stale, () => 'late', t.clock());
    expect(late.kind).toBe('file');
    expect(late.pickup.windowStartedAt).toBe(racer.pickup.windowStartedAt);
    expect((await kinds(p.id)).filter((k) => k === 'window-started')).toHaveLength(1);
  });

  it('serves nothing when staff cancelled before the first press, though the request read the row live', async () => {
    const p = await issueTestPickup(t.deps);
    const stale = await readAsRoute(p.url);
    await t.deps.store.cancelPickup(p.id, t.clock(), 'lost letter');
    const outcome = await downloadP12(t.deps, stale, () => 'c', t.clock());
    expect(outcome).toMatchObject({ kind: 'dead', state: 'cancelled' });
    expect(await kinds(p.id)).not.toContain('window-started');
  });

  it('writes no client detail until an event is due', async () => {
    const p = await issueTestPickup(t.deps);
    const asked: string[] = [];
    const client = (name: string) => () => (asked.push(name), name);
    await downloadP12(t.deps, await readAsRoute(p.url), client('first'), t.clock());
    expect(asked).toEqual(['first', 'first']); // window-started and downloaded
    t.clock.advance(10_000);
    await downloadP12(t.deps, await readAsRoute(p.url), client('repeat'), t.clock());
    expect(asked).toEqual(['first', 'first']);
    t.clock.advance(HOUR / 2);
    await downloadP12(t.deps, await readAsRoute(p.url), client('later'), t.clock());
    expect(asked).toEqual(['first', 'first', 'later']);
  });
});
