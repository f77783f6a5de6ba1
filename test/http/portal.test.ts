import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { events, pickups, sealedFiles } from '../../src/db/schema.js';
import { HOUR, MINUTE, DAY } from '../../src/lib/clock.js';
import { staff } from '../staff/support.js';
import { issueTestPickup } from '../factories.js';
import { binaryBody, cookieFrom, makeTestApp, ORIGIN, pathOf, postForm, tmpFile, type TestApp } from '../helpers.js';
import { openP12, pemBlocks, publicKeyDigest } from '../openssl.js';
import type { IssuedPickup } from '../../src/services/create-pickup.js';

let t: TestApp;
let p: IssuedPickup;

beforeEach(async () => {
  t = makeTestApp();
  p = await issueTestPickup(t.deps);
});
afterEach(() => t.close());

const post = (path: string, body: Record<string, string>, cookie?: string) => postForm(t, path, body, cookie);

async function login(): Promise<string> {
  const res = await post(pathOf(p.url), { password: p.password });
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe(pathOf(p.url));
  return cookieFrom(res);
}

async function download(cookie: string) {
  return post(`${pathOf(p.url)}/download`, {}, cookie).buffer(true).parse(binaryBody);
}

function row() {
  return t.db.select().from(pickups).where(eq(pickups.id, p.id)).get()!;
}

