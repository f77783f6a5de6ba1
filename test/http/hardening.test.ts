import fs from 'node:fs';
import { getEventListeners } from 'node:events';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { isOwed } from '../../src/db/housekeeping.js';
import { WAL_SIZE_LIMIT } from '../../src/db/open.js';
import { cancelPickupWithEvent, findSealedFile } from '../../src/db/pickups.js';
import { events, pickups } from '../../src/db/schema.js';
import { parseForwardedAddress } from '../../src/http/client-address.js';
import { cookieValues } from '../../src/http/cookies.js';
import { MINUTE } from '../../src/lib/clock.js';
import { CheckAbandonedError, createPasswordHasher, HasherBusyError } from '../../src/auth/password-hasher.js';
import type { IssuedPickup } from '../../src/services/create-pickup.js';
import { sweepKeyMaterial } from '../../src/services/sweep.js';
import { issueTestPickup } from '../factories.js';
import { binaryBody, cookieFrom, gatedArgon2, makeTestApp, ORIGIN, pathOf, postForm, testConfig, tmpFile, type TestApp } from '../helpers.js';
import { openP12 } from '../openssl.js';

let t: TestApp;
afterEach(() => {
  t?.close();
  t = undefined as unknown as TestApp;
});

async function fresh(config = testConfig()): Promise<IssuedPickup> {
  t = makeTestApp({ config });
  return issueTestPickup(t.deps);
}

async function login(p: IssuedPickup): Promise<string> {
  const res = await postForm(t, pathOf(p.url), { password: p.password });
  expect(res.status).toBe(303);
  return cookieFrom(res);
}

const row = (p: IssuedPickup) => t.db.select().from(pickups).where(eq(pickups.id, p.id)).get()!;

