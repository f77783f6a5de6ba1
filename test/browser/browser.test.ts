import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueTestPickup } from '../factories.js';
import { CHROMIUM, CHROMIUM_FLAGS, haveChromium, skipBrowser } from './chromium.js';
import { startPortal, type RunningPortal } from './portal-server.js';

const SHOTS = path.resolve(import.meta.dirname, '../../test-artifacts/screenshots');

if (skipBrowser) {
  console.warn(`browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium). Under CI they fail instead.`);
}

const toFullWidth = (s: string) => [...s].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join('');

type Run = {
  name: string;
  locale: string;
  width: number;
  height: number;
  /** How English is reached: the browser's Accept-Language, or the visible switch. */
  lang: 'ja' | 'en';
  viaSwitch: boolean;
  /** Open the URL the way a mail program may hand it over. */
  mangle: (url: string) => string;
};

const RUNS: Run[] = [
  { name: 'ja-desktop', locale: 'ja-JP', width: 1280, height: 900, lang: 'ja', viaSwitch: false, mangle: (u) => u },
  { name: 'en-desktop', locale: 'ja-JP', width: 1280, height: 900, lang: 'en', viaSwitch: true, mangle: (u) => `${u}.` },
  { name: 'ja-320', locale: 'ja-JP', width: 320, height: 640, lang: 'ja', viaSwitch: false, mangle: (u) => u.toLowerCase() },
  { name: 'en-320', locale: 'en-US', width: 320, height: 640, lang: 'en', viaSwitch: false, mangle: (u) => `${u}%20` },
];

let portal: RunningPortal;

describe.skipIf(skipBrowser)('in a real browser', () => {
  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
    fs.mkdirSync(SHOTS, { recursive: true });
    portal = await startPortal();
  });
  afterAll(async () => {
    await portal?.close();
  });

  /** A fresh profile per run, in a folder of our own, removed afterwards. */
  async function openBrowser(run: Run): Promise<{ context: BrowserContext; done: () => Promise<void> }> {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      locale: run.locale,
      viewport: { width: run.width, height: run.height },
      acceptDownloads: true,
    });
    return {
      context,
      done: async () => {
        await context.close();
        fs.rmSync(profile, { recursive: true, force: true });
      },
    };
  }

  /** Everything the page loads comes from the portal, and nothing trips the CSP or throws. */
  function watch(page: Page, origin: string): string[] {
    const problems: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(origin + '/')) problems.push(`request to ${req.url()}`);
    });
    page.on('console', (msg) => {
      // A 401 or 410 page is logged as a failed load; that is the page itself, not a problem.
      if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())) return;
      if (msg.type() === 'error' || /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    return problems;
  }

  async function shot(page: Page, run: Run, step: string): Promise<void> {
    await page.screenshot({ path: path.join(SHOTS, `${run.name}-${step}.png`), fullPage: true });
  }

  async function fitsWidth(page: Page, width: number): Promise<void> {
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scroll, 'no sideways scrolling').toBeLessThanOrEqual(width);
  }

  for (const run of RUNS) {
    it(`${run.name}: full-width password, Download, and the saved file opens with the PIN`, { timeout: 120_000 }, async () => {
      const p = await issueTestPickup(portal.deps, { nameRomaji: 'YAMADA TARO' });
      const { context, done } = await openBrowser(run);
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        const problems = watch(page, portal.origin);

        await page.goto(run.mangle(p.url));
        if (run.viaSwitch) {
          expect(await page.getAttribute('html', 'lang')).toBe('ja');
          await Promise.all([page.waitForURL(/\?lang=en$/), page.click('a.lang')]);
        }
        expect(await page.getAttribute('html', 'lang')).toBe(run.lang);
        await fitsWidth(page, run.width);
        await shot(page, run, '1-landing');

        // The PIN where the password belongs: the page says which letter to use.
        await page.fill('#password', p.pin);
        await Promise.all([page.waitForLoadState('load'), page.click('form.card button[type=submit]')]);
        await page.waitForSelector('#password-error');
        expect(await page.getAttribute('#password', 'aria-describedby')).toBe('password-error password-checks password-hint');
        expect(await page.textContent('#password-checks')).toContain(run.lang === 'ja' ? 'PINコードではありません' : 'PIN from the PIN letter is not used here');
        await fitsWidth(page, run.width);
        await shot(page, run, '2-wrong-password');

        // The show/hide switch is added by the script and reveals what was typed.
        await page.fill('#password', toFullWidth(p.password));
        await page.check('#show-password');
        expect(await page.getAttribute('#password', 'type')).toBe('text');
        // Keyboard focus is visible: Tab from the field lands on the switch, which shows a ring.
        await page.focus('#password');
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => ({ id: document.activeElement?.id, outline: getComputedStyle(document.activeElement!).outlineStyle }));
        expect(focused).toEqual({ id: 'show-password', outline: 'solid' });
        await Promise.all([page.waitForURL(new RegExp(`/d/${p.url.split('/d/')[1]}(#password-error)?$`)), page.click('form.card button[type=submit]')]);

        expect(await page.textContent('main')).toContain(p.fingerprint);
        await fitsWidth(page, run.width);
        await shot(page, run, '3-ready');

        const [download] = await Promise.all([page.waitForEvent('download'), page.click('form.download button')]);
        expect(download.suggestedFilename()).toBe('CERT.P12');
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-dl-')), 'CERT.P12');
        await download.saveAs(file);
        const opened = spawnSync('openssl', ['pkcs12', '-in', file, '-passin', `pass:${p.pin}`, '-noout'], { encoding: 'utf8' });
        expect(opened.status, opened.stderr).toBe(0);
        expect(await page.textContent('#download-started')).toContain('CERT.P12');
        await shot(page, run, '4-after-download');

        // A reload shows the running hour; the script counts it down by the second.
        await page.reload();
        const countdown = page.locator('.countdown');
        await expect.poll(() => countdown.textContent(), { timeout: 5000 }).toMatch(run.lang === 'ja' ? /^\d+分\d\d秒$/ : /^\d+ min \d\d s$/);
        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
        await fitsWidth(page, run.width);
        await shot(page, run, '5-window-running');

        await page.click('footer a[href="/help/import"]');
        await page.waitForURL(/\/help\/import$/);
        await fitsWidth(page, run.width);
        await shot(page, run, '6-import-help');

        await page.goto(`${portal.origin}/d/${p.url.split('/d/')[1]!.slice(0, 20)}`);
        expect(await page.textContent('h2#next-title')).toBeTruthy();
        await fitsWidth(page, run.width);
        await shot(page, run, '7-dead-url');

        expect(problems).toEqual([]);
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
      } finally {
        await done();
      }
    });
  }
});