describe('the subscriber flow', () => {
  it('landing → password → summary → download → a P12 OpenSSL 3 opens with the PIN', async () => {
    const landing = await t.http().get(pathOf(p.url));
    expect(landing.status).toBe(200);
    expect(landing.text).toContain('name="password"');
    expect(landing.headers['cache-control']).toBe('no-store');

    const cookie = await login();
    const setCookie = (await post(pathOf(p.url), { password: p.password })).headers['set-cookie']![0]!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Max-Age=900/);
    expect(setCookie).not.toMatch(/Secure/);

    const ready = await t.http().get(pathOf(p.url)).set('Cookie', cookie);
    expect(ready.status).toBe(200);
    expect(ready.text).toContain(p.serial);
    // Shown once, in the technical details, breakable only between bytes.
    expect(ready.text).toContain(p.fingerprint.replaceAll(':', ':<wbr/>'));
    expect(ready.text).toContain('YAMADA TARO');
    expect(ready.text).toContain(`action="${pathOf(p.url)}/download"`);
    expect(row().windowStartedAt).toBeNull();

    const file = await download(cookie);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/x-pkcs12');
    expect(file.headers['content-disposition']).toBe('attachment; filename="CERT.P12"');
    expect(file.headers['cache-control']).toBe('no-store');
    const bytes = file.body as Buffer;
    expect(Number(file.headers['content-length'])).toBe(bytes.length);

    const opened = openP12(bytes, p.pin);
    expect(opened.ok, opened.stderr).toBe(true);
    const [leaf] = pemBlocks(opened.pem, 'CERTIFICATE');
    const [key] = pemBlocks(opened.pem, 'PRIVATE KEY');
    expect(publicKeyDigest(key!, 'key')).toBe(publicKeyDigest(leaf!, 'cert'));
    expect(openP12(bytes, p.pin.slice(0, 7) + (p.pin[7] === 'A' ? 'B' : 'A')).ok).toBe(false);
    expect(row().windowStartedAt).toBe(t.clock());
  });

  it('re-downloads identical bytes inside the window, and the URL dies when it closes', async () => {
    const cookie = await login();
    const first = await download(cookie);
    t.clock.advance(HOUR - 1);
    // The 15-minute session has run out by now: the password is entered again.
    expect((await download(cookie)).status).toBe(401);
    const again = await download(await login());
    expect(again.status).toBe(200);
    expect(Buffer.compare(first.body as Buffer, again.body as Buffer)).toBe(0);

    t.clock.advance(1);
    const dead = await t.http().get(pathOf(p.url));
    expect(dead.status).toBe(410);
    expect(dead.text).toContain('ダウンロード済み');
    expect(dead.text).toMatch(/2026年11月26日（木）10:00（日本時間）/);
    expect((await download(cookie)).status).toBe(410);
  });

  it('a wrong password, then the right one', async () => {
    const wrong = await post(pathOf(p.url), { password: 'ABCDEFGH' === p.password ? 'HGFEDCBA' : 'ABCDEFGH' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('パスワードが一致しません');
    expect(wrong.text).toContain('aria-describedby="password-error password-checks password-hint"');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    await login();
  });

  it('eleven wrong passwords are answered; the twelfth waits; after the wait the right one works', async () => {
    for (let i = 0; i < 11; i++) {
      const res = await post(pathOf(p.url), { password: 'WRNGpw23' });
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    const throttled = await post(pathOf(p.url), { password: p.password });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBe(60);
    expect(throttled.text).toContain('約1分');
    t.clock.advance(Number(throttled.headers['retry-after']) * 1000);
    await login();
  });

  it('GET and HEAD, a hundred times, start nothing', async () => {
    for (let i = 0; i < 50; i++) {
      expect((await t.http().get(pathOf(p.url))).status).toBe(200);
      expect((await t.http().head(pathOf(p.url))).status).toBe(200);
      expect((await t.http().get(`${pathOf(p.url)}/download`)).status).toBe(303);
    }
    expect(row().windowStartedAt).toBeNull();
    const kinds = t.db.select().from(events).where(eq(events.pickupId, p.id)).all().map((e) => e.kind);
    expect(kinds.filter((k) => k !== 'page-view' && k !== 'created')).toEqual([]);
  });

  it('refuses a download without a session, and starts no window', async () => {
    const res = await post(`${pathOf(p.url)}/download`, {});
    expect(res.status).toBe(401);
    expect(res.text).toContain('name="password"');
    expect(row().windowStartedAt).toBeNull();
  });

  it('refuses a session minted for another pickup', async () => {
    const other = await issueTestPickup(t.deps, { nameRomaji: 'SATO HANAKO' });
    const res = await post(pathOf(other.url), { password: other.password });
    const res2 = await post(`${pathOf(p.url)}/download`, {}, cookieFrom(res));
    expect(res2.status).toBe(401);
  });

  it('refuses a cross-origin POST', async () => {
    const res = await t.http().post(pathOf(p.url)).set('Origin', 'https://evil.example').type('form').send({ password: p.password });
    expect(res.status).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
    const none = await t.http().post(pathOf(p.url)).type('form').send({ password: p.password });
    expect(none.status).toBe(403);
  });
});

describe('URLs that lead to no download', () => {
  it('400 for a truncated or mistyped token', async () => {
    const path = pathOf(p.url);
    const truncated = await t.http().get(path.slice(0, -3));
    expect(truncated.status).toBe(400);
    expect(truncated.text).toContain('https');
    const last = path.at(-1) === '0' ? '1' : '0';
    expect((await t.http().get(path.slice(0, -1) + last)).status).toBe(400);
  });

  it('404 for a well-formed token that matches nothing', async () => {
    const res = await t.http().get('/d/00000000000000000000000000' + '0');
    expect(res.status).toBe(404);
    expect(res.text).toContain('すでに証明書をダウンロード済みか、URLに誤りがある可能性があります。');
  });

  it('410 at 30 days without a download, alive 1 ms before', async () => {
    t.clock.set(p.issuedAt + 30 * DAY - 1);
    expect((await t.http().get(pathOf(p.url))).status).toBe(200);
    t.clock.advance(1);
    const res = await t.http().get(pathOf(p.url));
    expect(res.status).toBe(410);
    expect(res.text).toContain('改めて申込みの手続きをお願いします');
  });

  it('410 once staff cancel, and the key material is destroyed', async () => {
    const { code } = await staff(t, ['cancel', p.serial, '--reason', 'lost letter']);
    expect(code).toBe(0);
    const res = await t.http().get(pathOf(p.url));
    expect(res.status).toBe(410);
    expect(res.text).toContain('停止');
    expect(t.db.select().from(sealedFiles).where(eq(sealedFiles.pickupId, p.id)).get()).toBeUndefined();
    expect(row().cancelReason).toBe('lost letter');
  });

  it('never shows a stack trace, and carries the security headers on errors too', async () => {
    for (const path of ['/nope', '/d/', '/d/%E0%A4%A', '/d/' + 'A'.repeat(5000), '/d/%00%0d%0a']) {
      const res = await t.http().get(path);
      expect(res.status, path).toBeLessThan(500);
      expect(res.text).not.toMatch(/at .*\.ts:\d+|Error:/);
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('answers 413 to a body over 8 KB', async () => {
    const res = await post(pathOf(p.url), { password: 'x'.repeat(9000) });
    expect(res.status).toBe(413);
  });
});

describe('secrets at rest and in logs', () => {
  it('the database file holds no token, password, PIN or unsealed key after a full flow', async () => {
    t.close();
    const dbFile = tmpFile('uketori.db');
    t = makeTestApp({ dbFile });
    p = await issueTestPickup(t.deps);
    await t.http().get(pathOf(p.url));
    await post(pathOf(p.url), { password: 'WRNGpw23' });
    const file = await download(await login());
    const opened = openP12(file.body as Buffer, p.pin);
    const keyPem = pemBlocks(opened.pem, 'PRIVATE KEY')[0]!;
    const keyDer = Buffer.from(keyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const bytes = Buffer.concat([fs.readFileSync(dbFile), fs.existsSync(dbFile + '-wal') ? fs.readFileSync(dbFile + '-wal') : Buffer.alloc(0)]);
    const token = p.url.split('/d/')[1]!;
    for (const secret of [token, token.toLowerCase(), p.password, p.pin]) expect(bytes.includes(Buffer.from(secret))).toBe(false);
    expect(bytes.includes(keyDer.subarray(keyDer.length - 64))).toBe(false);
    expect(bytes.includes(Buffer.from('PRIVATE KEY'))).toBe(false);
    const logs = t.logs.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [token, p.password, p.pin]) expect(logs).not.toContain(secret);
  });
});

describe('access log', () => {
  it('never writes a token, whatever spelling of the path carries it', async () => {
    const token = p.url.split('/d/')[1]!;
    for (const path of [`/d/${token}`, `//d/${token}`, `/D/${token}`, `/d%2F${token}`, `/x/${token.toLowerCase()}`, `/d/${token}/download`]) {
      await t.http().get(path);
    }
    const logs = t.logs.join('');
    expect(logs).toContain('"route":"/d/#');
    expect(logs).toContain('(other path,');
    expect(logs.toUpperCase()).not.toContain(token);
  });

  it('records a delivered file as one line with its size, and any other answer as a request', async () => {
    const before = t.logs.length;
    const file = await download(await login());
    expect(file.status).toBe(200);
    const lines = t.logs.slice(before).map((l) => JSON.parse(l) as { msg: string; method: string; status: number; bytes?: number; route: string });
    expect(lines.map((l) => [l.msg, l.method, l.status])).toEqual([
      ['request', 'POST', 303],
      ['p12 delivered', 'POST', 200],
    ]);
    expect(lines[1]!.bytes).toBe((file.body as Buffer).length);
    expect(lines[1]!.route).toMatch(/^\/d\/#[0-9a-f]+$/);
  });
});

describe('session lifetime', () => {
  it('a session expires after 15 minutes', async () => {
    const cookie = await login();
    t.clock.advance(15 * MINUTE);
    expect((await download(cookie)).status).toBe(401);
    expect(row().windowStartedAt).toBeNull();
  });
});
