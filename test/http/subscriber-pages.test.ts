import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../src/lib/clock.js';
import { en } from '../../src/i18n/en.js';
import { ja } from '../../src/i18n/ja.js';
import { renderPasswordLetter, renderPinLetter, type LetterFacts } from '../../src/postal/letters.js';
import { notificationMail } from '../../src/mail/notification.js';
import { reminderMail } from '../../src/mail/reminder.js';
import type { IssuedPickup } from '../../src/services/create-pickup.js';
import { issueTestPickup } from '../factories.js';
import { cookieFrom, makeTestApp, pathOf, postForm, testConfig, tmpFile, type TestApp } from '../helpers.js';

let t: TestApp;
afterEach(() => t?.close());

const get = (p: string, headers: Record<string, string> = {}) => t.http().get(p).set(headers);
const post = (p: string, body: Record<string, string>, cookie?: string) => postForm(t, p, body, cookie);

async function login(p: IssuedPickup): Promise<string> {
  const res = await post(pathOf(p.url), { password: p.password });
  expect(res.status).toBe(303);
  return cookieFrom(res);
}

/** The visible text of a page, without markup. */
const textOf = (html: string) => html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, '\n').replace(/&#39;/g, "'").replace(/&quot;/g, '"');

/** Every page a subscriber can meet, in one language. */
async function allPages(lang: 'ja' | 'en'): Promise<Array<[string, string]>> {
  const h = { Cookie: `uketori_lang=${lang}` };
  const p = await issueTestPickup(t.deps, { type: 'individual', nameJa: '山田 太郎', addressRomaji: 'TOKYO', addressJa: '東京都千代田区', birthDate: '1980-01-02' });
  const cookie = await login(p);
  const dead = await issueTestPickup(t.deps);
  const deadCookie = await login(dead);
  await post(`${pathOf(dead.url)}/download`, {}, deadCookie);
  const pages: Array<[string, string]> = [
    ['landing', (await get(pathOf(p.url), h)).text],
    ['ready', (await get(pathOf(p.url), { Cookie: `${h.Cookie}; ${cookie}` })).text],
    ['wrong', (await post(`${pathOf(p.url)}?lang=${lang}`, { password: 'WRNGpw23' })).text],
    ['length', (await post(`${pathOf(p.url)}?lang=${lang}`, { password: 'Ab3' })).text],
    ['help', (await get('/help/import', h)).text],
    ['incomplete', (await get('/d/123', h)).text],
    ['unknown', (await get('/d/000000000000000000000000000', h)).text],
    ['notfound', (await get('/nope', h)).text],
    ['running-elsewhere', (await get(pathOf(dead.url), h)).text],
  ];
  t.clock.advance(HOUR);
  pages.push(['downloaded', (await get(pathOf(dead.url), h)).text]);
  return pages;
}

describe('the CA is named everywhere (CA_NAME, CA_NAME_EN, support desk)', () => {
  it('header and footer name the CA and its desk; the issuer is its organisation, the DN at hand', async () => {
    t = makeTestApp({ config: testConfig({ CA_NAME: '日本テスト認証局', CA_NAME_EN: 'Japan Test CA', SUPPORT_PHONE: '0120-123-456', SUPPORT_URL: 'https://ca.example.jp/help' }) });
    const p = await issueTestPickup(t.deps);
    const landing = await get(pathOf(p.url));
    expect(landing.text).toContain('<p class="brand"><span class="ca-name">日本テスト認証局</span><span class="service">電子証明書の受取り</span></p>');
    expect(landing.text).toContain('<title>電子証明書のダウンロード | 電子証明書の受取り | 日本テスト認証局</title>');
    expect(landing.text).toContain('日本テスト認証局が発行した電子証明書を');
    const footer = /<footer class="site">[\s\S]*<\/footer>/.exec(landing.text)![0];
    for (const part of ['日本テスト認証局サポート窓口', '<a href="tel:0120123456">0120-123-456</a>', 'support@ca.example.jp', '<a href="https://ca.example.jp/help" rel="noopener noreferrer">']) expect(footer).toContain(part);
    const english = await get(pathOf(p.url), { 'Accept-Language': 'en' });
    expect(english.text).toContain('<span class="ca-name">Japan Test CA</span>');
    expect(english.text).toContain('Japan Test CA support desk');
    expect(english.text).not.toContain('日本テスト認証局');

    const ready = await get(pathOf(p.url), { Cookie: await login(p) });
    expect(ready.text).toContain('<dt>発行者</dt><dd>Uketori Development</dd>');
    expect(ready.text).toContain('<dt>発行者の識別名（DN）</dt><dd class="mono">CN=Uketori Development Issuing CA, O=Uketori Development, C=JP</dd>');
  });

  it('every dead-URL page carries the desk in full; no page says only "CA support desk"', async () => {
    t = makeTestApp();
    for (const [name, html] of await allPages('ja')) {
      expect(html, name).not.toContain('認証局サポート窓口 ');
      expect(html, name).not.toContain('CA support desk /');
      expect(html, name).toContain('受取りデモ認証局サポート窓口');
      expect(html, name).toContain('03-0000-0000');
    }
  });

  it('an optional logo is served by the portal itself and shown in the header', async () => {
    const logo = tmpFile('logo.svg');
    fs.writeFileSync(logo, '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>');
    t = makeTestApp({ config: testConfig({ CA_LOGO: logo }) });
    const page = await get('/help/import');
    expect(page.text).toContain('<img class="logo" src="/static/ca-logo" alt="受取りデモ認証局のロゴ" height="32"/>');
    const served = await get('/static/ca-logo');
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('image/svg+xml');
  });

  it('a logo that is not what its name says stops the start-up with one line', async () => {
    const fake = tmpFile('logo.png');
    fs.writeFileSync(fake, 'not a png');
    expect(() => makeTestApp({ config: testConfig({ CA_LOGO: fake }) })).toThrow(/^invalid configuration: CA_LOGO: .*logo\.png is not a PNG image$/);
    expect(() => testConfig({ CA_LOGO: path.join(path.dirname(fake), 'logo.gif') })).toThrow(/CA_LOGO: must be a \.png or \.svg file/);
  });
});

describe('phone users are told to use the computer that will hold the certificate', () => {
  it('landing and ready pages say so; the ready page has a phone-only notice before the button', async () => {
    t = makeTestApp();
    const p = await issueTestPickup(t.deps);
    const landing = await get(pathOf(p.url));
    expect(landing.text).toContain('<p class="device">この手続きは、証明書を使うパソコンで行ってください。');
    const ready = (await get(pathOf(p.url), { Cookie: await login(p) })).text;
    const phone = ready.indexOf('<div class="phone-only" role="note">');
    expect(phone).toBeGreaterThan(0);
    expect(phone).toBeLessThan(ready.indexOf('<form method="post"'));
    expect(ready).toContain('1時間のダウンロード期間が始まります');
  });

  it('once the hour runs, the ready page no longer says that pressing Download would start it', async () => {
    t = makeTestApp();
    const p = await issueTestPickup(t.deps);
    const cookie = await login(p);
    expect((await post(`${pathOf(p.url)}/download`, {}, cookie)).status).toBe(200);
    for (const [lang, starts] of [['ja', '1時間のダウンロード期間が始まります'], ['en', 'starts the one-hour download period']] as const) {
      const running = (await get(`${pathOf(p.url)}?lang=${lang}`, { Cookie: cookie })).text;
      expect(running).toContain('<form method="post"');
      expect(running).not.toContain(starts);
      expect(running).not.toContain('<div class="phone-only" role="note">');
    }
  });
});

describe('the landing page', () => {
  it('never autofocuses (the page opens at its top), and a mistake answers at the error', async () => {
    t = makeTestApp();
    const p = await issueTestPickup(t.deps);
    const page = await get(pathOf(p.url));
    expect(page.text).not.toContain('autofocus');
    expect(page.text).toContain(`action="${pathOf(p.url)}#password-error"`);
    const wrong = await post(pathOf(p.url), { password: 'Ab3' });
    expect(wrong.text).toMatch(/<div id="password-error" class="error" role="alert" tabindex="-1"><p class="error-message">パスワードは8文字ですが、入力された文字数は3文字でした。<\/p><\/div><label for="password">/);
  });

  it('while the hour runs, another browser is told when Download was pressed, when the hour ends, and whom to call', async () => {
    t = makeTestApp();
    const p = await issueTestPickup(t.deps);
    await post(`${pathOf(p.url)}/download`, {}, await login(p));
    t.clock.advance(5 * MINUTE);
    const other = await get(pathOf(p.url));
    expect(other.status).toBe(200);
    expect(other.text).toContain('この証明書の「ダウンロード」は2026年11月26日（木）10:00（日本時間）に押されました。2026年11月26日（木）11:00（日本時間）まで');
    expect(other.text).toContain('ご自身で押した覚えがない場合は');
    expect(other.text).toContain('受取りデモ認証局サポート窓口、電話：03-0000-0000');
    const english = await get(pathOf(p.url), { 'Accept-Language': 'en' });
    expect(english.text).toContain('Download was pressed for this certificate on Thu, 26 Nov 2026, 10:00 JST. Until Thu, 26 Nov 2026, 11:00 JST');
  });

  it('a deadline at night says the evening before is the last practical chance; a daytime one does not', async () => {
    // Issued at 02:30 in Japan: the 30-day deadline falls at 02:30 too.
    t = makeTestApp({ now: Date.UTC(2026, 10, 26, 17, 30) });
    const night = await issueTestPickup(t.deps);
    const page = await get(pathOf(night.url));
    expect(page.text).toContain('ダウンロードの期限：2026年12月27日（日）02:30（日本時間）');
    expect(page.text).toContain('前日の12月26日（土）の夕方までに手続きを済ませることをおすすめします');
    const english = await get(pathOf(night.url), { 'Accept-Language': 'en' });
    expect(english.text).toContain('please finish by the evening of Sat 26 Dec');
    t.close();
    t = makeTestApp();
    const day = await issueTestPickup(t.deps);
    expect((await get(pathOf(day.url))).text).not.toContain('期限は深夜です');
  });
});

describe('the ready page', () => {
  it('shows every subject field the certificate holds, dates in the pages\' one style, fingerprints once', async () => {
    t = makeTestApp();
    const p = await issueTestPickup(t.deps, {
      type: 'org-employee', nameJa: '山田 太郎', addressRomaji: 'TOKYO', addressJa: '東京都千代田区千代田1-1', birthDate: '1980-01-02',
      corporateNumber: '2021001052596', orgName: '受取り商事株式会社', orgRepresentative: '代表取締役 受取 一郎', orgAddress: '東京都千代田区丸の内1-1-1',
      department: '情報システム部', title: '主任',
    });
    const cookie = await login(p);
    const res = (await get(pathOf(p.url), { Cookie: cookie })).text;
    for (const [k, v] of [
      ['名義', '山田 太郎（YAMADA TARO）'], ['証明書の種類', '属性型（組織社員）'], ['住所', '東京都千代田区千代田1-1'], ['生年月日', '1980年1月2日'],
      ['組織の名称', '受取り商事株式会社'], ['法人番号', '2021001052596'], ['組織の代表者', '代表取締役 受取 一郎'], ['部署', '情報システム部'], ['役職', '主任'],
      ['有効期間', '2026年11月26日から2028年11月26日まで'],
    ]) {
      expect(res, k!).toContain(`<dt>${k}</dt><dd>${v}</dd>`);
    }
    expect(res).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    // Shown once, folded away with the other technical rows, breakable only between bytes.
    const hex = p.fingerprint.replaceAll(':', ':<wbr/>');
    expect(res.split(hex)).toHaveLength(2);
    expect(res.indexOf(hex)).toBeGreaterThan(res.indexOf('<details class="technical">'));
    expect(res.indexOf('<details class="technical">')).toBeGreaterThan(res.indexOf('<form method="post"'));
    const en = (await get(pathOf(p.url), { Cookie: `${cookie}; uketori_lang=en` })).text;
    expect(en).toContain('<dt>Certificate type</dt><dd>Attribute certificate (organisation employee)</dd>');
    expect(en).toContain('<dt>Date of birth</dt><dd>2 Jan 1980</dd>');
    expect(en).toContain('<dt>Name</dt><dd>YAMADA TARO (山田 太郎)</dd>');
  });

  it('without script, the page says to reload after downloading to see the running hour', async () => {
    t = makeTestApp();
    const p = await issueTestPickup(t.deps);
    const res = (await get(pathOf(p.url), { Cookie: await login(p) })).text;
    expect(res).toContain('<noscript><p class="note">ダウンロードが終わったら、このページを再読み込みしてください。');
  });
});

describe('the throttled page', () => {
  it('gives the wait as a time of day, a countdown, and a way back to the form', async () => {
    t = makeTestApp();
    const p = await issueTestPickup(t.deps);
    let res = await post(pathOf(p.url), { password: 'WRNGpw23' });
    for (let i = 0; i < 12 && res.status !== 429; i++) res = await post(pathOf(p.url), { password: 'WRNGpw23' });
    expect(res.status).toBe(429);
    const wait = Number(res.headers['retry-after']);
    const until = new Date(t.clock() + wait * 1000 + 9 * HOUR).toISOString().slice(11, 16);
    expect(res.text).toContain(`${until}（日本時間）から、もう一度入力できます。`);
    expect(res.text).toContain(`data-countdown-ms="${wait * 1000}"`);
    expect(res.text).toContain(`<a class="back" href="${pathOf(p.url)}">パスワードの入力画面に戻る</a>`);
  });

  it('a browser\'s form post is answered by a redirect to a page it can reload; a forged wait shows only its sender a wait', async () => {
    t = makeTestApp();
    const p = await issueTestPickup(t.deps);
    let res = await post(pathOf(p.url), { password: 'WRNGpw23' });
    for (let i = 0; i < 12 && res.status !== 429; i++) res = await post(pathOf(p.url), { password: 'WRNGpw23' });
    expect(res.status).toBe(429);
    const navigated = await post(pathOf(p.url), { password: p.password }).set('Sec-Fetch-Mode', 'navigate');
    expect(navigated.status).toBe(303);
    const until = t.clock() + Number(navigated.headers['retry-after']) * 1000;
    expect(navigated.headers.location).toBe(`${pathOf(p.url)}?wait=${until / 1000}`);
    const page = await get(String(navigated.headers.location));
    expect(page.status).toBe(429);
    expect(page.text).toContain('から、もう一度入力できます。');
    // The link repeats a time; it never lets anyone past the throttle, and a stale or absurd one is ignored.
    expect((await get(`${pathOf(p.url)}?wait=${Math.floor(t.clock() / 1000) - 1}`)).status).toBe(200);
    expect((await get(`${pathOf(p.url)}?wait=${Math.floor(t.clock() / 1000) + 2 * 86_400}`)).status).toBe(200);
    expect((await get(`${pathOf(p.url)}?wait=abc`)).status).toBe(200);
    expect((await post(pathOf(p.url), { password: p.password })).status).toBe(429);
  });
});

describe('dead-URL pages', () => {
  it('a status style, no one-item numbered list, no repeated link, help only where there is a file, a contact on each', async () => {
    t = makeTestApp();
    const pages = Object.fromEntries(await allPages('ja'));
    for (const name of ['incomplete', 'unknown', 'downloaded']) {
      const html = pages[name]!;
      expect(html, name).toContain('<div class="notice dead">');
      expect(html, name).toContain('<h2 id="contact-title">お問い合わせ先</h2>');
      expect(html, name).not.toMatch(/<ol class="steps"><li>[^<]*<\/li><\/ol>/);
      const links = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
      expect(new Set(links).size, name).toBe(links.length);
    }
    expect(pages.incomplete).not.toContain('href="/help/import"');
    expect(pages.downloaded).toContain('href="/help/import"');
    expect(pages.unknown).toContain('href="/help/import"');
  });
});

describe('English pages', () => {
  it('mark the Japanese letter titles lang="ja" and name the types naturally', async () => {
    t = makeTestApp();
    const p = await issueTestPickup(t.deps);
    const res = (await get(pathOf(p.url), { 'Accept-Language': 'en' })).text;
    expect(res).toContain('Password letter (<span lang="ja">パスワード送付のお知らせ</span>)');
    expect(res).toContain('PIN letter (<span lang="ja">PINコード送付のお知らせ</span>)');
    expect(en.certTypes.individual).toBe('Attribute certificate (individual)');
    expect(en.certTypes.basic).toBe('Basic certificate');
  });
});

describe('the favicon', () => {
  it('is linked from every page and answered at /favicon.ico, never a 404', async () => {
    t = makeTestApp();
    const page = await get('/help/import');
    expect(page.text).toContain('<link rel="icon" href="/static/favicon.svg" type="image/svg+xml"/>');
    for (const p of ['/static/favicon.svg', '/favicon.ico']) {
      const res = await get(p);
      expect(res.status, p).toBe(200);
      expect(res.headers['content-type'], p).toBe('image/svg+xml');
      expect(String(res.body), p).toContain('<svg');
    }
  });
});

/** Japanese wording rules, checked on every Japanese text a subscriber reads: pages, mail, letters. */
describe('Japanese typography and wording', () => {
  const facts = (): LetterFacts => ({ serial: '01', issuedAt: 0, expiresAt: 0, nameRomaji: 'A B', nameJa: '山田 太郎', mailing: {}, ca: testConfig().ca });
  const JP = '[\\u3040-\\u30ff\\u3400-\\u9fff]';
  const rules: Array<[string, RegExp]> = [
    ['half-width bracket next to Japanese', new RegExp(`${JP}[()]|[()]${JP}`, 'u')],
    ['half-width colon after Japanese', new RegExp(`${JP}: `, 'u')],
    ['space around a number in Japanese', new RegExp(`${JP} \\d|\\d ${JP}`, 'u')],
    ['space before or after a Latin word in Japanese', new RegExp(`${JP} [A-Za-z]+ ${JP}`, 'u')],
    ['既に (write すでに)', /既に/],
    ['申し込み (write 申込み)', /申し込み|お申し込/],
    ['ブラウザ without ー', /ブラウザ(?!ー)/],
    ['PIN without コード', /PIN(?!コード)(?![A-Za-z])/],
    ['あなたの (too familiar for a CA; a quoted Firefox label aside)', /(?<!「)あなたの/],
    ['メモ帳 (never type a secret into another program)', /メモ帳/],
  ];

  function check(where: string, text: string) {
    for (const [rule, re] of rules) {
      const hit = re.exec(text);
      expect(hit, `${where}: ${rule}: …${hit ? text.slice(Math.max(0, hit.index - 15), hit.index + 15) : ''}…`).toBeNull();
    }
  }

  it('holds for every Japanese page', async () => {
    t = makeTestApp();
    for (const [name, html] of await allPages('ja')) {
      // The English switch and the letter's Latin code characters aside, all Japanese text is checked.
      check(name, textOf(html).replace(/Firefox \(|Windows \(|macOS \(/g, ''));
    }
  });

  it('holds for the Japanese half of the mail and for both letters', async () => {
    const ca = testConfig().ca;
    const mail = notificationMail({ url: 'http://portal.test/d/0', serial: '01', nameRomaji: 'A B', nameJa: '山田 太郎', expiresAt: 0, ca });
    check('notification', mail.text.split('-- English')[0]!);
    check('reminder', reminderMail({ serial: '01', nameRomaji: 'A B', nameJa: '山田 太郎', notAfter: 0, ca }).text.split('-- English')[0]!);
    for (const [name, html] of [['password letter', await renderPasswordLetter(facts(), 'Ab3dEf7H')], ['PIN letter', await renderPinLetter(facts(), 'Zx8kMn4P')]] as const) {
      const body = textOf(html.replace(/<style[\s\S]*?<\/style>/, '').replace(/<div class="en"[\s\S]*?<\/div>/, ''));
      check(name, body.replace(/\/ This file holds[^\n]*/, '').replace(/Support: [^\n]*/, '').replace(/\n[^\n]*Certification Authority[^\n]*/, ''));
    }
  });

  it('the message tables keep one spelling per word and no spaced numbers', () => {
    const texts = (v: unknown): string[] =>
      typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(texts) : typeof v === 'function' ? [String(v('X', 'Y'))] : v && typeof v === 'object' ? Object.values(v).flatMap(texts) : [];
    for (const [key, value] of Object.entries(ja)) for (const text of texts(value)) check(`ja.${key}`, text);
  });
});
