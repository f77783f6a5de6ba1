import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { events, mailLog, pickups, throttlePickups } from '../../src/db/schema.js';
import { formatJst } from '../../src/i18n/format.js';
import { DAY, HOUR } from '../../src/lib/clock.js';
import { binaryBody, cookieFrom, makeTestApp, pathOf, postForm, testConfig, type TestApp } from '../helpers.js';
import { openP12 } from '../openssl.js';
import { downloadAsSubscriber, staff, startSmtp, urlLines, type TestSmtp } from './support.js';

let smtp: TestSmtp;
let t: TestApp;

beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(() => smtp.close());
afterEach(() => t.close());

async function issue(code: string): Promise<Record<string, string>> {
  const run = await staff(t, ['issue', '--name-romaji', 'YAMADA TARO', '--email', 'taro@example.jp', '--application-code', code, '--no-letters', '--json']);
  expect(run.code, run.stderr).toBe(0);
  return run.lines[0] as Record<string, string>;
}

const pickupRow = (serial: string) => t.db.select().from(pickups).where(eq(pickups.serial, serial)).get()!;

describe('reissue-url', () => {
  it('gives the same pickup a new URL: the old one is unknown at once, the new one is mailed and works with the same password and PIN', async () => {
    t = makeTestApp({ config: testConfig({ SMTP_URL: smtp.url }) });
    smtp.received.length = 0;
    const p = await issue('R-1');
    // Someone holding the old URL spent guesses on it.
    await postForm(t, pathOf(p.url!), { password: p.password === 'WRNGpw23' ? 'WRNGpw24' : 'WRNGpw23' });
    expect(t.db.select().from(throttlePickups).all()).toHaveLength(1);

    const run = await staff(t, ['reissue-url', 'R-1', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = run.lines[0]!;
    expect(out).toMatchObject({ serial: p.serial, mail: { status: 'sent', to: 'taro@example.jp', file: null } });
    const url = String(out.url);
    expect(url).not.toBe(p.url);
    expect(url).toMatch(/^http:\/\/portal\.test\/d\/[0-9A-Z]{27}$/);

    const old = await t.http().get(pathOf(p.url!));
    expect(old.status).toBe(404);
    expect(old.text).toContain('すでに証明書をダウンロード済みか、URLに誤りがある可能性があります。');
    expect((await postForm(t, pathOf(p.url!), { password: p.password! })).status).toBe(404);

    expect(smtp.received).toHaveLength(2);
    const text = smtp.received[1]!.mail.text!;
    expect(urlLines(text)).toEqual([url, url]);
    expect(text).toContain('以前のURLはもうお使いいただけません');
    expect(text).toContain('The password and the PIN you received by post stay the same.');
    for (const secret of [p.password!, p.pin!]) expect(text).not.toContain(secret);

    const row = pickupRow(p.serial!);
    const kinds = t.db.select().from(events).where(eq(events.pickupId, row.id)).all().map((e) => e.kind);
    expect(kinds).toEqual(['created', 'mailed', 'password-failed', 'url-reissued', 'mailed']);
    expect(t.db.select().from(mailLog).where(eq(mailLog.pickupId, row.id)).all()).toMatchObject([{ kind: 'notification', status: 'sent', attempts: 1, sealedUrl: null }]);
    // The new URL starts with a full guess budget.
    expect(t.db.select().from(throttlePickups).all()).toHaveLength(0);

    const login = await postForm(t, pathOf(url), { password: p.password! });
    expect(login.status).toBe(303);
    const file = await postForm(t, `${pathOf(url)}/download`, {}, cookieFrom(login)).buffer(true).parse(binaryBody);
    expect(file.status).toBe(200);
    expect(openP12(file.body as Buffer, p.pin!).ok).toBe(true);

    const status = await staff(t, ['status', 'R-1']);
    expect(status.stdout).toMatch(/url-reissued +previous=[0-9a-f]{10} current=[0-9a-f]{10}/);
  });

  it('a URL reissued while the download hour runs is mailed with the end of the hour as its deadline', async () => {
    t = makeTestApp({ config: testConfig({ SMTP_URL: smtp.url }) });
    smtp.received.length = 0;
    const p = await issue('R-H');
    expect(smtp.received[0]!.mail.text).toContain(`Download by: ${formatJst(pickupRow(p.serial!).expiresAt, 'en')}`);
    const login = await postForm(t, pathOf(p.url!), { password: p.password! });
    expect((await postForm(t, `${pathOf(p.url!)}/download`, {}, cookieFrom(login)).buffer(true).parse(binaryBody)).status).toBe(200);
    const hourEnds = pickupRow(p.serial!).windowEndsAt!;
    t.clock.advance(10 * 60_000);
    expect((await staff(t, ['reissue-url', 'R-H'])).code).toBe(0);
    const text = smtp.received[1]!.mail.text!;
    expect(text).toContain(`Download by: ${formatJst(hourEnds, 'en')}`);
    expect(text).toContain(`ダウンロードの期限：${formatJst(hourEnds, 'ja')}`);
    expect(text).not.toContain(formatJst(pickupRow(p.serial!).expiresAt, 'en'));
  });

  it('a failed send of the new URL is recorded and mail --retry delivers the new URL, not the old one', async () => {
    t = makeTestApp({ config: testConfig({ SMTP_URL: smtp.url }) });
    smtp.received.length = 0;
    const p = await issue('R-F');
    smtp.rejectNext(1);
    const run = await staff(t, ['reissue-url', 'R-F', '--json']);
    expect(run.code).toBe(1);
    expect(run.lines[0]!.mail).toMatchObject({ status: 'failed', to: 'taro@example.jp' });
    const url = String(run.lines[0]!.url);
    const retry = await staff(t, ['mail', '--retry', '--json']);
    expect(retry.code, retry.stderr).toBe(0);
    expect(smtp.received).toHaveLength(2);
    const text = smtp.received[1]!.mail.text!;
    expect(urlLines(text)).toEqual([url, url]);
    expect(text).not.toContain(p.url!);
    expect(text).toContain('以前のURLはもうお使いいただけません');
  });

  it('prints the URL for staff to pass on when the subscriber has no address, and says so', async () => {
    t = makeTestApp();
    const issued = await staff(t, ['issue', '--name-romaji', 'NO MAIL', '--no-letters', '--json']);
    const serial = String(issued.lines[0]!.serial);
    const run = await staff(t, ['reissue-url', serial]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`New URL for ${serial}; the old URL now shows the "unknown URL" page.`);
    expect(run.stdout).toMatch(/ {2}URL {7}http:\/\/portal\.test\/d\/[0-9A-Z]{27}\n/);
    expect(run.stdout).toContain('not sent: no email address; give the subscriber the URL another way');
  });

  it('refuses pickups that are no longer live, with the reason, and changes nothing', async () => {
    t = makeTestApp();
    const cancelled = await issue('R-C');
    await staff(t, ['cancel', 'R-C', '--reason', 'test']);
    const expired = await issue('R-E');
    const downloaded = await issue('R-D');
    await downloadAsSubscriber(t, downloaded.url!, downloaded.password!);
    t.clock.advance(HOUR);

    const refusals = {
      'R-C': `staff reissue-url: ${cancelled.serial} is cancelled: only a pickup that can still be downloaded gets a new URL; the subscriber needs a new application\n`,
      'R-D': `staff reissue-url: ${downloaded.serial} is downloaded: only a pickup that can still be downloaded gets a new URL; the subscriber needs a new application\n`,
    };
    for (const [code, message] of Object.entries(refusals)) {
      const run = await staff(t, ['reissue-url', code]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(message);
    }
    t.clock.set(Date.parse(expired.expiresAt!));
    const late = await staff(t, ['reissue-url', 'R-E']);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain(`${expired.serial} is expired`);
    for (const p of [cancelled, expired, downloaded]) {
      expect(t.db.select().from(events).where(eq(events.pickupId, pickupRow(p.serial!).id)).all().map((e) => e.kind)).not.toContain('url-reissued');
    }
    expect((await staff(t, ['reissue-url', 'NOPE'])).stderr).toBe('staff reissue-url: no pickup with serial or application code "NOPE"\n');
    expect((await staff(t, ['reissue-url'])).code).toBe(1);
  });

  it('works 1 ms before the 30 days end, not at the end', async () => {
    t = makeTestApp();
    const p = await issue('R-T');
    t.clock.set(Date.parse(p.expiresAt!) - 1);
    expect((await staff(t, ['reissue-url', 'R-T'])).code).toBe(0);
    t.clock.set(Date.parse(p.expiresAt!));
    expect((await staff(t, ['reissue-url', 'R-T'])).code).toBe(1);
    expect(Date.parse(p.expiresAt!) - Date.parse(p.issuedAt!)).toBe(30 * DAY);
  });
});

describe('reissue-url --help', () => {
  it('shows the usage', async () => {
    t = makeTestApp();
    const run = await staff(t, ['reissue-url', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usage: npm run staff -- reissue-url <serial or application code> [--json]');
  });
});
