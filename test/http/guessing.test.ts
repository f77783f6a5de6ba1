import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { events } from '../../src/db/schema.js';
import { BUCKET_CAPACITY, RESERVE } from '../../src/pickup/throttle.js';
import type { IssuedPickup } from '../../src/services/create-pickup.js';
import { issueTestPickup } from '../factories.js';
import { makeTestApp, ORIGIN, pathOf, testConfig, type TestApp } from '../helpers.js';
import { staff } from '../staff/support.js';

let t: TestApp;
afterEach(() => t.close());

/** Behind a named proxy, so each post can come from the address the test names. */
async function proxied(): Promise<IssuedPickup> {
  t = makeTestApp({ config: testConfig({ TRUST_PROXY: '127.0.0.1' }) });
  return issueTestPickup(t.deps);
}

const guess = (p: IssuedPickup, from: string, password: string) =>
  t.http().post(pathOf(p.url)).set('Origin', ORIGIN).set('X-Forwarded-For', from).type('form').send({ password });

const wrong = (p: IssuedPickup) => (p.password === 'WRNGpw23' ? 'WRNGpw24' : 'WRNGpw23');

function kinds(p: IssuedPickup): string[] {
  return t.db.select().from(events).where(eq(events.pickupId, p.id)).all().map((e) => e.kind);
}

describe('a URL holder guessing from one network, with no time passing', () => {
  it('300 wrong guesses from 250 addresses of one IPv4 /24: the subscriber’s first right password gets in', async () => {
    const p = await proxied();
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) statuses.push((await guess(p, `203.0.113.${(i % 250) + 1}`, wrong(p))).status);
    // The network counts as one: 21 guesses are checked, the rest wait.
    expect(statuses.filter((s) => s === 401)).toHaveLength(21);
    expect(statuses.filter((s) => s === 429)).toHaveLength(279);
    const subscriber = await guess(p, '198.51.100.20', p.password);
    expect(subscriber.status).toBe(303);
    expect(subscriber.headers['set-cookie']?.[0]).toMatch(/^uketori_session=/);
  });

  it('300 wrong guesses from 250 /64s of one IPv6 /48: the subscriber’s first right password gets in', async () => {
    const p = await proxied();
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) statuses.push((await guess(p, `2001:db8:aaaa:${((i % 250) + 1).toString(16)}::1`, wrong(p))).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(21);
    expect((await guess(p, '2001:db8:bbbb::1', p.password)).status).toBe(303);
  });
});

describe('a drained guess budget', () => {
  it('is on the timeline, in the log at warn, in the counter, and flagged by staff list; a fresh network still gets in', async () => {
    const p = await proxied();
    // Five networks spend the budget down to the reserve, each within its own limit (21 at once).
    let spent = 0;
    for (let net = 1; spent < BUCKET_CAPACITY - RESERVE; net++) {
      for (let host = 1; host <= 21 && spent < BUCKET_CAPACITY - RESERVE; host++, spent++) {
        expect((await guess(p, `192.0.${net}.${host}`, wrong(p))).status).toBe(401);
      }
    }
    expect(kinds(p).filter((k) => k === 'guess-budget-drained')).toHaveLength(1);
    expect((await t.deps.metrics.guessBudgetDrained.get()).values[0]?.value).toBe(1);
    const warn = t.logs.map((l) => JSON.parse(l) as { level: number; msg: string; pickup?: string }).filter((l) => l.level === 40);
    expect(warn).toEqual([expect.objectContaining({ msg: expect.stringContaining('guess budget drained'), pickup: p.serial })]);

    // A spent network now waits, told in whole minutes; a new network is not kept out.
    const spentNet = await guess(p, '192.0.5.200', wrong(p));
    expect(spentNet.status).toBe(429);
    expect(Number(spentNet.headers['retry-after']) % 60).toBe(0);
    expect((await guess(p, '198.51.100.20', p.password)).status).toBe(303);

    const json = await staff(t, ['list', '--json']);
    expect(json.lines[0]!.guessingDrainedAt).toBe(new Date(t.clock()).toISOString());
    const text = await staff(t, ['list']);
    expect(text.stdout).toContain('GUESSING 2026-11-26 10:00');
    expect(text.stdout).toContain('1 live pickup(s) flagged GUESSING');
    const status = await staff(t, ['status', p.serial]);
    expect(status.stdout).toMatch(/guess-budget-drained +client=192\.0\.5\.0\/24/);
  });

  it('a pickup nobody attacks is not flagged', async () => {
    const p = await proxied();
    for (let i = 0; i < 11; i++) await guess(p, '198.51.100.20', wrong(p));
    expect(kinds(p)).not.toContain('guess-budget-drained');
    expect((await t.deps.metrics.guessBudgetDrained.get()).values[0]?.value).toBe(0);
    expect((await staff(t, ['list', '--json'])).lines[0]!.guessingDrainedAt).toBeNull();
  });
});
