import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { events, mailLog, pickups } from '../../src/db/schema.js';
import { DAY } from '../../src/lib/clock.js';
import { MAX_URL_LINE } from '../../src/mail/message.js';
import { notificationMail } from '../../src/mail/notification.js';
import { makeTestApp, testConfig, type TestApp } from '../helpers.js';
import { downloadAsSubscriber, staff, startSmtp, urlLines, type TestSmtp } from './support.js';

let smtp: TestSmtp;
let t: TestApp;

beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(() => smtp.close());
afterEach(() => t.close());

const issueArgs = (code: string, email = 'taro@example.jp') => ['issue', '--name-romaji', 'YAMADA TARO', '--email', email, '--application-code', code, '--no-letters', '--json'];

function mailRows(pickupSerial: string) {
  const p = t.db.select().from(pickups).where(eq(pickups.serial, pickupSerial)).get()!;
  return { pickup: p, mails: t.db.select().from(mailLog).where(eq(mailLog.pickupId, p.id)).all() };
}

describe('notification mail over SMTP', () => {
  it('the subscriber receives the URL on a line of its own, the JST deadline, and neither secret', async () => {
    t = makeTestApp({ config: testConfig({ SMTP_URL: smtp.url }) });
    smtp.received.length = 0;
    const run = await staff(t, issueArgs('M-1'));
    expect(run.code, run.stderr).toBe(0);
    const issued = run.lines[0]!;
    expect(issued.mail).toEqual({ status: 'sent', to: 'taro@example.jp', file: null });

    expect(smtp.received).toHaveLength(1);
    const { rcptTo, mail } = smtp.received[0]!;
    expect(rcptTo).toEqual(['taro@example.jp']);
    expect(mail.subject).toBe('【受取りデモ認証局】電子証明書ダウンロードのご案内 / Your certificate is ready to download');
    const text = mail.text!;
    expect(urlLines(text)).toEqual([issued.url, issued.url]);
    expect(String(issued.url).length).toBeLessThanOrEqual(MAX_URL_LINE);
    expect(text.indexOf('ダウンロードの期限：2026年12月26日（土）10:00（日本時間）')).toBeGreaterThan(0);
    expect(text).toContain('Download by: Sat, 26 Dec 2026, 10:00 JST');
    // Japanese first, English after.
    expect(text.indexOf('様')).toBeLessThan(text.indexOf('Dear YAMADA TARO'));
    expect(text).toContain('パスワードとPINコードは、安全のためこのメールには記載していません');
    // A greeting, advice to use the computer that will hold the certificate, and the CA's signature.
    expect(text.startsWith('YAMADA TARO様\n\n受取りデモ認証局です。このたびは電子証明書をお申込みいただき')).toBe(true);
    expect(text).toContain('URLは、証明書を使うパソコンで開いてください。');
    expect(text).toContain('Please open the address on the computer that will use the certificate.');
    for (const line of ['受取りデモ認証局サポート窓口', '電話：03-0000-0000', '受付時間：平日9時から17時まで', 'メール：support@ca.example.jp', 'Uketori Demo Certification Authority support desk', 'Phone: 03-0000-0000']) {
      expect(text, line).toContain(line);
    }
    expect(mail.from?.value[0]).toEqual({ name: '受取りデモ認証局', address: 'noreply@localhost' });
    for (const secret of [issued.password, issued.pin] as string[]) {
      expect(text).not.toContain(secret);
      expect(mail.html || '').not.toContain(secret);
    }

    const { mails } = mailRows(String(issued.serial));
    expect(mails).toMatchObject([{ kind: 'notification', status: 'sent', attempts: 1, sealedUrl: null, recipient: 'taro@example.jp' }]);
  });

  it('a failed send is recorded, the pickup stays, and mail --retry delivers it', async () => {
    t = makeTestApp({ config: testConfig({ SMTP_URL: smtp.url }) });
    smtp.received.length = 0;
    smtp.rejectNext(1);
    const run = await staff(t, issueArgs('M-2'));
    expect(run.code).toBe(0);
    const issued = run.lines[0]!;
    expect(issued.mail).toMatchObject({ status: 'failed', to: 'taro@example.jp' });
    expect(smtp.received).toHaveLength(0);
    const before = mailRows(String(issued.serial));
    expect(before.pickup).not.toBeNull();
    expect(before.mails).toMatchObject([{ status: 'failed', attempts: 1 }]);
    expect(before.mails[0]!.lastError).toMatch(/451/);
    expect(before.mails[0]!.sealedUrl).not.toContain(String(issued.url).slice(-27));
    const kinds = t.db.select().from(events).where(eq(events.pickupId, before.pickup.id)).all().map((e) => e.kind);
    expect(kinds).toEqual(['created', 'mail-failed']);

    const pending = await staff(t, ['mail', '--json']);
    expect(pending.lines).toMatchObject([{ serial: issued.serial, kind: 'notification', status: 'failed', attempts: 1 }]);

    t.clock.advance(60_000);
    const retry = await staff(t, ['mail', '--retry', '--json']);
    expect(retry.code).toBe(0);
    expect(retry.lines).toMatchObject([{ serial: issued.serial, kind: 'notification', status: 'sent' }]);
    expect(smtp.received).toHaveLength(1);
    expect(urlLines(smtp.received[0]!.mail.text!)[0]).toBe(issued.url);
    expect(mailRows(String(issued.serial)).mails).toMatchObject([{ status: 'sent', attempts: 2, sealedUrl: null, lastError: null }]);

    const again = await staff(t, ['mail', '--retry', '--json']);
    expect(again.lines).toEqual([]);
    expect(smtp.received).toHaveLength(1);
  });

  it('a retry for a pickup that has ended drops the mail instead of sending a dead URL', async () => {
    t = makeTestApp({ config: testConfig({ SMTP_URL: smtp.url }) });
    smtp.received.length = 0;
    smtp.rejectNext(1);
    const issued = (await staff(t, issueArgs('M-3'))).lines[0]!;
    expect((await staff(t, ['cancel', String(issued.serial), '--reason', 'wrong applicant'])).code).toBe(0);
    const retry = await staff(t, ['mail', '--retry', '--json']);
    expect(retry.lines).toMatchObject([{ status: 'dropped', reason: 'the pickup is cancelled' }]);
    expect(smtp.received).toHaveLength(0);
    expect(mailRows(String(issued.serial)).mails).toMatchObject([{ status: 'dropped', sealedUrl: null }]);
  });
});

