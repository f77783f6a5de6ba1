import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueTestPickup } from '../factories.js';
import { ARTIFACTS, launchChromium, skipBrowser, tmpDir } from './chromium.js';
import { startPortal, type RunningPortal } from './portal-server.js';

/**
 * What a new subscriber meets, in Chromium with Japanese fonts, at a desktop (1280×800) and a
 * phone (375×740) size, in both languages: where the page opens, what happens on Download, what
 * a phone is told, and the layout of the ready page. Screenshots go to test-artifacts/subscriber.
 */
const SHOTS = path.join(ARTIFACTS, 'subscriber');

type Size = { name: string; width: number; height: number };
const DESKTOP: Size = { name: 'desktop', width: 1280, height: 800 };
const PHONE: Size = { name: 'phone', width: 375, height: 740 };

let portal: RunningPortal;
let browser: Browser;

async function open(size: Size, lang: 'ja' | 'en', javaScript = true): Promise<{ context: BrowserContext; page: Page; notFound: string[] }> {
  const context = await browser.newContext({
    viewport: { width: size.width, height: size.height },
    locale: lang === 'ja' ? 'ja-JP' : 'en-GB',
    acceptDownloads: true,
    javaScriptEnabled: javaScript,
    isMobile: size === PHONE,
    hasTouch: size === PHONE,
  });
  const page = await context.newPage();
  const notFound: string[] = [];
  page.on('response', (res) => {
    if (res.status() === 404) notFound.push(res.url());
  });
  return { context, page, notFound };
}

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

/** The element's box against the viewport: fully visible without scrolling. */
async function inView(page: Page, selector: string): Promise<boolean> {
  return page.$eval(selector, (el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;
  });
}

async function login(page: Page, password: string): Promise<void> {
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((u) => !u.hash || u.hash === '#password-error'), page.click('form.card button[type=submit]')]);
  await page.waitForSelector('form.download');
}