describe('X-Forwarded-For, read strictly', () => {
  it('strips brackets and ports, and refuses what is not an address', () => {
    expect(parseForwardedAddress('[2001:db8::5]')).toBe('2001:db8::5');
    expect(parseForwardedAddress(' [2001:db8::5]:443 ')).toBe('2001:db8::5');
    expect(parseForwardedAddress('203.0.113.7:5555')).toBe('203.0.113.7');
    expect(parseForwardedAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(parseForwardedAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(parseForwardedAddress('"198.51.100.1"')).toBe('198.51.100.1');
    for (const junk of ['unknown', 'example.jp', '203.0.113.256', '[203.0.113.7]x', '2001:db8::5:443:1:2:3:4:5', '', '_hidden']) {
      expect(parseForwardedAddress(junk), junk).toBeNull();
    }
  });

  it('groups [2001:db8::5] with its /64 and 203.0.113.7:5555 with 203.0.113.7 for the throttle', async () => {
    const p = await fresh(testConfig({ TRUST_PROXY: '127.0.0.1' }));
    const from = (xff: string, password = 'WRNGpw23') => t.http().post(pathOf(p.url)).set('Origin', ORIGIN).set('X-Forwarded-For', xff).type('form').send({ password });
    const v6 = ['[2001:db8::5]', '[2001:db8::6]:443', '2001:db8::7', '[2001:db8:0:0:1::9]:8443'];
    for (let i = 0; i < 11; i++) expect((await from(v6[i % v6.length]!)).status).toBe(401);
    expect((await from('[2001:db8::ffff]:1', p.password)).status).toBe(429);
    const v4 = ['203.0.113.7:5555', '203.0.113.7', '203.0.113.7:1'];
    for (let i = 0; i < 11; i++) expect((await from(v4[i % v4.length]!)).status).toBe(401);
    expect((await from('203.0.113.7:80', p.password)).status).toBe(429);
    // A value that is no address falls back to the socket: the proxy itself, not a new client.
    expect((await from('not-an-address')).status).toBe(401);
    const last = t.db.select().from(events).where(eq(events.pickupId, p.id)).all().filter((e) => e.kind === 'password-failed').at(-1)!;
    expect(JSON.parse(last.detail!)).toMatchObject({ client: expect.stringMatching(/^127\.0\.0\.0\/24 /) });
  });
});

describe('unsafe requests must be forms from our own origin', () => {
  it('a JSON POST to the download URL with a foreign Origin gets 403 and no P12, and starts nothing', async () => {
    const p = await fresh();
    const cookie = await login(p);
    const res = await t
      .http()
      .post(`${pathOf(p.url)}/download`)
      .set('Origin', 'https://evil.example')
      .set('Cookie', cookie)
      .set('Content-Type', 'application/json')
      .send('{}')
      .buffer(true)
      .parse(binaryBody);
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(row(p).windowStartedAt).toBeNull();
    // From our own origin, a body that is not a form gets 415; a form from our origin still works.
    expect((await t.http().post(`${pathOf(p.url)}/download`).set('Origin', ORIGIN).set('Cookie', cookie).set('Content-Type', 'application/json').send('{}')).status).toBe(415);
    expect((await t.http().post(pathOf(p.url)).set('Origin', ORIGIN).set('Content-Type', 'text/plain').send('password=x')).status).toBe(415);
    expect((await t.http().put(pathOf(p.url)).set('Origin', ORIGIN).set('Content-Type', 'application/json').send('{}')).status).toBe(415);
    const file = await postForm(t, `${pathOf(p.url)}/download`, {}, cookie).buffer(true).parse(binaryBody);
    expect(file.status).toBe(200);
    expect(openP12(file.body as Buffer, p.pin).ok).toBe(true);
  });

  it('a form from a foreign origin is still 403; a browser form sent with Origin: null and Sec-Fetch-Site: same-origin passes', async () => {
    const p = await fresh();
    const cookie = await login(p);
    const res = await t.http().post(`${pathOf(p.url)}/download`).set('Origin', 'https://evil.example').set('Cookie', cookie).type('form').send({});
    expect(res.status).toBe(403);
    const crossSite = await t.http().post(`${pathOf(p.url)}/download`).set('Sec-Fetch-Site', 'cross-site').set('Cookie', cookie).type('form').send({});
    expect(crossSite.status).toBe(403);
    expect(row(p).windowStartedAt).toBeNull();
    // What Chromium sends for the portal's own form under Referrer-Policy: no-referrer.
    const sameSite = await t.http().post(`${pathOf(p.url)}/download`).set('Origin', 'null').set('Sec-Fetch-Site', 'same-origin').set('Cookie', cookie).type('form').send({});
    expect(sameSite.status).toBe(200);
  });
});

describe('session cookies of the same name', () => {
  it('lists every value under the name, in order, and nothing else', () => {
    expect(cookieValues('a=1; uketori_session=x; lang=en; uketori_session="y"', 'uketori_session')).toEqual(['x', 'y']);
    expect(cookieValues('xuketori_session=1; uketori_sessionx=2', 'uketori_session')).toEqual([]);
    expect(cookieValues(undefined, 'uketori_session')).toEqual([]);
    expect(cookieValues(Array(300).fill('uketori_session=z').join('; '), 'uketori_session')).toHaveLength(256);
  });

  it('a planted cookie before the real one does not block the download; planted ones alone do not pass', async () => {
    const p = await fresh();
    const real = cookieFrom({ headers: (await postForm(t, pathOf(p.url), { password: p.password })).headers }).split('=')[1]!;
    const planted = 'uketori_session=eyJhbGciOiJIUzI1NiJ9.e30.planted';
    const blocked = await postForm(t, `${pathOf(p.url)}/download`, {}, `${planted}; uketori_session=garbage`);
    expect(blocked.status).toBe(401);
    expect(row(p).windowStartedAt).toBeNull();
    const ok = await postForm(t, `${pathOf(p.url)}/download`, {}, `${planted}; uketori_session=${real}`).buffer(true).parse(binaryBody);
    expect(ok.status).toBe(200);
    expect(openP12(ok.body as Buffer, p.pin).ok).toBe(true);
    // The page view with the session shows the ready page, not the password form.
    const page = await t.http().get(pathOf(p.url)).set('Cookie', `${planted}; uketori_session=${real}`);
    expect(page.text).toContain(p.serial);
  });

  it('many planted cookies ahead of the real one (a browser sends up to ~180 per site) do not block it either', async () => {
    const p = await fresh();
    const real = cookieFrom({ headers: (await postForm(t, pathOf(p.url), { password: p.password })).headers }).split('=')[1]!;
    // JWT-shaped, so only the signature check could tell them apart, were they tried.
    const planted = Array.from({ length: 60 }, (_, i) => `uketori_session=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.p${i}`).join('; ');
    const blocked = await postForm(t, `${pathOf(p.url)}/download`, {}, planted);
    expect(blocked.status).toBe(401);
    expect(row(p).windowStartedAt).toBeNull();
    const ok = await postForm(t, `${pathOf(p.url)}/download`, {}, `${planted}; uketori_session=${real}`).buffer(true).parse(binaryBody);
    expect(ok.status).toBe(200);
    expect(openP12(ok.body as Buffer, p.pin).ok).toBe(true);
  });
});

describe('downloaded rows on the timeline', () => {
  it('are bounded like page views: one a minute per pickup, however often the button is pressed', async () => {
    const p = await fresh();
    const cookie = await login(p);
    for (let i = 0; i < 30; i++) expect((await postForm(t, `${pathOf(p.url)}/download`, {}, cookie)).status).toBe(200);
    const count = () => t.db.select().from(events).where(eq(events.pickupId, p.id)).all().filter((e) => e.kind === 'downloaded').length;
    expect(count()).toBe(1);
    t.clock.advance(MINUTE - 1);
    await postForm(t, `${pathOf(p.url)}/download`, {}, cookie);
    expect(count()).toBe(1);
    t.clock.advance(1);
    await postForm(t, `${pathOf(p.url)}/download`, {}, cookie);
    expect(count()).toBe(2);
    expect(row(p).firstDownloadAt).not.toBeNull();
  });
});

describe('WAL truncation after a destruction', () => {
  it('is owed while a reader holds it off, and paid by the next sweep; the WAL is bounded', async () => {
    const dbFile = tmpFile('uketori.db');
    t = makeTestApp({ dbFile });
    expect(t.db.$client.pragma('journal_size_limit', { simple: true })).toBe(WAL_SIZE_LIMIT);
    const p = await issueTestPickup(t.deps);
    const jwe = findSealedFile(t.db, p.id)!.jwe;
    const tail = Buffer.from(jwe.slice(-200));
    cancelPickupWithEvent(t.db, p.id, t.clock(), 'test');

    // An online backup (a second connection reading) is running while the sweep destroys the file.
    const reader = new Database(dbFile, { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM sealed_files').get();
    const first = await sweepKeyMaterial(t.deps);
    expect(first.destroyed).toHaveLength(1);
    expect(first.walClean).toBe(false);
    expect(isOwed(t.db, 'wal-truncate')).toBe(true);
    expect(fs.readFileSync(`${dbFile}-wal`).includes(tail)).toBe(true);
    reader.exec('COMMIT');
    reader.close();

    // The next sweep destroys nothing new, but pays the debt.
    const second = await sweepKeyMaterial(t.deps);
    expect(second.destroyed).toEqual([]);
    expect(second.walClean).toBe(true);
    expect(isOwed(t.db, 'wal-truncate')).toBe(false);
    expect(fs.readFileSync(`${dbFile}-wal`).includes(tail)).toBe(false);
    expect(fs.readFileSync(dbFile).includes(tail)).toBe(false);
  });
});

describe('the password hasher queue', () => {
  it('a 100-guess burst on one pickup holds a quarter of the queue; another pickup’s check is next in line', async () => {
    const hasher = createPasswordHasher({ pepper: new Uint8Array(32).fill(9), concurrency: 1, queueLimit: 64 });
    const hash = await hasher.hash('RightPw2');
    const order: string[] = [];
    let busy = 0;
    const burst = Array.from({ length: 100 }, (_, i) =>
      hasher.verify(hash, 'WrongPw2', 'pickup-a').then(
        () => order.push(`a${i}`),
        (err: unknown) => {
          if (err instanceof HasherBusyError) busy++;
          else throw err;
        },
      ),
    );
    expect(hasher.ownerShare).toBe(16);
    expect(hasher.queued).toBe(16);
    expect(hasher.canAccept('pickup-a')).toBe(false);
    expect(hasher.canAccept('pickup-b')).toBe(true);
    const other = hasher.verify(hash, 'RightPw2', 'pickup-b').then((ok) => {
      order.push('b');
      return ok;
    });
    await Promise.all([...burst, other]);
    expect(await other).toBe(true);
    expect(busy).toBe(100 - 1 - 16);
    // Only the check already running went first.
    expect(order.indexOf('b')).toBe(1);
    expect(order).toHaveLength(18);
    expect(hasher.queued + hasher.inFlight).toBe(0);
  });

  it('a check whose request has gone leaves the queue before it starts; one already running finishes', async () => {
    const gated = gatedArgon2();
    const hasher = createPasswordHasher({ pepper: new Uint8Array(32).fill(9), concurrency: 1, queueLimit: 64, argon2: gated.calls });
    const hash = await hasher.hash('RightPw2');
    const runningClient = new AbortController();
    const running = hasher.reserve('a')!.verify(hash, 'RightPw2', runningClient.signal);
    const leaving = new AbortController();
    const leaver = hasher.reserve('b')!.verify(hash, 'WrongPw2', leaving.signal);
    const next = hasher.reserve('c')!.verify(hash, 'WrongPw2');
    expect([hasher.inFlight, hasher.queued, gated.verifies()]).toEqual([1, 2, 1]);

    leaving.abort();
    await expect(leaver).rejects.toBeInstanceOf(CheckAbandonedError);
    expect([hasher.inFlight, hasher.queued]).toEqual([1, 1]);
    // A request that is gone before its check is asked for neither queues nor runs.
    await expect(hasher.reserve('d')!.verify(hash, 'WrongPw2', AbortSignal.abort())).rejects.toBeInstanceOf(CheckAbandonedError);
    expect(hasher.queued).toBe(1);
    // argon2 cannot be stopped halfway: a running check's request going away changes nothing.
    runningClient.abort();

    gated.open();
    expect(await running).toBe(true);
    expect(await next).toBe(false);
    // The running check and the one behind the leaver: argon2 never ran for b or d.
    expect(gated.verifies()).toBe(2);
    expect(hasher.queued + hasher.inFlight).toBe(0);
  });

  it('a leaver takes only its own place: its owner\'s other check keeps its turn, and no abort listener stays behind', async () => {
    const gated = gatedArgon2();
    const hasher = createPasswordHasher({ pepper: new Uint8Array(32).fill(9), concurrency: 1, queueLimit: 8, argon2: gated.calls });
    expect(hasher.ownerShare).toBe(2);
    const hash = await hasher.hash('RightPw2');
    const order: string[] = [];
    const signals = { b1: new AbortController(), b2: new AbortController(), c: new AbortController() };
    const check = (owner: string, name: string, signal?: AbortSignal) => hasher.reserve(owner)!.verify(hash, 'WrongPw2', signal).then(() => order.push(name));
    const a = check('a', 'a');
    const b1 = check('b', 'b1', signals.b1.signal);
    const b2 = check('b', 'b2', signals.b2.signal);
    const c = check('c', 'c', signals.c.signal);
    expect([hasher.queued, hasher.canAccept('b')]).toEqual([3, false]);

    signals.b1.abort();
    await expect(b1).rejects.toBeInstanceOf(CheckAbandonedError);
    expect([hasher.queued, hasher.canAccept('b')]).toEqual([2, true]);
    gated.open();
    await Promise.all([a, b2, c]);
    expect(order).toEqual(['a', 'b2', 'c']);
    expect(gated.verifies()).toBe(3);
    for (const s of [signals.b2.signal, signals.c.signal]) expect(getEventListeners(s, 'abort')).toHaveLength(0);
  });

  it('owners take turns: two bursts interleave', async () => {
    const hasher = createPasswordHasher({ pepper: new Uint8Array(32).fill(9), concurrency: 1, queueLimit: 64 });
    const hash = await hasher.hash('RightPw2');
    const order: string[] = [];
    const all = [
      ...Array.from({ length: 4 }, () => hasher.verify(hash, 'x', 'a').then(() => order.push('a'))),
      ...Array.from({ length: 3 }, () => hasher.verify(hash, 'x', 'b').then(() => order.push('b'))),
    ];
    await Promise.all(all);
    expect(order.join('')).toBe('abababa');
  });
});
