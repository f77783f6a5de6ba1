import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/lib/clock.js';
import { recordPageView } from '../../src/services/portal.js';
import { issueTestPickup } from '../factories.js';
import { makeTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
beforeEach(() => {
  t = makeTestApp();
});
afterEach(() => t.close());

describe('recordPageView', () => {
  it('asks for the client detail only when it writes a view: once a minute per pickup', async () => {
    const p = await issueTestPickup(t.deps);
    const pickup = (await t.deps.store.findPickupById(p.id))!;
    let asked = 0;
    const client = () => `client-${++asked}`;
    await recordPageView(t.deps, pickup, t.clock(), client);
    t.clock.advance(10_000);
    await recordPageView(t.deps, pickup, t.clock(), client);
    t.clock.advance(MINUTE);
    await recordPageView(t.deps, pickup, t.clock(), client);
    const views = (await t.deps.store.listEvents(p.id)).filter((e) => e.kind === 'page-view');
    expect(views).toHaveLength(2);
    expect(asked).toBe(2);
    expect(views.map((e) => JSON.parse(e.detail ?? '{}').client)).toEqual(['client-1', 'client-2']);
  });
});
