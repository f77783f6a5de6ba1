import { X509Certificate } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { events, pickups } from '../../src/db/schema.js';
import { DAY, HOUR, MINUTE } from '../../src/lib/clock.js';
import type { IssuedPickup } from '../../src/services/create-pickup.js';
import { issueTestPickup } from '../factories.js';
import { binaryBody, cookieFrom, makeTestApp, ORIGIN, pathOf, postForm, type TestApp } from '../helpers.js';

let t: TestApp;
let p: IssuedPickup;

beforeEach(async () => {
  t = makeTestApp();
  p = await issueTestPickup(t.deps);
});
afterEach(() => t.close());

const post = (path: string, body: Record<string, string>, cookie?: string) => postForm(t, path, body, cookie);
const get = (path: string, headers: Record<string, string> = {}) => t.http().get(path).set(headers);
const tokenOf = (pickup: IssuedPickup) => pickup.url.split('/d/')[1]!;
const fullWidth = (s: string) => [...s].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join('');
const swapCase = (s: string) => [...s].map((ch) => (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase())).join('');

async function login(pickup = p): Promise<string> {
  const res = await post(pathOf(pickup.url), { password: pickup.password });
  expect(res.status).toBe(303);
  return cookieFrom(res);
}

function row(id = p.id) {
  return t.db.select().from(pickups).where(eq(pickups.id, id)).get()!;
}

/** The visible text of a page, without markup. */
function textOf(html: string): string {
  return html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' ').replace(/&[a-z]+;|&#\d+;/g, ' ');
}

describe('language', () => {
  it('is Japanese by default, English from Accept-Language', async () => {
    const ja = await get(pathOf(p.url));
    expect(ja.text).toMatch(/^<!doctype html><html lang="ja">/);
    expect(ja.text).toContain('電子証明書のダウンロード');
    const en = await get(pathOf(p.url), { 'Accept-Language': 'en-GB,en;q=0.9,ja;q=0.5' });
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('Download your certificate');
    expect(en.headers['set-cookie']).toBeUndefined();
  });

  it('switches with ?lang=, remembers it in a cookie, and the cookie beats the browser', async () => {
    const switched = await get(`${pathOf(p.url)}?lang=en`, { 'Accept-Language': 'ja' });
    expect(switched.text).toContain('<html lang="en">');
    const cookie = (switched.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('uketori_lang='))!;
    expect(cookie).toMatch(/^uketori_lang=en; Max-Age=31536000; Path=\/; HttpOnly; SameSite=Lax$/);
    const later = await get('/help/import', { Cookie: 'uketori_lang=en', 'Accept-Language': 'ja' });
    expect(later.text).toContain('<html lang="en">');
    const back = await get(`${pathOf(p.url)}?lang=ja`, { Cookie: 'uketori_lang=en' });
    expect(back.text).toContain('<html lang="ja">');
  });

  it('keeps the switch on the same page and the same origin, whatever the path', async () => {
    const page = await get(pathOf(p.url));
    const href = /<a class="lang" href="([^"]*)" hreflang="en" lang="en">English<\/a>/.exec(page.text)?.[1];
    expect(href).toBe('?lang=en');
    const target = new URL(href!, p.url);
    expect(target.origin).toBe(ORIGIN);
    expect(target.pathname).toBe(pathOf(p.url));
    // A path that starts with // must not turn the switch into a link to another host.
    const odd = await get('//evil.example/x');
    expect(odd.text).toContain('href="?lang=en"');
    expect(odd.text).not.toContain('href="//evil');
    const en = await get(`${pathOf(p.url)}?lang=en`);
    expect(en.text).toContain('<a class="lang" href="?lang=ja" hreflang="ja" lang="ja">日本語</a>');
  });

  it('leaves no Japanese in English pages except the letter titles and the switch', async () => {
    const cookie = await login();
    const pages = [
      await get(pathOf(p.url), { Cookie: 'uketori_lang=en' }),
      await get(pathOf(p.url), { Cookie: `uketori_lang=en; ${cookie}` }),
      await post(`${pathOf(p.url)}?lang=en`, { password: 'WRNGpw23' }),
      await get('/help/import?lang=en'),
      await get('/d/123?lang=en'),
      await get('/nope?lang=en'),
    ];
    for (const [i, res] of pages.entries()) {
      const text = textOf(res.text)
        .replaceAll('パスワード送付のお知らせ', '')
        .replaceAll('PINコード送付のお知らせ', '')
        .replaceAll('日本語', '');
      expect(text, `page ${i}`).not.toMatch(/[\u3040-\u30ff\u3400-\u9fff]/u);
    }
  });
});