describe.skipIf(skipBrowser)('a new subscriber in Chromium', () => {
  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    portal = await startPortal();
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.close();
  });

  for (const size of [DESKTOP, PHONE]) {
    for (const lang of ['ja', 'en'] as const) {
      it(`${lang} ${size.name}: the page opens at its top; after a mistake the error is in view, announced, one Tab from the field`, { timeout: 60_000 }, async () => {
        const p = await issueTestPickup(portal.deps);
        const { context, page, notFound } = await open(size, lang);
        try {
          await page.goto(p.url);
          await page.waitForLoadState('load');
          expect(await page.evaluate(() => window.scrollY)).toBe(0);
          expect(await inView(page, 'h1')).toBe(true);
          expect(await inView(page, '.deadline')).toBe(true);
          await shot(page, `${lang}-${size.name}-1-landing`);

          await page.fill('#password', 'Ab3d');
          await Promise.all([page.waitForLoadState('load'), page.click('form.card button[type=submit]')]);
          await page.waitForSelector('#password-error');
          expect(await inView(page, '#password-error .error-message')).toBe(true);
          expect(await page.textContent('#password-error .error-message')).toContain(lang === 'ja' ? '4文字' : 'you entered 4');
          expect(await page.evaluate(() => document.activeElement?.id)).toBe('password-error');
          expect(await page.getAttribute('#password-error', 'role')).toBe('alert');
          await shot(page, `${lang}-${size.name}-2-error`);
          await page.keyboard.press('Tab');
          expect(await page.evaluate(() => document.activeElement?.id)).toBe('password');
          expect(await inView(page, '#password')).toBe(true);
          expect(notFound, 'no 404, favicon included').toEqual([]);
        } finally {
          await context.close();
        }
      });
    }
  }

  it('without JavaScript too, the error of a mistake opens in view and Tab reaches the field', { timeout: 60_000 }, async () => {
    const p = await issueTestPickup(portal.deps);
    const { context, page } = await open(PHONE, 'ja', false);
    try {
      await page.goto(p.url);
      expect(await page.evaluate(() => window.scrollY)).toBe(0);
      await page.fill('#password', 'Ab3d');
      await Promise.all([page.waitForLoadState('load'), page.click('form.card button[type=submit]')]);
      expect(await inView(page, '#password-error .error-message')).toBe(true);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('password');
    } finally {
      await context.close();
    }
  });

  for (const lang of ['ja', 'en'] as const) {
    it(`${lang}: Download moves the page to the running hour at once, with the server's end time, and the file opens with the PIN`, { timeout: 60_000 }, async () => {
      const p = await issueTestPickup(portal.deps);
      const { context, page } = await open(DESKTOP, lang);
      try {
        await page.goto(p.url);
        await login(page, p.password);
        await shot(page, `${lang}-desktop-3-ready`);
        // The Download button is above the fold at 1280×800; the technical rows are folded away.
        expect(await inView(page, 'form.download button')).toBe(true);
        expect(await page.isVisible('details.technical dd.mono')).toBe(false);

        const [download] = await Promise.all([page.waitForEvent('download'), page.click('form.download button')]);
        const again = lang === 'ja' ? 'もう一度ダウンロード' : 'Download again';
        await page.waitForSelector(`form.download button:has-text("${again}")`, { timeout: 10_000 });
        const row = { window_started_at: (await portal.deps.store.findPickupById(p.id))!.windowStartedAt! };
        const endsAt = row.window_started_at + 3_600_000;
        const hhmm = new Date(endsAt + 9 * 3_600_000).toISOString().slice(11, 16);
        const ends = await page.textContent('.times .emphasis dd');
        expect(ends).toContain(hhmm);
        await expect.poll(() => page.textContent('.countdown'), { timeout: 5000 }).toMatch(lang === 'ja' ? /^(59|60)分\d\d秒$/ : /^(59|60) min \d\d s$/);
        expect(await page.textContent('.times')).not.toContain(lang === 'ja' ? '今「ダウンロード」を押した場合' : 'If you press Download now');
        expect(await page.textContent('#download-started')).toContain('CERT.P12');
        expect(page.url()).toBe(p.url);
        await shot(page, `${lang}-desktop-4-running`);

        expect(download.suggestedFilename()).toBe('CERT.P12');
        const file = path.join(tmpDir('uketori-dl-'), 'CERT.P12');
        await download.saveAs(file);
        const opened = spawnSync('openssl', ['pkcs12', '-in', file, '-passin', `pass:${p.pin}`, '-noout'], { encoding: 'utf8' });
        expect(opened.status, opened.stderr).toBe(0);
        fs.rmSync(path.dirname(file), { recursive: true, force: true });

        // A second press inside the hour downloads again and keeps the running page.
        const [second] = await Promise.all([page.waitForEvent('download'), page.click('form.download button')]);
        expect(second.suggestedFilename()).toBe('CERT.P12');
      } finally {
        await context.close();
      }
    });
  }

  it('without JavaScript: the file comes, and the next load shows the running hour without re-sending the form', { timeout: 60_000 }, async () => {
    const p = await issueTestPickup(portal.deps);
    const { context, page } = await open(DESKTOP, 'ja', false);
    try {
      await page.goto(p.url);
      await login(page, p.password);
      expect(await page.textContent('noscript')).toContain('再読み込み');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('form.download button')]);
      expect(download.suggestedFilename()).toBe('CERT.P12');
      const methods: string[] = [];
      page.on('request', (req) => methods.push(`${req.method()} ${new URL(req.url()).pathname}`));
      await page.reload();
      expect(methods[0]).toBe(`GET ${new URL(p.url).pathname}`);
      expect(await page.textContent('form.download button')).toContain('もう一度ダウンロード');
    } finally {
      await context.close();
    }
  });

  for (const lang of ['ja', 'en'] as const) {
    it(`${lang}: a phone is told, before the Download button, to use the computer that will hold the certificate`, { timeout: 60_000 }, async () => {
      const p = await issueTestPickup(portal.deps, { type: 'org-employee', nameJa: '山田 太郎', addressRomaji: 'TOKYO', addressJa: '東京都千代田区千代田1-1', birthDate: '1980-01-02', corporateNumber: '2021001052596', orgName: '受取り商事株式会社', orgRepresentative: '代表取締役 受取 一郎', orgAddress: '東京都千代田区丸の内1-1-1', department: '情報システム部', title: '主任' });
      for (const size of [PHONE, DESKTOP]) {
        const { context, page } = await open(size, lang);
        try {
          await page.goto(p.url);
          expect(await page.isVisible('.device')).toBe(true);
          await login(page, p.password);
          // Even with every field of an organisation certificate, Download is above the fold at 1280×800.
          if (size === DESKTOP) expect(await inView(page, 'form.download button')).toBe(true);
          const phoneNote = await page.isVisible('.phone-only');
          expect(phoneNote).toBe(size === PHONE);
          if (size === PHONE) {
            const note = await page.$eval('.phone-only', (el) => el.getBoundingClientRect().top);
            const button = await page.$eval('form.download button', (el) => el.getBoundingClientRect().top);
            expect(note).toBeLessThan(button);
          }
          // Every subject field the certificate holds, so "check the details" can be done.
          const main = (await page.textContent('main'))!;
          for (const value of ['受取り商事株式会社', '情報システム部', '主任', '東京都千代田区千代田1-1', lang === 'ja' ? '1980年1月2日' : '2 Jan 1980']) expect(main, value).toContain(value);
          // No label breaks inside a word: each dt's words stay on one line.
          await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
          const broken = await page.evaluate(() => {
            const words = ['フィンガープリント', '30日', 'fingerprint', 'Certificate'];
            const out: string[] = [];
            for (const dt of document.querySelectorAll('dt')) {
              const text = dt.firstChild;
              if (!text || text.nodeType !== Node.TEXT_NODE) continue;
              for (const w of words) {
                const at = text.textContent!.indexOf(w);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(text, at);
                range.setEnd(text, at + w.length);
                const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
                if (lines.size > 1) out.push(text.textContent!);
              }
            }
            return out;
          });
          expect(broken).toEqual([]);
          // Fingerprints wrap only between bytes: no line starts or ends inside a byte.
          const fingerprintLines = await page.$$eval('dd.mono.bytes', (dds) =>
            dds.map((dd) => {
              const range = document.createRange();
              range.selectNodeContents(dd);
              return range.getClientRects().length;
            }),
          );
          expect(fingerprintLines.length).toBe(2);
          await shot(page, `${lang}-${size.name}-5-ready-details`, true);
        } finally {
          await context.close();
        }
      }
    });
  }

  for (const javaScript of [true, false]) {
    it(`throttled (script ${javaScript ? 'on' : 'off'}): the wait as a time of day, a way back, and a reload that does not re-send`, { timeout: 60_000 }, async () => {
      const p = await issueTestPickup(portal.deps);
      const { context, page } = await open(PHONE, 'ja', javaScript);
      try {
        await page.goto(p.url);
        for (let i = 0; i < 12 && !(await page.isVisible('.notice.wait')); i++) {
          await page.fill('#password', 'WRNGpw23');
          await Promise.all([page.waitForLoadState('load'), page.click('form.card button[type=submit]')]);
        }
        expect(await page.isVisible('.notice.wait')).toBe(true);
        expect(await page.textContent('.wait-until')).toMatch(/\d{1,2}:\d\d（日本時間）から、もう一度入力できます。/);
        if (javaScript) await expect.poll(() => page.textContent('.wait-until .countdown'), { timeout: 5000 }).toMatch(/^\d+分\d\d秒$/);
        expect(await page.getAttribute('a.back', 'href')).toBe(new URL(p.url).pathname);
        await shot(page, `ja-phone-6-throttled${javaScript ? '' : '-noscript'}`);
        const methods: string[] = [];
        page.on('request', (req) => methods.push(req.method()));
        page.on('dialog', (d) => {
          methods.push('dialog');
          void d.dismiss();
        });
        await page.reload();
        expect(methods[0]).toBe('GET');
        expect(await page.isVisible('.notice.wait')).toBe(true);
        expect(methods).not.toContain('dialog');
        expect(methods).not.toContain('POST');
      } finally {
        await context.close();
      }
    });
  }

  it('a dead URL page: a status style, the desk to call, no 404 for the icon', { timeout: 60_000 }, async () => {
    const { context, page, notFound } = await open(PHONE, 'ja');
    try {
      await page.goto(`${portal.origin}/d/000000000000000000000000000`);
      const style = await page.$eval('.notice.dead', (el) => getComputedStyle(el).borderLeftStyle);
      expect(style).toBe('solid');
      expect(await page.textContent('section.contact')).toContain('03-0000-0000');
      await shot(page, 'ja-phone-7-dead');
      expect(notFound.filter((u) => !u.includes('/d/'))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