describe('the outbox default', () => {
  it('writes a parseable .eml (mode 0600) into DATA_DIR/outbox when SMTP_URL is unset', async () => {
    t = makeTestApp();
    const run = await staff(t, issueArgs('O-1', 'hanako@example.jp'));
    expect(run.code, run.stderr).toBe(0);
    const issued = run.lines[0]!;
    const mail = issued.mail as { status: string; file: string };
    expect(mail.status).toBe('sent');
    expect(path.dirname(mail.file)).toBe(path.join(t.deps.config.dataDir, 'outbox'));
    expect(fs.statSync(mail.file).mode & 0o777).toBe(0o600);

    const parsed = await simpleParser(fs.readFileSync(mail.file));
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]!.address : null).toBe('hanako@example.jp');
    expect(parsed.from?.value[0]).toMatchObject({ name: '受取りデモ認証局', address: 'noreply@localhost' });
    expect(parsed.subject).toBe('【受取りデモ認証局】電子証明書ダウンロードのご案内 / Your certificate is ready to download');
    expect(parsed.date?.getTime()).toBe(t.clock());
    expect(urlLines(parsed.text!)).toEqual([issued.url, issued.url]);
    expect(parsed.html).toContain(`<a href="${String(issued.url)}">`);
    expect(parsed.text).not.toContain(String(issued.password));
    expect(parsed.text).not.toContain(String(issued.pin));
  });

  it('a subscriber without an email address gets no mail and staff are told', async () => {
    t = makeTestApp();
    const run = await staff(t, ['issue', '--name-romaji', 'NO MAIL', '--no-letters']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Mail      not sent: no email address');
  });
});