describe('the password field', () => {
  it('is labelled, described, and not touched by the phone keyboard', async () => {
    const res = await get(pathOf(p.url));
    const input = /<input id="password"[^>]*>/.exec(res.text)![0];
    for (const attr of ['autocapitalize="off"', 'autocorrect="off"', 'spellcheck="false"', 'autocomplete="off"', 'type="password"', 'aria-describedby="password-hint"']) {
      expect(input).toContain(attr);
    }
    expect(res.text).toContain('<label for="password">');
    expect(res.text).toContain('id="password-hint"');
    expect(res.text).toMatch(/<p class="toggle" hidden="">\s*<input type="checkbox" id="show-password"/);
    expect(res.text).toContain('<label for="show-password">');
    for (const ch of ['0', 'O', 'o', '1', 'l', 'I', 'i']) expect(res.text).toContain(`<kbd>${ch}</kbd>`);
  });

  it('accepts full-width input, spaces, ideographic spaces and line breaks', async () => {
    const pw = p.password;
    const variants = [fullWidth(pw), ` ${pw.slice(0, 4)} ${pw.slice(4)}\n`, `${pw.slice(0, 4)}\u3000${pw.slice(4)}`, `${pw.slice(0, 4)}\r\n${pw.slice(4)}\t`];
    for (const typed of variants) {
      const res = await post(pathOf(p.url), { password: typed });
      expect(res.status, JSON.stringify(typed)).toBe(303);
    }
  });

  it('never changes case: the password with its case swapped is wrong', async () => {
    const res = await post(pathOf(p.url), { password: swapCase(p.password) });
    expect(res.status).toBe(401);
    const res2 = await post(pathOf(p.url), { password: fullWidth(swapCase(p.password)) });
    expect(res2.status).toBe(401);
  });

  it('says what to check: the password letter, not the PIN; case; the look-alikes', async () => {
    const res = await post(pathOf(p.url), { password: p.pin });
    expect(res.status).toBe(401);
    expect(res.text).toContain('aria-describedby="password-error password-checks password-hint"');
    expect(res.text).toContain('aria-invalid="true"');
    expect(res.text).toMatch(/<div id="password-error" class="error" role="alert" tabindex="-1"><p class="error-message">パスワードが一致しません。<\/p><\/div>/);
    const error = /<div id="password-checks"[\s\S]*?<\/div>/.exec(res.text)![0];
    expect(error).toContain('「パスワード送付のお知らせ」');
    expect(error).toContain('PINコードではありません');
    expect(error).toContain('大文字と小文字は区別します');
    expect(error).toContain('0（ゼロ）');

    const en = await post(`${pathOf(p.url)}?lang=en`, { password: p.pin });
    const enError = /<div id="password-checks"[\s\S]*?<\/div>/.exec(en.text)![0];
    expect(enError).toContain('password letter');
    expect(enError).toContain('The PIN from the PIN letter is not used here');
    expect(enError).toContain('Capital and small letters are different');
  });

  it('names a character the password never contains, without spending a guess', async () => {
    const typed = p.password.slice(0, 6) + 'O0';
    const res = await post(pathOf(p.url), { password: typed });
    expect(res.status).toBe(400);
    expect(res.text).toContain('「O 0」');
    const failures = t.db.select().from(events).where(eq(events.pickupId, p.id)).all().filter((e) => e.kind === 'password-failed');
    expect(failures).toEqual([]);
    const short = await post(pathOf(p.url), { password: fullWidth(p.password.slice(0, 7)) });
    expect(short.status).toBe(400);
    expect(short.text).toContain('入力された文字数は7文字');
  });

  it('asks only to enter it when the field was empty', async () => {
    const res = await post(pathOf(p.url), { password: ' \n ' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('パスワードを入力してください。');
    expect(res.text).not.toContain('次の点をご確認ください');
  });
});

describe('URLs as mail programs and people mangle them', () => {
  it('resolve to the same pickup, and the form always posts to the clean URL', async () => {
    let pickup = p;
    // A token whose body has a 1 and a 0, so the I/L/O mapping is really exercised.
    const hasBoth = (x: IssuedPickup) => tokenOf(x).slice(0, 26).includes('1') && tokenOf(x).slice(0, 26).includes('0');
    for (let i = 0; i < 30 && !hasBoth(pickup); i++) pickup = await issueTestPickup(t.deps, { nameRomaji: 'SUZUKI JIRO' });
    expect(hasBoth(pickup)).toBe(true);
    const token = tokenOf(pickup);
    const clean = `/d/${token}`;
    const variants = [
      token.toLowerCase(),
      token.replaceAll('1', 'I').replaceAll('0', 'O'),
      token.replaceAll('1', 'l').replaceAll('0', 'o'),
      `${token}.`,
      `${token})`,
      `${token}%E3%80%82`,
      `${token}%20`,
      `${token}%20%20`,
      `${token.slice(0, 13)}%0A${token.slice(13)}`,
      `${token.slice(0, 13)}%0D%0A${token.slice(13)}`,
      `${token.slice(0, 13)}%20${token.slice(13)}`,
      encodeURIComponent(fullWidth(token)),
    ];
    for (const v of variants) {
      const res = await get(`/d/${v}`);
      expect(res.status, v).toBe(200);
      expect(res.text, v).toContain(`action="${clean}#password-error"`);
    }
    const posted = await post(`/d/${variants[1]}`, { password: pickup.password });
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe(clean);
    const ready = await get(`/d/${variants[0]}`, { Cookie: cookieFrom(posted) });
    expect(ready.text).toContain(`action="${clean}/download"`);
    expect((await get(`/d/${variants[4]}/download`)).headers.location).toBe(clean);
    expect(row(pickup.id).windowStartedAt).toBeNull();
  });
});

describe('the landing page', () => {
  it('says what it is, which letter, the deadline in JST, no lockout, and what Download does', async () => {
    const res = await get(pathOf(p.url));
    expect(res.text).toContain('CERT.P12');
    expect(res.text).toContain('「パスワード送付のお知らせ」');
    expect(res.text).toContain('「PINコード送付のお知らせ」');
    expect(res.text).toContain('ダウンロードの期限：2026年12月26日（土）10:00（日本時間）');
    expect(res.text).toContain('ロックされて使えなくなることはありません');
    expect(res.text).toContain('押した時点から1時間に限り');
    const en = await get(pathOf(p.url), { 'Accept-Language': 'en' });
    expect(en.text).toContain('Download by: Sat, 26 Dec 2026, 10:00 JST');
    expect(en.text).toContain('Wrong entries never lock you out');
  });
});

describe('the ready page', () => {
  it('shows the summary, the 30-day deadline, and when the hour would end if pressed now', async () => {
    const cookie = await login();
    t.clock.advance(10 * MINUTE);
    const res = await get(pathOf(p.url), { Cookie: cookie });
    expect(res.status).toBe(200);
    for (const part of ['YAMADA TARO', p.serial, p.fingerprint.replaceAll(':', ':<wbr/>'), '基本型', 'PKCS#12互換形式']) expect(res.text).toContain(part);
    const sha1 = new X509Certificate(row().certPem).fingerprint;
    expect(res.text).toContain(sha1.replaceAll(':', ':<wbr/>'));
    expect(res.text).toContain('受取りの期限（発行から30日）</dt><dd>2026年12月26日（土）10:00（日本時間）');
    expect(res.text).toContain('今「ダウンロード」を押した場合の期限</dt><dd>2026年11月26日（木）11:10（日本時間）');
    expect(res.text).not.toContain('1時間より短くなります');
    expect(res.text).not.toContain('data-countdown-ms');
    expect(res.text).toContain('>ダウンロード</button>');
  });

  it('once the window runs: its end, the time left (no script needed), and a countdown hook', async () => {
    let cookie = await login();
    expect((await post(`${pathOf(p.url)}/download`, {}, cookie)).status).toBe(200);
    t.clock.advance(20 * MINUTE + 30_000);
    // Past the 15-minute session: the password is entered again, which the window allows.
    cookie = await login();
    const res = await get(pathOf(p.url), { Cookie: cookie });
    expect(res.text).toContain('ダウンロードできる期限</dt><dd>2026年11月26日（木）11:00（日本時間）');
    expect(res.text).toContain('約40分');
    expect(res.text).toContain(`data-countdown-ms="${40 * MINUTE - 30_000}"`);
    expect(res.text).toContain('受取りの期限（発行から30日）</dt><dd>2026年12月26日（土）10:00（日本時間）');
    expect(res.text).toContain('もう一度ダウンロード');
    const en = await get(`${pathOf(p.url)}?lang=en`, { Cookie: cookie });
    expect(en.text).toContain('You can download until</dt><dd>Thu, 26 Nov 2026, 11:00 JST');
    expect(en.text).toContain('about 40 minutes');
  });

  it('when fewer than 60 minutes of the 30 days are left, the window ends with them, and says so', async () => {
    t.clock.set(p.expiresAt - 25 * MINUTE);
    const cookie = await login();
    const before = await get(pathOf(p.url), { Cookie: cookie });
    expect(before.text).toContain('今「ダウンロード」を押した場合の期限</dt><dd>2026年12月26日（土）10:00（日本時間）');
    expect(before.text).toContain('1時間より短くなります');
    await post(`${pathOf(p.url)}/download`, {}, cookie);
    const during = await get(pathOf(p.url), { Cookie: cookie });
    expect(during.text).toContain('ダウンロードできる期限</dt><dd>2026年12月26日（土）10:00（日本時間）');
    expect(during.text).toContain('約25分');
  });

  it('explains the import below the button: Windows, macOS, Firefox, the PIN, the fingerprint, no reissue', async () => {
    const cookie = await login();
    const res = await get(pathOf(p.url), { Cookie: cookie });
    const after = res.text.slice(res.text.indexOf('<form method="post"'));
    for (const part of ['Windows', 'macOS', 'Firefox', '「PINコード送付のお知らせ」に記載のPINコード', 'certmgr.msc', 'フィンガープリント', '再発行できません']) {
      expect(after, part).toContain(part);
    }
    // Beside the steps, the fingerprint again, breakable only between bytes.
    expect(after).toContain(p.fingerprint.replaceAll(':', ':<wbr/>'));
    expect(res.text).toContain('<a href="/help/import">');
    expect(res.text).toMatch(/<p id="download-started" class="status" role="status" tabindex="-1" data-message="[^"]+"><\/p>/);
  });
});

describe('the import help page', () => {
  it('is static, the same for everyone, in both languages, and touches no pickup', async () => {
    const ja = await get('/help/import');
    expect(ja.status).toBe(200);
    expect(ja.text).toContain('<h1>ダウンロードした証明書のインポート方法</h1>');
    expect(ja.text).toContain('certmgr.msc');
    expect(ja.text).not.toContain('/d/');
    const en = await get('/help/import', { 'Accept-Language': 'en' });
    expect(en.text).toContain('<h1>How to import a downloaded certificate</h1>');
    expect(en.text).toContain('Certificate Import Wizard');
    expect(t.db.select().from(events).all().filter((e) => e.kind !== 'created')).toEqual([]);
  });
});

describe('dead URLs say what to do next', () => {
  const nextList = (html: string) => /<h2 id="next-title">([^<]+)<\/h2>\s*<ol class="steps">([\s\S]*?)<\/ol>/.exec(html);

  it('incomplete: copy the whole URL', async () => {
    const res = await get(pathOf(p.url).slice(0, -4));
    expect(res.status).toBe(400);
    expect(nextList(res.text)?.[2]).toContain('httpsから最後の文字まで');
  });

  it('unknown: open the URL again, or look for the saved file', async () => {
    const res = await get('/d/000000000000000000000000000');
    expect(res.status).toBe(404);
    expect(nextList(res.text)?.[2]).toContain('CERT.P12');
    expect(res.text).toContain('<a href="/help/import">');
  });

  it('downloaded: import the saved file, and whom to call if it was not you', async () => {
    const cookie = await login();
    await post(`${pathOf(p.url)}/download`, {}, cookie);
    t.clock.advance(HOUR);
    const res = await get(pathOf(p.url));
    expect(res.status).toBe(410);
    const list = nextList(res.text)![2];
    expect(list).toContain('インポート');
    expect(list).toContain('覚えがない');
    expect(res.text).toContain('<a href="/help/import">');
    expect(res.text).toContain('<h2 id="contact-title">お問い合わせ先</h2>');
  });

  it('expired: apply again; cancelled: contact the desk', async () => {
    t.clock.set(p.expiresAt);
    const expired = await get(pathOf(p.url));
    expect(expired.status).toBe(410);
    // One step is a sentence, not a one-item numbered list.
    expect(nextList(expired.text)).toBeNull();
    expect(expired.text).toMatch(/<h2 id="next-title">次にすること<\/h2><p>[^<]*改めて申込みの手続きをお願いします。<\/p>/);
    t.db.update(pickups).set({ cancelledAt: p.issuedAt + DAY }).where(eq(pickups.id, p.id)).run();
    const cancelled = await get(pathOf(p.url), { 'Accept-Language': 'en' });
    expect(cancelled.status).toBe(410);
    expect(cancelled.text).toContain('contact the support desk');
    expect(cancelled.text).toContain('<h2 id="contact-title">Contact</h2>');
  });
});

describe('no external resources, nothing inline', () => {
  it('every page loads only its own CSS and script, with no inline style or script', async () => {
    const cookie = await login();
    const pages = [
      await get(pathOf(p.url)),
      await get(pathOf(p.url), { Cookie: cookie }),
      await post(pathOf(p.url), { password: 'WRNGpw23' }),
      await get('/help/import'),
      await get('/d/123'),
      await get('/nope'),
    ];
    for (const res of pages) {
      const html = res.text;
      expect(html).not.toMatch(/\sstyle=/);
      expect(html).not.toMatch(/<style/);
      expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="/static/app.js" defer="">']);
      expect(html).not.toMatch(/\son[a-z]+=/);
      for (const [, url] of html.matchAll(/\s(?:href|src|action)="([^"]*)"/g)) {
        // Links to the CA's own support desk (phone, mail) are the only ones leaving the page.
        expect(url, url).toMatch(/^(\/(?!\/)|\?|#|tel:\+?\d+$|mailto:support@ca\.example\.jp$)/);
      }
    }
  });

  it('serves the stylesheet and script itself; neither reaches for another origin', async () => {
    const css = await get('/static/app.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.text).not.toMatch(/@import|url\(/);
    const js = await get('/static/app.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.text).not.toMatch(/https?:|XMLHttpRequest|innerHTML|eval\(/);
    // The script fetches only the download form's own action and the page's own path.
    expect([...js.text.matchAll(/fetch\(([^,)]+)/g)].map((m) => m[1])).toEqual(['form.action', 'location.pathname']);
  });
});
