import { afterEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../src/lib/clock.js';
import { cookieFrom, makeTestApp, ORIGIN, pathOf, T0, type TestApp } from '../helpers.js';
import { staff } from './support.js';

let t: TestApp;
afterEach(() => t.close());

const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';

async function issue(code: string): Promise<Record<string, unknown>> {
  const run = await staff(t, ['issue', '--name-romaji', 'YAMADA TARO', '--email', 'taro@example.jp', '--application-code', code, '--no-letters', '--json']);
  expect(run.code, run.stderr).toBe(0);
  return run.lines[0]!;
}

const post = (url: string, body: Record<string, string>, cookie?: string) => {
  const req = t.http().post(url).set('Origin', ORIGIN).set('User-Agent', UA).type('form').send(body);
  return cookie ? req.set('Cookie', cookie) : req;
};

describe('status', () => {
  it('shows each event of a scripted pickup in order, with times and coarse clients', async () => {
    t = makeTestApp();
    const p = await issue('S-1');
    const page = pathOf(String(p.url));

    t.clock.advance(MINUTE);
    expect((await t.http().get(page).set('User-Agent', UA)).status).toBe(200);
    for (let i = 0; i < 11; i++) expect((await post(page, { password: 'WrzngPw2' })).status).toBe(401);
    expect((await post(page, { password: String(p.password) })).status).toBe(429);
    t.clock.advance(2 * MINUTE);
    const login = await post(page, { password: String(p.password) });
    expect(login.status).toBe(303);
    expect((await t.http().get(page).set('User-Agent', UA).set('Cookie', cookieFrom(login))).status).toBe(200);
    t.clock.advance(MINUTE);
    expect((await post(`${page}/download`, {}, cookieFrom(login))).status).toBe(200);
    t.clock.advance(HOUR + MINUTE);
    const purge = await staff(t, ['purge', '--json']);
    // The outbox copy of the notification (it names the URL) goes with the key material.
    expect(purge.lines).toEqual([
      { destroyed: [{ serial: p.serial, reason: 'downloaded' }], filesDeleted: [expect.stringMatching(/\/outbox\/[^/]+\.eml$/)], filesFailed: [], walClean: true },
    ]);
    expect((await staff(t, ['purge', '--json'])).lines).toEqual([{ destroyed: [], filesDeleted: [], filesFailed: [], walClean: true }]);
    t.clock.advance(MINUTE);
    expect((await staff(t, ['cancel', String(p.serial), '--reason', 'subscriber reported a lost laptop'])).code).toBe(0);

    const json = await staff(t, ['status', 'S-1', '--json']);
    const status = json.lines[0]!;
    expect(status).toMatchObject({ serial: p.serial, applicationCode: 'S-1', state: 'cancelled', keyDestroyed: true });
    const timeline = status.events as Array<{ at: string; kind: string; detail: Record<string, unknown> }>;
    expect(timeline.map((e) => e.kind)).toEqual([
      'created',
      'mailed',
      'page-view',
      ...Array(11).fill('password-failed'),
      'throttled',
      'password-ok',
      'page-view',
      'window-started',
      'downloaded',
      'key-destroyed',
      'files-deleted',
      'cancelled',
    ]);
    const at = timeline.map((e) => Date.parse(e.at));
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(at[0]).toBe(T0);
    expect(timeline[1]!.detail).toMatchObject({ mail: 'notification', to: 'taro@example.jp' });
    expect(timeline[2]!.detail).toEqual({ client: '127.0.0.0/24 Chrome' });
    expect(timeline[14]!.detail).toMatchObject({ retryAfterSeconds: 60 });
    expect(timeline.at(-1)!.detail).toEqual({ reason: 'subscriber reported a lost laptop' });

    const text = await staff(t, ['status', String(p.serial).toLowerCase()]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('state            cancelled, key material destroyed');
    expect(text.stdout).toContain('Thu, 26 Nov 2026, 10:00 JST  created');
    const order = ['created', 'mailed', 'page-view', 'password-failed', 'throttled', 'password-ok', 'window-started', 'downloaded', 'key-destroyed', 'cancelled'];
    const positions = order.map((kind) => text.stdout.indexOf(`JST  ${kind}`));
    expect(positions.every((pos) => pos > 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('names an unknown reference in one line', async () => {
    t = makeTestApp();
    const run = await staff(t, ['status', 'NOPE']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('staff status: no pickup with serial or application code "NOPE"\n');
  });
});

describe('list', () => {
  it('filters by state and by creation date (a bare date is a day in JST)', async () => {
    t = makeTestApp();
    const a = await issue('L-1');
    t.clock.advance(24 * HOUR);
    const b = await issue('L-2');
    await staff(t, ['cancel', String(b.serial), '--reason', 'duplicate']);

    const all = await staff(t, ['list', '--json']);
    expect(all.lines.map((r) => [r.serial, r.state, r.mail])).toEqual([
      [a.serial, 'pending', 'sent'],
      [b.serial, 'cancelled', 'sent'],
    ]);
    expect((await staff(t, ['list', '--state', 'pending', '--json'])).lines.map((r) => r.serial)).toEqual([a.serial]);
    // T0 is 2026-11-26 10:00 JST; the second pickup was made on the 27th.
    expect((await staff(t, ['list', '--since', '2026-11-27', '--json'])).lines.map((r) => r.serial)).toEqual([b.serial]);
    expect((await staff(t, ['list', '--since', '2026-11-26T10:00:00+09:00', '--json'])).lines).toHaveLength(2);
    expect((await staff(t, ['list', '--state', 'expired', '--json'])).lines).toEqual([]);

    const text = await staff(t, ['list']);
    expect(text.stdout.split('\n')[0]).toMatch(/^serial +state +created \(JST\) +download until +application +mail +alert +name$/);
    expect(text.stdout).toContain('2026-11-26 10:00  2026-12-26 10:00  L-1');
    expect(text.stdout).toContain('2 pickup(s)');

    expect((await staff(t, ['list', '--state', 'lost'])).stderr).toContain('--state must be one of pending, window, downloaded, expired, cancelled');
    expect((await staff(t, ['list', '--since', '2026-11-27T10:00'])).stderr).toContain('--since takes a date');
  });
});

describe('help', () => {
  it('every new command has --help', async () => {
    t = makeTestApp();
    for (const name of ['list', 'mail', 'remind-expiry', 'issue']) {
      const run = await staff(t, [name, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`usage: npm run staff -- ${name}`);
    }
    expect((await staff(t, ['issue', '--help'])).stdout).toContain('issue --batch applicants.csv|applicants.jsonl');
  });
});