describe('the URL line', () => {
  it('fits in 76 characters for any PUBLIC_URL the configuration accepts', () => {
    const longest = 'https://' + 'a'.repeat(38);
    expect(longest.length).toBe(46);
    const url = new URL('/d/' + '0'.repeat(27), loadConfig({ PUBLIC_URL: longest }).publicUrl).href;
    expect(url.length).toBe(MAX_URL_LINE);
    expect(() => loadConfig({ PUBLIC_URL: longest + 'a' })).toThrow(/PUBLIC_URL must be at most 46 characters/);
    const mail = notificationMail({ url, serial: '01', nameRomaji: 'A B', nameJa: null, expiresAt: 0, ca: testConfig().ca });
    expect(urlLines(mail.text)).toEqual([url, url]);
    expect(() => notificationMail({ url: url + 'x', serial: '01', nameRomaji: 'A B', nameJa: null, expiresAt: 0, ca: testConfig().ca })).toThrow(RangeError);
  });
});

describe('remind-expiry', () => {
  it('mails each certificate expiring within N days once: the second run sends nothing', async () => {
    t = makeTestApp({ config: testConfig({ SMTP_URL: smtp.url }) });
    smtp.received.length = 0;
    const used = (await staff(t, issueArgs('R-1', 'used@example.jp'))).lines[0]!;
    const unused = (await staff(t, issueArgs('R-2', 'unused@example.jp'))).lines[0]!;
    await downloadAsSubscriber(t, String(used.url), String(used.password));
    expect(smtp.received).toHaveLength(2);
    smtp.received.length = 0;

    const notAfter = mailRows(String(used.serial)).pickup.certNotAfter;
    t.clock.set(notAfter - 36 * DAY);
    const early = await staff(t, ['remind-expiry', '--json']);
    expect(early.code).toBe(0);
    expect(early.lines).toEqual([]);
    expect(smtp.received).toHaveLength(0);

    t.clock.set(notAfter - 34 * DAY);
    expect((await staff(t, ['remind-expiry', '--days', '29'])).code).toBe(1);
    const first = await staff(t, ['remind-expiry', '--json']);
    expect(first.code, first.stderr).toBe(0);
    // The never-downloaded pickup left no certificate in use: no reminder.
    expect(first.lines).toMatchObject([{ serial: used.serial, status: 'sent', to: 'used@example.jp' }]);
    expect(smtp.received).toHaveLength(1);
    const { rcptTo, mail } = smtp.received[0]!;
    expect(rcptTo).toEqual(['used@example.jp']);
    expect(mail.subject).toBe('【受取りデモ認証局】電子証明書の有効期限のお知らせ / Your certificate expires soon');
    expect(mail.text).toContain('受取りデモ認証局サポート窓口\n電話：03-0000-0000');
    expect(mail.text).toContain(String(used.serial));
    expect(mail.text).toContain('新規の申込み');
    expect(mail.text).toContain('renewal is the same procedure as a first application');
    expect(urlLines(mail.text!)).toEqual([]);

    t.clock.advance(DAY);
    const second = await staff(t, ['remind-expiry', '--days', '40', '--json']);
    expect(second.code).toBe(0);
    expect(second.lines).toEqual([]);
    expect(second.stderr).toContain('No certificate expiring within 40 days is waiting for a reminder.');
    expect(smtp.received).toHaveLength(1);
    expect(mailRows(String(used.serial)).mails.map((m) => [m.kind, m.status])).toEqual([
      ['notification', 'sent'],
      ['reminder', 'sent'],
    ]);
    expect(mailRows(String(unused.serial)).mails.map((m) => m.kind)).toEqual(['notification']);
  });
});
